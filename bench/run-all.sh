#!/usr/bin/env bash
# Runs every benchmark; each prints its figures as ratios against a floor,
# limit or peer measured in the same run.  $1 = build directory.
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh "${1:-build}"
export BENCH_HOST_SAID=1
for b in bench/*.sh; do
	case $b in */lib.sh | */run-all.sh | */curve-*.sh | */curves.sh) continue ;; esac
	bash "$b" "${1:-build}"
done

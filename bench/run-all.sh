#!/usr/bin/env bash
# Runs every benchmark; each prints one summary line.  $1 = build directory.
cd "$(dirname "$0")/.." || exit 1
for b in bench/*.sh; do
	case $b in */lib.sh | */run-all.sh) continue ;; esac
	bash "$b" "${1:-build}"
done

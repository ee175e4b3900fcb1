#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS DIR TARGET...: for each libFuzzer TARGET (built
# in DIR), seeds DIR/corpus/NAME from tests/fuzz/NAME.seeds, runs it for
# SECONDS (or FUZZ_RUNS executions, whichever comes first) in a scratch
# directory, and prints one line with its executions.
# A crash stops the run: the reproducer is in DIR/artifacts/NAME/.
#
# NAME.seeds lines (vectors are listed here, never copied into the tree):
#   file PATH [head N | tail N] [prefix HEX]   PATH under SHARED (../shared)
#   build PATH [head N | tail N] [prefix HEX]  PATH under BUILD (the normal build)
#   args WORD...                               NUL-separated words (command lines;
#                                              @V@ stands for SHARED/vectors)
#   text FORMAT                                printf %b text
set -uo pipefail
secs=$1 dir=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
SHARED=${SHARED:-$here/../../../shared}
BUILD=${BUILD:-$here/../../build}

seed() {        # seed NAME CORPUS: one file per seeds line
	local n=0 kind rest path a b c hex out
	[ -f "$here/$1.seeds" ] || return 0
	while read -r kind rest; do
		case $kind in ''|'#'*) continue ;; esac
		out=$2/seed-$((n++))
		case $kind in
		file|build)
			read -r path a b c hex <<<"$rest"
			[ "$kind" = file ] && path=$SHARED/vectors/$path || path=$BUILD/$path
			[ -f "$path" ] || { echo "fuzz: $1: seed $path is missing, skipped" >&2; continue; }
			if [ "$a" = prefix ]; then hex=$b a=; elif [ "$c" != prefix ]; then hex=; fi
			{ [ -z "$hex" ] || printf "$(sed 's/../\\x&/g' <<<"$hex")"
			  case $a in
			  head) head -c "$b" "$path" ;;
			  tail) tail -c "$b" "$path" ;;
			  *) cat "$path" ;;
			  esac; } > "$out" ;;
		args) read -r -a words <<<"$rest"
			printf '%s\0' "${words[@]//@V@/$SHARED/vectors}" > "$out" ;;
		text) printf '%b' "$rest" > "$out" ;;
		*) echo "fuzz: $1.seeds: unknown line '$kind $rest'" >&2; exit 2 ;;
		esac
	done < "$here/$1.seeds"
}

status=0
for bin in "$@"; do
	name=$(basename "$bin")
	name=${name#fuzz-}
	corpus=$dir/corpus/$name art=$dir/artifacts/$name/ scratch=$dir/run/$name
	mkdir -p "$corpus" "$art" "$scratch"
	seed "$name" "$corpus"
	log=$dir/$name.log
	(cd "$scratch" && "$bin" -max_total_time="$secs" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} \
		-timeout=20 -rss_limit_mb=2560 \
		-close_fd_mask=1 -print_final_stats=1 -artifact_prefix="$art" "$corpus") > "$log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	size=$(find "$corpus" -type f | wc -l)
	if [ $st -ne 0 ]; then
		echo "fuzz-$name: FAILED (status $st) after ${execs:-?} executions; see $log and $art"
		grep -m 3 -E 'ERROR|SUMMARY|Test unit written' "$log"
		status=1
		break
	fi
	took=$(sed -n 's/.*Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
	echo "fuzz-$name: ${execs:-?} executions in ${took:-$secs} s, corpus $size inputs"
done
exit $status

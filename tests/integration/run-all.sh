#!/usr/bin/env bash
# Runs every tests/integration/test-*.sh.  Exit status 0 = pass, 77 = skip
# (the script prints why), anything else = fail.  Ends with the plain
# "N passed, N failed, N skipped" line.
set -u
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 skip=0
for t in "$here"/test-*.sh; do
	name=$(basename "$t" .sh)
	out=$(bash "$t" 2>&1)
	st=$?
	case $st in
	0) pass=$((pass + 1)); echo "PASS $name" ;;
	77) skip=$((skip + 1)); echo "SKIP $name: $(printf '%s\n' "$out" | tail -n 1)" ;;
	*) fail=$((fail + 1)); echo "FAIL $name (status $st)"; printf '%s\n' "$out" | tail -n 30 | sed 's/^/    /' ;;
	esac
done
echo "integration: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]

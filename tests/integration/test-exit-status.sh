#!/usr/bin/env bash
# Exit statuses: the guest's debug-exit byte, --expect, --timeout, a
# console file, and a hostile guest that must not take the VMM down.
. "$(dirname "$0")/lib.sh"
need_kvm
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
guest=$BUILD/guest/cvm-guest.elf

"$RUN" -k "$guest" -p "cvmtest.exit=7" --timeout 60 > "$tmp/out" 2>&1
[ $? -eq 7 ] || fail "debug-exit 7 did not become the exit status"

"$RUN" -k "$guest" -p "cvmtest.exit=5" --expect "cvm-guest: hello" --timeout 60 > "$tmp/out" 2>&1
[ $? -eq 0 ] || fail "--expect match did not exit 0"

"$RUN" -k "$guest" -p "cvmtest.exit=3" --console "file:$tmp/console" --timeout 60 > "$tmp/out" 2>&1
[ $? -eq 3 ] || fail "console file run: wrong status"
grep -q "cvm-guest: hello" "$tmp/console" || fail "console file has no banner"
[ ! -s "$tmp/out" ] || fail "guest output leaked to stdout with --console file:"

"$RUN" -k "$guest" -p "cvmtest.cpus=1" --expect "never printed" --timeout 0.05 > "$tmp/out" 2>"$tmp/err"
st=$?
# The guest may finish inside 50 ms on fast hardware; then the status is 0.
[ $st -eq 124 ] && grep -q "timeout" "$tmp/err" || [ $st -eq 0 ] || fail "timeout: status $st"

"$RUN" -k "$guest" -c 2 -p "cvmtest.garbage=2000 cvmtest.cpus=2" --timeout 120 > "$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] || { cat "$tmp/out" "$tmp/err"; fail "garbage guest: status $st"; }
grep -q "cvm-guest: garbage done" "$tmp/out" || fail "garbage guest did not finish"

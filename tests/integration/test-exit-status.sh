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

# On a terminal, cvm-run puts it in raw mode for COM1's input and gives it
# back as it was when the guest ends (python3's pty: a terminal here).
command -v python3 >/dev/null || fail "no python3 for the terminal check (make deps)"
python3 - "$RUN" "$guest" <<'PY' || fail "the terminal was left changed after the guest ended"
import os, pty, select, subprocess, sys, termios
m, s = pty.openpty()
before = termios.tcgetattr(s)
p = subprocess.Popen([sys.argv[1], "-k", sys.argv[2], "-p", "cvmtest.exit=0", "--timeout", "60"],
                     stdin=s, stdout=s, stderr=s)
while p.poll() is None:
    if select.select([m], [], [], 0.2)[0]:
        os.read(m, 4096)
sys.exit(0 if p.returncode == 0 and termios.tcgetattr(s) == before else 1)
PY

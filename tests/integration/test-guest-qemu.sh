#!/usr/bin/env bash
# The test guest (tests/guest) under QEMU's TCG, no KVM needed: proves the
# guest itself right, so a failing cvm-run boot test points at cvm-run.
# Builds nothing: uses $CVM_BUILD/guest/cvm-guest.{elf,bzimage}.
set -u
. "$(dirname "$0")/lib.sh"

QEMU=qemu-system-x86_64
command -v "$QEMU" >/dev/null || skip "$QEMU is not installed"
ELF=$BUILD/guest/cvm-guest.elf
BZIMAGE=$BUILD/guest/cvm-guest.bzimage
[ -f "$ELF" ] || fail "$ELF is missing (make guest)"
[ -f "$BZIMAGE" ] || fail "$BZIMAGE is missing (make guest)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
guest_initrd "$tmp/initrd"

# boot WHAT MACHINE IMAGE SMP APPEND [INITRD]: guest output in $tmp/out,
# QEMU's exit status in $st: (byte written to port 0xf4) << 1 | 1.
boot() {
	what=$1
	timeout 60 "$QEMU" -accel tcg -M "$2" -m 128M -smp "$4" -nodefaults -no-user-config \
		-display none -monitor none -serial stdio -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$3" ${6:+-initrd "$6"} -append "$5" >"$tmp/out" 2>"$tmp/err"
	st=$?
}
show() { sed 's/^/    /' "$tmp/out" "$tmp/err"; }
expect_line() {
	grep -qxF "cvm-guest: $1" "$tmp/out" || { show; fail "$what: no line 'cvm-guest: $1'"; }
}
expect_status() {
	[ "$st" -eq "$1" ] || { show; fail "$what: QEMU exit status $st, expected $1"; }
}

boot "PVH, 4 vCPUs, initrd" microvm "$ELF" 4 "cvmtest.cpus=4 cvmtest.initrd=$sum" "$tmp/initrd"
expect_line "hello (pvh entry)"
expect_line "cmdline \"cvmtest.cpus=4 cvmtest.initrd=$sum\""
grep -qE '^cvm-guest: e820 0x0000000000100000-0x[0-9a-f]{16} 1$' "$tmp/out" ||
	{ show; fail "$what: no RAM entry at 1 MiB"; }
expect_line "cpus 4 of 4"
expect_line "initrd $size bytes cksum $sum ok"
expect_line "verdict PASS"
expect_status 1

boot "PVH, wrong initrd cksum" microvm "$ELF" 1 "cvmtest.initrd=$((sum ^ 1))" "$tmp/initrd"
expect_line "initrd $size bytes cksum $sum MISMATCH (expected $((sum ^ 1)))"
expect_line "verdict FAIL initrd cksum mismatch"
expect_status 3

boot "PVH, missing vCPUs" microvm "$ELF" 2 "cvmtest.cpus=4"
expect_line "cpus 2 of 4"
expect_line "verdict FAIL cpus answered != cvmtest.cpus"
expect_status 3

boot "PVH, exit status" microvm "$ELF" 1 "cvmtest.exit=7"
expect_line "exit 7"
expect_status 15

boot "PVH, garbage" microvm "$ELF" 1 "cvmtest.garbage=2000"
expect_line "garbage done"
expect_status 1

# QEMU starts a bzImage in its real-mode setup, which switches to long mode
# and enters the 64-bit entry at +0x200 as cvm-run does.
boot "bzImage, 4 vCPUs, initrd" q35 "$BZIMAGE" 4 "cvmtest.cpus=4 cvmtest.initrd=$sum" "$tmp/initrd"
expect_line "hello (linux64 entry)"
expect_line "cpus 4 of 4"
expect_line "initrd $size bytes cksum $sum ok"
expect_line "verdict PASS"
expect_status 1

echo "guest under TCG: PVH and bzImage entries, vCPUs, initrd cksum, exit status, garbage mode"

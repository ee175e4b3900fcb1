#!/usr/bin/env bash
# The arm64 test guest (tests/guest-arm64) under QEMU's TCG, no KVM needed:
# proves the guest itself right on QEMU's own device tree, then on the one
# cvm-run builds (arch/arm64/dtb.c, passed with -dtb), and boots Debian's
# arm64 kernel on cvm-run's device tree up to its console and second CPU.
# QEMU has no debug-exit register: the guest ends with PSCI SYSTEM_OFF
# (QEMU exits 0) and its verdict is the "verdict" line on the serial port.
# Builds nothing: uses $CVM_BUILD/guest-arm64/cvm-guest.Image and
# $CVM_BUILD/arm64-dtb.
set -u
. "$(dirname "$0")/lib.sh"

QEMU=qemu-system-aarch64
command -v "$QEMU" >/dev/null || skip "$QEMU is not installed (Debian qemu-system-arm)"
IMAGE=$BUILD/guest-arm64/cvm-guest.Image
[ -f "$IMAGE" ] || skip "$IMAGE is not built: no aarch64-linux-gnu-gcc (make deps)"
[ -x "$BUILD/arm64-dtb" ] || fail "$BUILD/arm64-dtb is missing (make check-integration builds it)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
guest_initrd "$tmp/initrd"

# boot WHAT KERNEL SMP APPEND [QEMU-ARGS...]: serial output in $tmp/out,
# QEMU's exit status in $st (0 after SYSTEM_OFF, 124 on a hang).
boot() {
	what=$1 kernel=$2 smp=$3 append=$4
	shift 4
	timeout 120 "$QEMU" -M virt,gic-version=3 -cpu max -accel tcg -m 256M -smp "$smp" \
		-nodefaults -no-user-config -display none -monitor none -serial stdio \
		-no-reboot -kernel "$kernel" -append "$append" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	tr -d '\r' <"$tmp/out" >"$tmp/log"
}
show() { sed 's/^/    /' "$tmp/log" "$tmp/err"; }
expect_line() {
	grep -qxF "cvm-guest: $1" "$tmp/log" || { show; fail "$what: no line 'cvm-guest: $1'"; }
}
# The last verdict line, and QEMU ended by SYSTEM_OFF.
expect_verdict() {
	[ "$(grep '^cvm-guest: verdict ' "$tmp/log" | tail -n 1)" = "cvm-guest: verdict $1" ] ||
		{ show; fail "$what: the last verdict is not '$1'"; }
	[ "$st" -eq 0 ] || { show; fail "$what: QEMU exit status $st, expected 0 (SYSTEM_OFF)"; }
}

boot "4 vCPUs, initrd" "$IMAGE" 4 "cvmtest.cpus=4 cvmtest.initrd=$sum" -initrd "$tmp/initrd"
expect_line "hello (arm64 entry at EL1)"
expect_line "cmdline \"cvmtest.cpus=4 cvmtest.initrd=$sum\""
expect_line "memory 0x0000000040000000-0x0000000050000000"
expect_line "dt cpus 4 psci hvc uart 0x9000000 debug-exit 0x0"
grep -qE '^cvm-guest: dtb 0x[0-9a-f]{16} [0-9]+ bytes$' "$tmp/log" ||
	{ show; fail "$what: no dtb line"; }
expect_line "cpus 4 of 4"
expect_line "initrd $size bytes cksum $sum ok"
expect_verdict PASS

boot "wrong initrd cksum" "$IMAGE" 1 "cvmtest.initrd=$((sum ^ 1))" -initrd "$tmp/initrd"
expect_line "initrd $size bytes cksum $sum MISMATCH (expected $((sum ^ 1)))"
expect_verdict "FAIL initrd cksum mismatch"

boot "missing vCPUs" "$IMAGE" 2 "cvmtest.cpus=4"
expect_line "cpus 2 of 4"
expect_verdict "FAIL cpus answered != cvmtest.cpus"

boot "no initrd asked for" "$IMAGE" 1 "cvmtest.initrd=1"
expect_line "initrd none"
expect_verdict "FAIL no initrd"

boot "exit status" "$IMAGE" 1 "cvmtest.exit=7"
expect_line "exit 7"
! grep -q '^cvm-guest: verdict' "$tmp/log" || { show; fail "$what: a verdict after exit"; }
[ "$st" -eq 0 ] || { show; fail "$what: QEMU exit status $st"; }

boot "bad word" "$IMAGE" 1 "cvmtest.cpus=many"
expect_line "bad value for cvmtest.cpus"
expect_verdict "FAIL bad cvmtest word"

# Not a protected VM: QEMU answers the pKVM hypercall NOT_SUPPORTED (-1).
boot "pkvm calls on a plain VM" "$IMAGE" 1 "cvmtest.pkvm"
expect_line "pkvm HYP_MEMINFO returned 0xffffffffffffffff"
expect_verdict "FAIL pkvm HYP_MEMINFO failed"

# cvm-run's device tree (QEMU replaces /memory and /chosen's bootargs and
# initrd range): the guest finds cvm-run's debug-exit register, and its
# write there faults under QEMU, where nothing answers; the exception
# vectors report it and SYSTEM_OFF ends the run.
"$BUILD/arm64-dtb" 256M 2 "unused" >"$tmp/cvm.dtb" || fail "arm64-dtb failed"
boot "cvm-run's device tree" "$IMAGE" 2 "cvmtest.cpus=2 cvmtest.initrd=$sum" \
	-dtb "$tmp/cvm.dtb" -initrd "$tmp/initrd"
expect_line "dt cpus 2 psci hvc uart 0x9000000 debug-exit 0x9100000"
expect_line "cpus 2 of 2"
expect_line "initrd $size bytes cksum $sum ok"
expect_line "verdict PASS"
grep -qE '^cvm-guest: exception vector 4 ESR 0x96[0-9a-f]{6} ELR 0x[0-9a-f]+ FAR 0x9100000$' \
	"$tmp/log" || { show; fail "$what: no data abort at the debug-exit register"; }
expect_verdict "FAIL unexpected exception"

# Debian's kernel on cvm-run's device tree: GICv3 with its redistributors,
# the timer, PSCI bringing up the second CPU, the PL011 console.  Stopped
# once the console driver has claimed the PL011 (about a second of guest
# time; the rest of its boot would end in a panic without a root).
kernel=$BUILD/arm64-debian-Image
if [ ! -f "$kernel" ]; then
	gzip -dc "$VEC/hosts/arm64-debian/Image.gz" >"$kernel.tmp" && mv "$kernel.tmp" "$kernel" ||
		fail "cannot gunzip $VEC/hosts/arm64-debian/Image.gz"
fi
what="Debian's kernel on cvm-run's device tree"
start=$(date +%s)
"$QEMU" -M virt,gic-version=3 -cpu max -accel tcg -m 256M -smp 2 -nodefaults -no-user-config \
	-display none -monitor none -serial stdio -no-reboot -kernel "$kernel" \
	-append "console=ttyAMA0 earlycon panic=-1" -dtb "$tmp/cvm.dtb" >"$tmp/out" 2>"$tmp/err" &
qemu=$!
for _ in $(seq 1 600); do
	grep -q 'is a PL011 rev1' "$tmp/out" && break
	kill -0 $qemu 2>/dev/null || break
	sleep 0.2
done
kill $qemu 2>/dev/null
wait $qemu 2>/dev/null
tr -d '\r' <"$tmp/out" >"$tmp/log"
for re in '\] Machine model: cvm$' '\] earlycon: pl11 MMIO:0x0000000009000000' \
	'\] psci: PSCIv[0-9.]+ detected in firmware\.$' \
	'\] GICv3: CPU1: found redistributor 1 region 0:0x00000000080c0000$' \
	'\] arch_timer: cp15 timer running at [0-9.]+MHz \(virt\)\.$' \
	'\] SMP: Total of 2 processors activated\.$' \
	'\] 9000000\.serial: ttyAMA0 MMIO:0x0+9000000 \(irq = [0-9]+, base_baud = 0\) is a PL011 rev1$'; do
	grep -qE "$re" "$tmp/log" || { tail -n 40 "$tmp/log"; fail "$what: no line matching '$re'"; }
done
echo "$what: $(($(date +%s) - start)) s to its PL011 console"
echo "arm64 guest under TCG: QEMU's and cvm-run's device trees, vCPUs, initrd cksum, exit," \
	"pKVM refused, exceptions; Debian's kernel on cvm-run's device tree"

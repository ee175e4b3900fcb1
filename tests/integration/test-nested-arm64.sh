#!/usr/bin/env bash
# cvm-run on a real arm64 KVM in protected mode (pKVM) where this machine
# has none: Debian's arm64 kernel under qemu-system-aarch64's TCG with EL2
# and kvm-arm.mode=protected (nested-arm64.sh), running the arm64 cvm-run
# ($CVM_ARM64_BUILD, cross-built by make check): the test guest on
# guest_memfd with 1 and 2 vCPUs and an initrd, on anonymous memory, an
# MMIO access KVM cannot decode, a protected VM sharing a page with
# MEM_SHARE, host reads of a shared page and of one the guest kept (caught
# and reported), and Debian's kernel as a plain and as a protected guest up
# to its command line.  And, on that arm64 machine, where sanitizers run
# (under SAN=1 they do; under qemu-user they do not), the unit suites of
# the realm backend and its fake RMM (they need no KVM).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/nested-arm64.sh"

ARM64_BUILD=${CVM_ARM64_BUILD:-$BUILD-arm64}
IMAGE=$BUILD/guest-arm64/cvm-guest.Image
nested_arm64__need
[ -x "$ARM64_BUILD/cvm-run" ] ||
	skip "$ARM64_BUILD/cvm-run is not built: no arm64 cross compiler (make deps, make check)"
[ -f "$IMAGE" ] || skip "$IMAGE is not built: no aarch64-linux-gnu-gcc (make deps)"
dir=$BUILD/nested-arm64
nested_arm64__root "$dir"
nested_arm64__program "$ARM64_BUILD/cvm-run" "$dir/root"
[ -x "$ARM64_BUILD/cvm-unit" ] && [ -x "$ARM64_BUILD/cvm-measure" ] ||
	skip "$ARM64_BUILD/cvm-unit or cvm-measure is not built (make check builds them)"
nested_arm64__program "$ARM64_BUILD/cvm-unit" "$dir/root"
nested_arm64__program "$ARM64_BUILD/cvm-measure" "$dir/root"
mkdir -p "$dir/root/guest"
cp "$IMAGE" "$dir/root/guest/"
# The uncompressed Image, as test-guest-arm64-qemu and the unit tests keep it.
kernel=$BUILD/arm64-debian-Image
if [ ! -f "$kernel" ]; then
	gzip -dc "$NESTED_ARM64_KERNEL" >"$kernel.tmp" && mv "$kernel.tmp" "$kernel" ||
		fail "cannot gunzip $NESTED_ARM64_KERNEL"
fi
cp "$kernel" "$dir/root/guest/Image"
head -c 20000 /dev/urandom >"$dir/root/guest/initrd"
sum=$(cksum <"$dir/root/guest/initrd" | cut -d' ' -f1)
cmdline="console=ttyAMA0 earlycon panic=-1 cvm.test=$$"
# The second protected run peeks at the page the first one shared (the
# image is the same, so is the address), at the image's first page, which
# the guest ran from and kept, and at a page it never touched.
cat >"$dir/root/cases.sh" <<CASES
G="-k /guest/cvm-guest.Image -m 64 --timeout 60"
case_ uname uname -r
case_ kvm-mode sh -c "dmesg | grep 'kvm \\['"
case_ check cvm-run check
case_ gmem-1 cvm-run \$G -i /guest/initrd -p "cvmtest.initrd=$sum"
case_ gmem-2 cvm-run \$G -i /guest/initrd -c 2 -p "cvmtest.cpus=2 cvmtest.initrd=$sum"
case_ anon-exit cvm-run \$G --memory-backend anon -p "cvmtest.exit=7"
case_ nisv cvm-run \$G -p "cvmtest.nisv"
case_ pkvm cvm-run \$G --tee pkvm -i /guest/initrd -c 2 -p "cvmtest.pkvm cvmtest.cpus=2 cvmtest.initrd=$sum"
shared=\$(sed -n 's/^cvm-guest: pkvm granule [0-9]* shared //p' /tmp/out)
case_ pkvm-peek cvm-run \$G --tee pkvm -p "cvmtest.pkvm" --peek \$shared,0x40000000,0x43f00000
L="-k /guest/Image -m 256 --timeout 120"
case_ linux cvm-run \$L -p "$cmdline" --expect "Kernel command line: .*cvm.test=$$"
case_ linux-pkvm cvm-run \$L --tee pkvm -p "$cmdline" --expect "Kernel command line: .*cvm.test=$$"
for s in realm-plan fake-realm realm-launch; do
	case_ unit-\$s env CK_FORK=no CK_RUN_SUITE=\$s CVM_BUILD=/bin cvm-unit
done
CASES
nested_arm64__run "$dir" protected
log=$dir/console.log
echo "nested arm64 host: Linux $(sed -n 's/^uname: //p' "$log"), kvm-arm.mode=protected," \
	"/init at $NESTED_INIT_UPTIME s of L1 uptime, done after $NESTED_SECONDS s$NESTED_ARM64_REBOOTED"
status() { nested__status "$log" "$@"; }
line() { nested__line "$log" "$@"; }
match() { nested__match "$log" "$@"; }

status uname 0
match uname '7\.[0-9.]+\+deb[0-9]+-arm64$'
status kvm-mode 0
match kvm-mode '.*kvm \[[0-9]+\]: Protected (h|n)VHE mode initialized successfully$'

status check 0
line check "  plain, guest_memfd     yes"
line check "  pkvm                   yes: a protected VM was created (VM type 0x80000000)"
! grep -F "no mmap-able guest_memfd" "$log" || fail "a case fell back to anonymous memory"

# boot NAME CPUS: the test guest's verdict and what it saw.
boot() {
	status "$1" 0
	line "$1" "cvm-guest: hello (arm64 entry at EL1)"
	line "$1" "cvm-guest: memory 0x0000000040000000-0x0000000044000000"
	line "$1" "cvm-guest: dt cpus $2 psci hvc uart 0x9000000 debug-exit 0x9100000"
	line "$1" "cvm-guest: cpus $2 of $2"
	line "$1" "cvm-guest: initrd 20000 bytes cksum $sum ok"
	line "$1" "cvm-guest: verdict PASS"
}
boot gmem-1 1
boot gmem-2 2
status anon-exit 7
line anon-exit "cvm-guest: exit 7"

# No syndrome to decode: cvm-run stops and says where, the instruction read
# from guest memory (a plain VM's is all the host's).
status nisv 1
match nisv "cvm-guest: nisv at 0x0000000040[0-9a-f]{6} \(image\)$"
pc=$(sed -n 's/^nisv: cvm-guest: nisv at 0x0*\([0-9a-f]*\) (image)$/\1/p' "$log")
line nisv "cvm-run: vCPU 0: MMIO access at 0x9000000 with no instruction syndrome (ESR ISS 0x5), not emulated, at PC 0x$pc, instruction 0xa9400400"

boot pkvm 2
match pkvm "cvm-guest: pkvm granule 4096 shared 0x0000000040[0-9a-f]{3}000$"
shared=$(sed -n 's/^pkvm: cvm-guest: pkvm granule 4096 shared 0x0*//p' "$log")
status pkvm-peek 0
line pkvm-peek "cvm-guest: pkvm granule 4096 shared 0x00000000$shared"
line pkvm-peek "cvm-guest: verdict PASS"
line pkvm-peek "cvm-run: peek 0x$shared: 63 76 6d 2d 67 75 65 73 74 20 73 68 61 72 65 64  |cvm-guest shared|"
line pkvm-peek "cvm-run: peek 0x40000000: 0x40000000 was not shared by the guest (the host's read faulted)"
line pkvm-peek "cvm-run: peek 0x43f00000: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|"

# Debian's kernel (the L1 kernel itself) as a guest, plain and protected.
for c in linux linux-pkvm; do
	status $c 0
	match $c "\[ +0\.000000\] Linux version 7\.[0-9.]+\+deb[0-9]+-arm64 "
	match $c "\[ +0\.000000\] Machine model: cvm$"
	match $c "\[ +0\.000000\] Kernel command line: $cmdline$"
done
# The realm suites, on a real arm64 kernel: every test of each ran (the
# count is that of its source's tcase_add_test lines).
for s in realm-plan fake-realm realm-launch; do
	status "unit-$s" 0
	n=$(grep -c 'tcase_add_test' "$here/../unit/test-$s.c")
	line "unit-$s" "100%: Checks: $n, Failures: 0, Errors: 0"
done
grep "^== status " "$log" | sed 's/^== status /  /'

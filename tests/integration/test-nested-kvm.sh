#!/usr/bin/env bash
# cvm-run on a real KVM, whatever this machine has: the 7.3 host kernel of
# ../shared/vectors/hosts/x86_64-swprot under QEMU TCG with emulated SVM
# (nested-x86.sh), and nested-init.sh's cases inside it: private memory
# and conversions on a software-protected VM, the same guest refused on a
# plain VM, the boot cases on guest_memfd and anonymous memory, exit
# statuses, Debian's kernel up to its Memory: line, and the same kernel to
# userspace on 2 vCPUs by a direct PVH boot and through Debian's OVMF.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/real-kernel.sh"
. "$here/nested-x86.sh"

nested__need
for f in "$RUN" "$BUILD/guest/cvm-guest.elf" "$BUILD/guest/cvm-guest.bzimage"; do
	[ -f "$f" ] || fail "$f is missing (make all)"
done
dir=$BUILD/nested
mkdir -p "$dir"
nested__root "$dir"
real_kernel__prepare "$dir"
mv "$dir/vmlinux" "$dir/root/guest/vmlinux"
cp "$RK_INITRD" "$dir/root/guest/real-initrd"
# Userspace: lean console (loglevel 6 still prints the banner and the
# command line), the firmware and the bzImage for fw_cfg.
LK_CMDLINE="console=ttyS0 loglevel=6 cvm.test=$$"
real_kernel__initramfs "$dir/root/guest/linux-initrd"
cp "$VEC/firmware/bookworm_OVMF.fd" "$dir/root/guest/OVMF.fd"
cp "$RK_VMLINUZ" "$dir/root/guest/vmlinuz"
printf '%s=%q\n' RK_CMDLINE "$RK_CMDLINE" RK_MEM "$RK_MEM" RK_EXPECT "$RK_EXPECT" \
	LK_CMDLINE "$LK_CMDLINE" >"$dir/root/real-kernel.env"
head -c 20000 /dev/urandom >"$dir/root/initrd"
sum=$(cksum <"$dir/root/initrd" | cut -d' ' -f1)
echo "$sum" >"$dir/root/initrd.cksum"
nested__run "$dir" "$here/nested-init.sh"
echo "nested run: $NESTED_SECONDS s"
log=$dir/console.log
status() { nested__status "$log" "$@"; }
line() { nested__line "$log" "$@"; }

status check 0
line check "guest_memfd            yes, flags 0x3 (MMAP INIT_SHARED)"
line check "  plain, guest_memfd     yes"
line check "  sw-protected           yes: VM type 1, attributes 0x8, guest_memfd flags 0x1"
! grep -F "no mmap-able guest_memfd" "$log" || fail "a case fell back to anonymous memory"

# Private memory on a real kernel: a page made private reads zeros, its
# data is gone after a round trip, bogus ranges are refused, and 10,000
# random conversions from 4 vCPUs keep every page as the rule says.
status convert-swprot 0
for l in "convert accepted" "convert private page reads zeros: ok" \
	"convert private data gone after a round trip: ok" "convert bogus ranges refused: ok" \
	"cpus 4 of 4" "convert 10000 random on 4 cpus: ok" "verdict PASS"; do
	line convert-swprot "cvm-guest: $l"
done
# The same guest on a plain VM: every conversion refused, no data lost.
status convert-plain 0
for l in "convert refused (ret 22)" "convert data kept after the refusal: ok" \
	"convert bogus ranges refused: ok" "convert 1000 random on 2 cpus: all refused, data intact" \
	"verdict PASS"; do
	line convert-plain "cvm-guest: $l"
done

# boot NAME ENTRY CPUS: case NAME booted the test guest through ENTRY on
# CPUS vCPUs, with the initrd.
boot() {
	status "$1" 0
	line "$1" "cvm-guest: hello ($2 entry)"
	line "$1" "cvm-guest: cmdline \"cvmtest.cpus=$3 cvmtest.initrd=$sum\""
	line "$1" "cvm-guest: initrd 20000 bytes cksum $sum ok"
	line "$1" "cvm-guest: cpus $3 of $3"
	line "$1" "cvm-guest: verdict PASS"
}
boot swprot-boot linux64 2
for image in elf bzimage; do
	case $image in elf) entry=pvh ;; bzimage) entry=linux64 ;; esac
	for cpus in 1 4; do
		boot "$image-$cpus" $entry $cpus
	done
done
boot anon pvh 2
status exit7 7
status expect 0
for g in garbage garbage-swprot garbage-hc; do
	status $g 0
	line $g "cvm-guest: garbage done"
done
line garbage "cvm-guest: garbage on 2 cpus"
line garbage-swprot "cvm-guest: garbage on 4 cpus"
line garbage-hc "cvm-guest: garbage on 4 cpus"
status timeout 124
line timeout "cvm-run: timeout after 0.05 s"
status real-kernel 0
sed -n 's/^real-kernel: //p' "$log" >"$dir/real-kernel.log"
real_kernel__check "$dir/real-kernel.log"
# Debian's kernel to userspace on 2 vCPUs: ACPI in guest memory (PVH), and
# through OVMF, which reads kernel, initrd and command line from fw_cfg and
# appends " initrd=initrd" (its loader's, as under QEMU -kernel -initrd).
status linux-pvh 0
real_kernel__userspace "$log" linux-pvh "$LK_CMDLINE" 2
status linux-ovmf 0
real_kernel__userspace "$log" linux-ovmf "$LK_CMDLINE initrd=initrd" 2
grep "^== status " "$log" | sed 's/^== status /  /'

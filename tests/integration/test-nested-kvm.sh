#!/usr/bin/env bash
# cvm-run on a real KVM, whatever this machine has: the 7.3 host kernel of
# ../shared/vectors/hosts/x86_64-swprot under QEMU TCG with emulated SVM
# (nested-x86.sh), and nested-init.sh's cases inside it: private memory
# and conversions on a software-protected VM, the same guest refused on a
# plain VM, the boot cases on guest_memfd and anonymous memory, exit
# statuses, and Debian's kernel up to its Memory: line.
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
printf 'RK_%s=%q\n' CMDLINE "$RK_CMDLINE" MEM "$RK_MEM" EXPECT "$RK_EXPECT" \
	>"$dir/root/real-kernel.env"
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
status garbage 0
line garbage "cvm-guest: garbage done"
status timeout 124
line timeout "cvm-run: timeout after 0.05 s"
status real-kernel 0
sed -n 's/^real-kernel: //p' "$log" >"$dir/real-kernel.log"
real_kernel__check "$dir/real-kernel.log"
grep "^== status " "$log" | sed 's/^== status /  /'

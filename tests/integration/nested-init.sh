#!/bin/sh
# /init of the nested-KVM initramfs (test-nested-kvm.sh builds it): loads
# KVM, runs cvm-run's boot cases (the test guest, then Debian's kernel up to
# its Memory: line) on guest_memfd when this kernel has it, prints each one's
# output prefixed with its name and "== status NAME N", then powers off.
# shellcheck disable=SC2086 # $gmem and $mem: no word or two, unquoted
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# The initramfs has no /dev/console for the kernel to open: the serial line.
exec </dev/console >/dev/console 2>&1
mount -t tmpfs tmp /tmp

for m in irqbypass ccp kvm kvm-amd; do
	insmod "/lib/modules/$m.ko" || echo "== insmod $m failed"
done

guest=/guest/cvm-guest
sum=$(cat /initrd.cksum)

# case NAME ARGS...: one cvm-run; its stdout and stderr as whole lines (the
# guest's last one may have no newline), then its status.
case_() {
	name=$1
	shift
	echo "== case $name"
	start=$(date +%s)
	cvm-run "$@" >/tmp/out 2>/tmp/err
	st=$?
	awk -v p="$name: " '{ print p $0 }' /tmp/out /tmp/err
	echo "== status $name $st ($(($(date +%s) - start)) s)"
}

case_ check check
# The boot cases run on guest_memfd when this KVM offers it with
# MMAP|INIT_SHARED (check's line above; strict: status 3 if it cannot be
# used after all), else they ask for no backend: the fallback to anonymous
# memory, and its notice, are part of what they check.  The anon case runs
# the other backend either way; the other cases run on guest_memfd if any.
if grep -q '^guest_memfd .*MMAP INIT_SHARED' /tmp/out; then
	gmem="--memory-backend guest-memfd" mem=$gmem
else
	gmem="" mem="--memory-backend anon"
fi
for image in elf bzimage; do
	for cpus in 1 4; do
		case_ "$image-$cpus" -k "$guest.$image" -i /initrd -c "$cpus" -m 256M \
			-p "cvmtest.cpus=$cpus cvmtest.initrd=$sum" $gmem --timeout 300
	done
done
case_ anon -k "$guest.elf" -i /initrd -c 2 -m 256M -p "cvmtest.cpus=2 cvmtest.initrd=$sum" \
	--memory-backend anon --timeout 300
case_ exit7 -k "$guest.elf" -p "cvmtest.exit=7" $mem --timeout 300
case_ expect -k "$guest.elf" -p "cvmtest.exit=5" --expect "cvm-guest: hello" $mem --timeout 300
case_ garbage -k "$guest.elf" -c 2 -p "cvmtest.garbage=2000 cvmtest.cpus=2" $mem --timeout 300
case_ timeout -k "$guest.elf" -p "cvmtest.garbage=1000000" --timeout 0.05 $mem
. /real-kernel.env
case_ real-kernel -k /guest/vmlinux -i /guest/real-initrd -m "$RK_MEM" -p "$RK_CMDLINE" \
	$mem --timeout 300 --expect "$RK_EXPECT"
echo "== done"
poweroff -f

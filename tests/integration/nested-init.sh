#!/bin/sh
# /init of the nested-KVM initramfs (test-nested-kvm.sh builds it): loads
# KVM, runs cvm-run's boot cases (the test guest, then Debian's kernel up to
# its Memory: line), prints each one's output prefixed with its
# name and "== status NAME N", then powers off.
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
# The boot cases ask for no backend: the fallback to anonymous memory, and its
# notice, are part of what they check.
for image in elf bzimage; do
	for cpus in 1 4; do
		case_ "$image-$cpus" -k "$guest.$image" -i /initrd -c "$cpus" -m 256M \
			-p "cvmtest.cpus=$cpus cvmtest.initrd=$sum" --timeout 300
	done
done
case_ exit7 -k "$guest.elf" -p "cvmtest.exit=7" --memory-backend anon --timeout 300
case_ expect -k "$guest.elf" -p "cvmtest.exit=5" --expect "cvm-guest: hello" \
	--memory-backend anon --timeout 300
case_ garbage -k "$guest.elf" -c 2 -p "cvmtest.garbage=2000 cvmtest.cpus=2" \
	--memory-backend anon --timeout 300
case_ timeout -k "$guest.elf" -p "cvmtest.garbage=1000000" --timeout 0.05 \
	--memory-backend anon
. /real-kernel.env
case_ real-kernel -k /guest/vmlinux -i /guest/real-initrd -m "$RK_MEM" -p "$RK_CMDLINE" \
	--memory-backend anon --timeout 300 --expect "$RK_EXPECT"
echo "== done"
poweroff -f

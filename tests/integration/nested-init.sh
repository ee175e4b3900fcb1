#!/bin/sh
# /init of the nested-KVM initramfs (test-nested-kvm.sh builds it): runs
# cvm-run's cases on the L1 kernel's real KVM, each one's output prefixed
# with its name and followed by "== status NAME N (S s)", then powers off.
# shellcheck disable=SC2086
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
# The initramfs has no /dev/console for the kernel to open: the serial line.
exec </dev/console >/dev/console 2>&1
mount -t tmpfs tmp /tmp

guest=/guest/cvm-guest
sum=$(cat /initrd.cksum)
gmem="--memory-backend guest-memfd"
# cvm-run refuses to run unfiltered on a kernel without seccomp (exit 3)
# unless told: the vectors' 7.3 host is built without CONFIG_SECCOMP.
nosec=
grep -q '^Seccomp:' /proc/self/status || nosec=--no-seccomp

# case NAME ARGS...: one cvm-run; its stdout and stderr as whole lines (the
# guest's last one may have no newline), then its status.
case_() {
	name=$1
	shift
	echo "== case $name"
	start=$(date +%s)
	if [ "$1" = check ]; then
		cvm-run "$@" >/tmp/out 2>/tmp/err
	else
		cvm-run $nosec "$@" >/tmp/out 2>/tmp/err
	fi
	st=$?
	awk -v p="$name: " '{ print p $0 }' /tmp/out /tmp/err
	echo "== status $name $st ($(($(date +%s) - start)) s)"
}

case_ check check
# Private memory: the conversion guest on a software-protected VM, then the
# same guest on a plain VM, whose conversions must all be refused.
case_ convert-swprot --tee sw-protected -k "$guest.elf" -c 4 -m 256M \
	-p "cvmtest.cpus=4 cvmtest.convert=10000" --timeout 600
case_ convert-plain -k "$guest.elf" -c 2 -m 256M -p "cvmtest.cpus=2 cvmtest.convert=1000" \
	$gmem --timeout 300
case_ swprot-boot --tee sw-protected -k "$guest.bzimage" -i /initrd -c 2 -m 256M \
	-p "cvmtest.cpus=2 cvmtest.initrd=$sum" --timeout 300
for image in elf bzimage; do
	for cpus in 1 4; do
		case_ "$image-$cpus" -k "$guest.$image" -i /initrd -c "$cpus" -m 256M \
			-p "cvmtest.cpus=$cpus cvmtest.initrd=$sum" $gmem --timeout 300
	done
done
case_ anon -k "$guest.elf" -i /initrd -c 2 -m 256M -p "cvmtest.cpus=2 cvmtest.initrd=$sum" \
	--memory-backend anon --timeout 300
case_ exit7 -k "$guest.elf" -p "cvmtest.exit=7" $gmem --timeout 300
case_ expect -k "$guest.elf" -p "cvmtest.exit=5" --expect "cvm-guest: hello" $gmem --timeout 300
case_ garbage -k "$guest.elf" -c 2 -p "cvmtest.garbage=2000 cvmtest.cpus=2" $gmem --timeout 300
# Hostile conversions from 4 vCPUs at once, on both memory models (under
# ASan in make check SAN=1).  Their fw_cfg DMA writes reach no device: a
# direct boot has none (hostile descriptors: test-fw-cfg, test-vm-pc and
# fuzz-fw-cfg).
hostile="cvmtest.garbage=4000 cvmtest.cpus=4 cvmtest.garbage-hc=1"
case_ garbage-swprot --tee sw-protected -k "$guest.elf" -c 4 -m 256M -p "$hostile" --timeout 300
case_ garbage-hc -k "$guest.elf" -c 4 -m 256M -p "$hostile" $gmem --timeout 300
case_ timeout -k "$guest.elf" -p "cvmtest.garbage=1000000" --timeout 0.05 $gmem
. /real-kernel.env
case_ real-kernel -k /guest/vmlinux -i /guest/real-initrd -m "$RK_MEM" -p "$RK_CMDLINE" \
	$gmem --timeout 300 --expect "$RK_EXPECT"
# Debian's kernel to userspace and poweroff on 2 vCPUs.  This KVM under
# QEMU TCG never fires a TSC-deadline timer (the kernel is shown none and
# uses the LAPIC timer's one-shot mode), and its XSAVE sizes disagree (a
# warning with 60 lines of CPUID dump on a slow console: XSAVE is hidden).
linux="-i /guest/linux-initrd -c 2 -m 256M --cpuid-disable tsc_deadline_timer,xsave $gmem"
linux="$linux --timeout 300"
case_ linux-pvh -k /guest/vmlinux $linux -p "$LK_CMDLINE"
# QEMU 7.2's TCG aborts when a nested guest writes CR8 while KVM has an
# interrupt window open (cpu_interrupt without the BQL), and OVMF's
# interrupt stubs write CR8 on every return: at one tick a second instead
# of 100 (KVM's floor for periodic LAPIC timers) that race is left rare.
period=/sys/module/kvm/parameters/min_timer_period_us
was=$(cat $period)
echo 1000000 >$period
case_ linux-ovmf --firmware /guest/OVMF.fd -k /guest/vmlinuz $linux -p "$LK_CMDLINE"
echo "$was" >$period
echo "== done"
poweroff -f

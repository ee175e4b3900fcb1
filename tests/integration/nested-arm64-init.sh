#!/bin/sh
# /init of the nested arm64 host's initramfs (nested-arm64.sh builds it):
# runs the cases of /cases.sh, each "case_ NAME COMMAND [ARGS...]", and
# prints on the serial line, for the host to check:
#   == init UPTIME           seconds since the L1 kernel started, at /init
#   == case NAME
#   NAME: LINE               each line of the command's stdout, then stderr
#   == status NAME N (T s)   its exit status and wall time
#   == done
# then powers off (PSCI SYSTEM_OFF: QEMU exits).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# The initramfs has no /dev/console for the kernel to open: the serial line.
exec </dev/console >/dev/console 2>&1
mount -t tmpfs tmp /tmp
echo "== init $(cut -d' ' -f1 /proc/uptime)"

case_() {
	name=$1
	shift
	echo "== case $name"
	start=$(date +%s)
	"$@" >/tmp/out 2>/tmp/err
	st=$?
	awk -v p="$name: " '{ print p $0 }' /tmp/out /tmp/err
	echo "== status $name $st ($(($(date +%s) - start)) s)"
}

. /cases.sh
echo "== done"
poweroff -f

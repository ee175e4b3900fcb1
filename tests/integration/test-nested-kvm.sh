#!/usr/bin/env bash
# cvm-run on a real KVM where this host has none: Debian's kernel boots under
# QEMU's TCG with emulated AMD SVM, loads kvm-amd, and runs nested-init.sh,
# which boots the test guest and Debian's kernel through cvm-run (anonymous
# memory: the 6.1 kernel has no guest_memfd). Every case's status and lines
# are checked here.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/real-kernel.sh"

QEMU=qemu-system-x86_64
[ ! -e /dev/kvm ] || skip "/dev/kvm exists: the direct boot tests cover cvm-run"
command -v "$QEMU" >/dev/null || skip "$QEMU is not installed"
for f in "$RUN" "$BUILD/guest/cvm-guest.elf" "$BUILD/guest/cvm-guest.bzimage"; do
	[ -f "$f" ] || fail "$f is missing (make all)"
done

dir=$BUILD/nested
mkdir -p "$dir"
cd "$dir" || fail "cannot enter $dir"
if ! ls linux-image-*.deb busybox-static_*.deb >/dev/null 2>&1; then
	kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	       awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	[ -n "$kpkg" ] || skip "apt knows no linux-image-amd64 (apt-get update?)"
	apt-get download "$kpkg" busybox-static >apt.log 2>&1 ||
		skip "apt-get download $kpkg busybox-static failed: $(tail -n 1 apt.log)"
fi
rm -rf pkg root
mkdir -p pkg root/bin root/lib/modules root/guest root/proc root/sys root/dev root/tmp
# Only the files the initramfs needs (the kernel package unpacks to 400 MB).
for deb in linux-image-*.deb busybox-static_*.deb; do
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C pkg --wildcards './boot/vmlinuz-*' \
		'*/irqbypass.ko' '*/ccp.ko' '*/kvm.ko' '*/kvm-amd.ko' './bin/busybox' 2>/dev/null
done
kernel=$(ls pkg/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$kernel" ] && [ -x pkg/bin/busybox ] || fail "no vmlinuz or busybox in the packages of $dir"

# The initramfs: busybox, the KVM modules, cvm-run with its libraries, the
# test guest and an initrd whose cksum the guest checks.
busybox=pkg/bin/busybox
cp "$busybox" root/bin/
for a in $("$busybox" --list | grep -vx busybox); do ln -s busybox "root/bin/$a"; done
for m in irqbypass ccp kvm kvm-amd; do
	ko=$(find pkg/lib/modules -name "$m.ko" | head -n 1)
	[ -n "$ko" ] || fail "no $m.ko in the kernel package"
	cp "$ko" root/lib/modules/
done
cp "$RUN" root/bin/
for lib in $(ldd "$RUN" | grep -o '/[^ ]*'); do
	mkdir -p "root$(dirname "$lib")"
	cp -L "$lib" "root$lib"
done
cp "$BUILD"/guest/cvm-guest.{elf,bzimage} root/guest/
# The real-kernel case: its vmlinux, initrd and cvm-run options.
real_kernel__prepare "$dir"
mv vmlinux root/guest/vmlinux
cp "$RK_INITRD" root/guest/real-initrd
printf 'RK_%s=%q\n' CMDLINE "$RK_CMDLINE" MEM "$RK_MEM" EXPECT "$RK_EXPECT" >root/real-kernel.env
head -c 20000 /dev/urandom >root/initrd
sum=$(cksum <root/initrd | cut -d' ' -f1)
echo "$sum" >root/initrd.cksum
install -m 755 "$here/nested-init.sh" root/init
(cd root && find . | "../$busybox" cpio -o -H newc 2>/dev/null | gzip -1) >initramfs.gz ||
	fail "cannot pack the initramfs"

# One L1 CPU: with -smp 2, QEMU 7.2's TCG locks the L1 kernel up in about one
# boot in seven (soft lockups in the scheduler and at iret, whatever L2 runs).
start=$(date +%s)
timeout 600 "$QEMU" -accel tcg -cpu EPYC,+svm -smp 1 -m 2G -display none -serial stdio \
	-no-reboot -kernel "$kernel" -initrd initramfs.gz \
	-append "console=ttyS0 panic=-1 quiet" </dev/null >serial.log 2>qemu.log
st=$?
echo "nested run: QEMU status $st after $(($(date +%s) - start)) s"
# The serial line ends lines with CR LF.
tr -d '\r' <serial.log >console.log
[ $st -eq 0 ] || { tail -n 30 console.log; fail "QEMU status $st (output in $dir/console.log)"; }

# status NAME N: cvm-run exited N in case NAME.
status() {
	grep -q "^== status $1 $2 (" console.log ||
		{ grep -A 20 "^== case $1\$" console.log; fail "$1: no exit status $2"; }
}
# line NAME TEXT: case NAME printed the whole line TEXT.
line() {
	grep -qxF "$1: $2" console.log || { grep -A 20 "^== case $1\$" console.log; fail "$1: no line '$2'"; }
}

grep -q "^== done" console.log || { tail -n 30 console.log; fail "the nested run did not finish"; }
! grep -q "^== insmod" console.log || fail "$(grep "^== insmod" console.log)"
status check 0
line check "  plain, anonymous       yes"
for image in elf bzimage; do
	case $image in elf) entry=pvh ;; bzimage) entry=linux64 ;; esac
	for cpus in 1 4; do
		name=$image-$cpus
		status "$name" 0
		line "$name" "cvm-run: no mmap-able guest_memfd on this host; guest RAM is anonymous memory"
		line "$name" "cvm-guest: hello ($entry entry)"
		line "$name" "cvm-guest: cmdline \"cvmtest.cpus=$cpus cvmtest.initrd=$sum\""
		line "$name" "cvm-guest: initrd 20000 bytes cksum $sum ok"
		line "$name" "cvm-guest: cpus $cpus of $cpus"
		line "$name" "cvm-guest: verdict PASS"
	done
done
status exit7 7
status expect 0
status garbage 0
line garbage "cvm-guest: garbage done"
status timeout 124
line timeout "cvm-run: timeout after 0.05 s"
status real-kernel 0
sed -n 's/^real-kernel: //p' console.log >real-kernel.log
real_kernel__check real-kernel.log
grep "^== status real-kernel " console.log

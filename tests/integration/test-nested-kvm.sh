#!/usr/bin/env bash
# cvm-run on a real KVM where this host has none: a Debian kernel boots under
# QEMU's TCG with emulated AMD SVM, loads kvm-amd, and runs nested-init.sh,
# which boots the test guest and Debian's kernel through cvm-run.  The kernel
# is sid's (>= 6.18: guest RAM on guest_memfd) when its packages can be
# fetched, else the system's linux-image-amd64 (bookworm's 6.1: anonymous
# memory, with the fallback notice); CVM_NESTED_SID=0 skips sid.  Every
# case's status and lines are checked here.
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

# kernel__download APT-OPTION...: linux-image-amd64's kernel package and the
# packages it is split into (sid: linux-binary-*, linux-modules-*) into the
# current directory; else says why.
kernel__download() {
	local kpkg parts
	kpkg=$(apt-cache "$@" depends linux-image-amd64 2>/dev/null |
	       awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	[ -n "$kpkg" ] || { echo "apt knows no linux-image-amd64 (apt-get update?)"; return 1; }
	parts=$(apt-cache "$@" depends "$kpkg" | awk '/Depends: linux-(binary|modules)-[0-9]/ { print $2 }')
	# shellcheck disable=SC2086 # one word per package
	timeout 300 apt-get "$@" download "$kpkg" $parts >apt.log 2>&1 ||
		{ echo "apt-get download $kpkg $parts failed: $(tail -n 1 apt.log)"; return 1; }
}

# sid__fetch: sid's kernel through a private apt state in ./apt (the
# system's apt configuration is left alone); ./ok marks a complete set.
sid__fetch() {
	local a=$PWD/apt
	mkdir -p apt/lists/partial apt/cache/archives/partial
	echo "deb http://deb.debian.org/debian sid main" >apt/sources.list
	set -- -o Dir::Etc::sourcelist="$a/sources.list" -o Dir::Etc::sourceparts=- \
		-o Dir::State::Lists="$a/lists" -o Dir::Cache="$a/cache"
	timeout 120 apt-get "$@" --error-on=any update -qq >apt.log 2>&1 ||
		{ echo "apt-get update failed: $(grep -m 1 '^[WE]:' apt.log)"; return 1; }
	kernel__download "$@" && touch ok
}

kdir=
if [ "${CVM_NESTED_SID:-1}" != 0 ]; then
	mkdir -p sid
	if [ -f sid/ok ] || why=$(cd sid && sid__fetch); then
		kdir=sid
	else
		echo "nested kernel: sid's cannot be fetched ($why); the system's instead"
	fi
fi
if [ -z "$kdir" ]; then
	kdir=system
	mkdir -p system
	[ -f system/ok ] || why=$(cd system && kernel__download && touch ok) || skip "$why"
fi
if ! ls busybox-static_*.deb >/dev/null 2>&1; then
	apt-get download busybox-static >apt.log 2>&1 ||
		skip "apt-get download busybox-static failed: $(tail -n 1 apt.log)"
fi
rm -rf pkg root
mkdir -p pkg root/bin root/lib/modules root/guest root/proc root/sys root/dev root/tmp
# Only the files the initramfs needs (the kernel packages unpack to 400 MB);
# bookworm's modules are plain .ko, sid's .ko.xz.
mods="irqbypass ccp kvm kvm-amd"
for deb in "$kdir"/*.deb busybox-static_*.deb; do
	# shellcheck disable=SC2046 # one pattern per module
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C pkg --wildcards '*/vmlinuz*' './bin/busybox' \
		$(for m in $mods; do echo "*/$m.ko*"; done) 2>/dev/null
done
kernel=$(find pkg -name 'vmlinuz*' | head -n 1)
[ -n "$kernel" ] && [ -x pkg/bin/busybox ] || fail "no vmlinuz or busybox in the packages of $dir"
# The initramfs: busybox, the KVM modules, cvm-run with its libraries, the
# test guest and an initrd whose cksum the guest checks.
busybox=pkg/bin/busybox
cp "$busybox" root/bin/
for a in $("$busybox" --list | grep -vx busybox); do ln -s busybox "root/bin/$a"; done
for m in $mods; do
	ko=$(find pkg -path '*/lib/modules/*' -name "$m.ko*" | head -n 1)
	# busybox's insmod reads no compressed module.
	case $ko in
	*.ko) cp "$ko" "root/lib/modules/$m.ko" ;;
	*.ko.xz) xz -dc "$ko" >"root/lib/modules/$m.ko" ;;
	*.ko.zst) zstd -dcq "$ko" >"root/lib/modules/$m.ko" ;;
	*) fail "no $m.ko in the kernel packages of $dir/$kdir" ;;
	esac || fail "cannot decompress $ko"
done
# The kernel's release from its modules' directory: guest_memfd with
# MMAP|INIT_SHARED (KVM_CAP_GUEST_MEMFD_FLAGS) needs 6.18.
release=$(find pkg -path '*/lib/modules/*' -name 'kvm.ko*' | sed 's,.*/lib/modules/\([^/]*\)/.*,\1,')
IFS=. read -r major minor _ <<<"$release"
if [ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 18 ]; }; then
	gmem=1 ram="guest_memfd"
else
	gmem=0 ram="anonymous memory (no guest_memfd before 6.18)"
fi
echo "nested kernel: Linux $release ($kdir), guest RAM on $ram"
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
# With guest_memfd the boot cases ask for it (strict: status 3 without it)
# and no case falls back; without it they ask for nothing and fall back.
notice="cvm-run: no mmap-able guest_memfd on this host; guest RAM is anonymous memory"
if [ $gmem = 1 ]; then
	line check "guest_memfd            yes, flags 0x3 (MMAP INIT_SHARED)"
	line check "  plain, guest_memfd     yes"
	! grep -F "$notice" console.log || fail "a case fell back to anonymous memory"
fi
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
for image in elf bzimage; do
	case $image in elf) entry=pvh ;; bzimage) entry=linux64 ;; esac
	for cpus in 1 4; do
		boot "$image-$cpus" $entry $cpus
		[ $gmem = 1 ] || line "$image-$cpus" "$notice"
	done
done
boot anon pvh 2
! grep -qxF "anon: $notice" console.log || fail "anon: the fallback notice"
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

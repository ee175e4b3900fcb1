# The nested x86 KVM host of make check, shared by the tests that run
# cvm-run on a real KVM where this machine has none it can use: the 7.3
# host kernel of ../shared/vectors/hosts/x86_64-swprot (KVM, kvm-amd and
# software-protected VMs built in: no modules) boots under QEMU TCG with
# emulated SVM, one L1 CPU, and its /init runs a case script.
# shellcheck shell=bash

NESTED_KERNEL=$VEC/hosts/x86_64-swprot/bzImage
QEMU_X86=qemu-system-x86_64

# nested__need: SKIPs with the reason when the host kernel or QEMU is missing.
nested__need() {
	command -v "$QEMU_X86" >/dev/null || skip "$QEMU_X86 is not installed"
	[ -f "$NESTED_KERNEL" ] || skip "$NESTED_KERNEL is missing"
	command -v busybox >/dev/null || skip "busybox is not installed (Debian busybox-static)"
}

# nested__root DIR: a fresh initramfs tree in DIR/root with busybox, cvm-run
# and its libraries, and the test guest in /guest.
nested__root() {
	local dir=$1 bb lib
	bb=$(command -v busybox)
	rm -rf "$dir/root"
	mkdir -p "$dir"/root/{bin,guest,proc,sys,dev,tmp}
	cp "$bb" "$dir/root/bin/busybox"
	for a in $("$bb" --list | grep -vx busybox); do ln -s busybox "$dir/root/bin/$a"; done
	cp "$RUN" "$dir/root/bin/"
	for lib in $(ldd "$RUN" | grep -o '/[^ ]*'); do
		mkdir -p "$dir/root$(dirname "$lib")"
		cp -L "$lib" "$dir/root$lib"
	done
	cp "$BUILD"/guest/cvm-guest.{elf,bzimage} "$dir/root/guest/"
}

# nested__run DIR INIT: packs DIR/root with INIT as /init, boots it, and
# leaves the serial output (LF line ends) in DIR/console.log.  Fails when
# QEMU fails or the script does not print "== done".
nested__run() {
	local dir=$1 init=$2 start st
	install -m 755 "$init" "$dir/root/init"
	nested__pack "$dir"
	start=$(date +%s)
	# One L1 CPU: QEMU 7.2's TCG locks a 2-CPU L1 up now and then.
	timeout 900 "$QEMU_X86" -accel tcg -cpu EPYC,+svm -smp 1 -m 2G -display none \
		-serial stdio -no-reboot -nodefaults -kernel "$NESTED_KERNEL" \
		-initrd "$dir/initramfs.gz" -append "console=ttyS0 panic=-1 quiet" \
		</dev/null >"$dir/serial.log" 2>"$dir/qemu.log"
	st=$?
	NESTED_SECONDS=$(($(date +%s) - start))
	nested__finish "$dir" $st
}

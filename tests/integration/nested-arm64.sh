# The nested arm64 KVM host, for the tests that run on a real arm64 KVM
# where this machine has none: Debian's arm64 kernel
# ($VEC/hosts/arm64-debian/Image.gz: KVM, PL011 and initramfs support built
# in) under qemu-system-aarch64's TCG with EL2 (virtualization=on), in a
# busybox:arm64 initramfs whose /init (nested-arm64-init.sh) runs the cases
# of /cases.sh and reports them as nested__status/line/match (lib.sh) read.
#
#   nested_arm64__need        SKIPs with the reason when something is missing
#   nested_arm64__root DIR    a fresh tree in DIR/root: busybox:arm64, /init,
#                             an empty /cases.sh; the caller adds its files
#                             and "case_ NAME COMMAND [ARGS...]" lines
#   nested_arm64__program BIN DIR  an arm64 program and its libraries
#                             into the tree DIR (ldd cannot read a cross
#                             binary: readelf's NEEDED, resolved in the
#                             multiarch directories of the arm64 packages)
#   nested_arm64__run DIR MODE  packs and boots with kvm-arm.mode=MODE
#                             (protected, nvhe; "" for the default, VHE):
#                             DIR/console.log, $NESTED_SECONDS (wall),
#                             $NESTED_INIT_UPTIME (L1's uptime at /init);
#                             a boot that ends in an emulated SError panic
#                             is run once more ($NESTED_ARM64_REBOOTED says so)
# shellcheck shell=bash

NESTED_ARM64_KERNEL=$VEC/hosts/arm64-debian/Image.gz
QEMU_ARM64=qemu-system-aarch64

nested_arm64__need() {
	command -v "$QEMU_ARM64" >/dev/null || skip "$QEMU_ARM64 is not installed (Debian qemu-system-arm)"
	[ -f "$NESTED_ARM64_KERNEL" ] || skip "$NESTED_ARM64_KERNEL is missing"
	command -v busybox >/dev/null || skip "busybox is not installed (Debian busybox-static)"
	dpkg --print-foreign-architectures | grep -qx arm64 ||
		skip "dpkg has no arm64 architecture for busybox-static:arm64 (make deps adds it, as root)"
}

# nested_arm64__busybox DIR: busybox-static:arm64's binary in DIR/pkg, the
# package fetched once into DIR; else the reason.
nested_arm64__busybox() {
	local deb
	deb=$(ls "$1"/busybox-static_*_arm64.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		(cd "$1" && apt-get download busybox-static:arm64 >apt.log 2>&1) ||
			{ echo "apt-get download busybox-static:arm64 failed: $(grep -m 1 '^E:' "$1/apt.log")"
			  return 1; }
		deb=$(ls "$1"/busybox-static_*_arm64.deb | head -n 1)
	fi
	rm -rf "$1/pkg"
	mkdir -p "$1/pkg"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$1/pkg" ./bin/busybox ||
		{ echo "no bin/busybox in $deb"; return 1; }
}

nested_arm64__root() {
	local dir=$1 why
	mkdir -p "$dir"
	why=$(nested_arm64__busybox "$dir") || skip "$why"
	rm -rf "$dir/root"
	mkdir -p "$dir"/root/{bin,proc,sys,dev,tmp}
	cp "$dir/pkg/bin/busybox" "$dir/root/bin/"
	ln -s busybox "$dir/root/bin/sh"
	install -m 755 "$(dirname "${BASH_SOURCE[0]}")/nested-arm64-init.sh" "$dir/root/init"
	: >"$dir/root/cases.sh"
}

NESTED_ARM64_LIBDIRS="/lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/aarch64-linux-gnu/lib"

# nested_arm64__needed ELF: the libraries ELF names (DT_NEEDED), one a line.
nested_arm64__needed() {
	readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}

nested_arm64__program() {
	local bin=$1 root=$2 interp lib dir found
	local -a todo
	interp=$(readelf -l "$bin" | sed -n 's/.*program interpreter: \(.*\)\]/\1/p')
	[ -n "$interp" ] || fail "$bin: no program interpreter (not a dynamic arm64 program?)"
	mkdir -p "$root/bin" "$root$(dirname "$interp")" "$root/lib/aarch64-linux-gnu"
	cp "$bin" "$root/bin/"
	cp -L "$interp" "$root$interp" || fail "no $interp (Debian libc6:arm64)"
	mapfile -t todo < <(nested_arm64__needed "$bin")
	while ((${#todo[@]})); do
		lib=${todo[0]}
		todo=("${todo[@]:1}")
		[ -f "$root/lib/aarch64-linux-gnu/$lib" ] && continue
		found=
		for dir in $NESTED_ARM64_LIBDIRS; do
			[ -f "$dir/$lib" ] && { found=$dir/$lib; break; }
		done
		[ -n "$found" ] || fail "$bin needs $lib: not in $NESTED_ARM64_LIBDIRS"
		cp -L "$found" "$root/lib/aarch64-linux-gnu/$lib"
		mapfile -t -O "${#todo[@]}" todo < <(nested_arm64__needed "$found")
	done
}

# NESTED_ARM64_SERROR_PANIC: what L1 prints when the emulated CPU hands it
# an SError with no syndrome while a nested guest runs.  Seen once in 14
# boots on a loaded 2-CPU machine (2026-12-02, QEMU 7.2 TCG, two threads),
# in the pKVM case: QEMU's fault, not cvm's.  Such a boot is run once more;
# a second one fails the test.
NESTED_ARM64_SERROR_PANIC="Kernel panic - not syncing: Asynchronous SError Interrupt"

nested_arm64__run() {
	local dir=$1 mode=$2 start st boot
	nested__pack "$dir"
	NESTED_ARM64_REBOOTED=
	for boot in 1 2; do
		start=$(date +%s)
		timeout 900 "$QEMU_ARM64" -M virt,virtualization=on,gic-version=3 \
			-cpu max,pauth-impdef=on -accel tcg,thread=multi -smp 2 -m 2048 -nodefaults \
			-no-user-config -display none -monitor none -serial stdio -no-reboot \
			-kernel "$NESTED_ARM64_KERNEL" -initrd "$dir/initramfs.gz" \
			-append "console=ttyAMA0 rdinit=/init panic=-1 quiet${mode:+ kvm-arm.mode=$mode}" \
			</dev/null >"$dir/serial.log" 2>"$dir/qemu.log"
		st=$?
		NESTED_SECONDS=$(($(date +%s) - start))
		[ "$boot" = 1 ] && ! grep -q "^== done" "$dir/serial.log" &&
			grep -q "$NESTED_ARM64_SERROR_PANIC" "$dir/serial.log" || break
		NESTED_ARM64_REBOOTED=" (second boot: the first L1 panicked on an emulated SError)"
		cp "$dir/serial.log" "$dir/serial-serror.log"
	done
	nested__finish "$dir" $st
	NESTED_INIT_UPTIME=$(sed -n 's/^== init //p' "$dir/console.log")
}

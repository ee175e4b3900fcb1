# A nested arm64 KVM host for the integration tests (sourced after lib.sh):
# Debian's arm64 kernel ($VEC/hosts/arm64-debian/Image.gz: KVM, PL011 and
# initramfs built in) under qemu-system-aarch64's TCG with EL2
# (virtualization=on), booted into a busybox initramfs whose /init
# (nested-arm64-init.sh) runs a list of cases and reports each on the
# serial line.
#
#   nested_arm64__setup DIR    checks the host, fetches busybox (arm64 for
#                              L1, amd64 to pack the cpio); SKIPs with the
#                              reason; leaves an initramfs tree in $NA_ROOT
#   then the caller puts its files under $NA_ROOT and its cases in
#   $NA_ROOT/cases.sh: one "case_ NAME COMMAND [ARGS...]" a line (sh)
#   nested_arm64__boot MODE    packs and boots with kvm-arm.mode=MODE
#                              (protected, nvhe, or "" for the default VHE);
#                              the serial output in $NA_LOG, the wall time
#                              in $NA_SECONDS, L1's uptime at /init in
#                              $NA_INIT_UPTIME
#   nested_arm64__status NAME N     case NAME exited with N
#   nested_arm64__line NAME TEXT    case NAME printed the whole line TEXT
#   nested_arm64__match NAME ERE    case NAME printed a line matching ERE
# shellcheck shell=bash

NA_QEMU=qemu-system-aarch64
NA_KERNEL=$VEC/hosts/arm64-debian/Image.gz

# nested_arm64__deb PKG: the .deb of PKG (apt-get download) in the current
# directory, fetched once; else the reason.
nested_arm64__deb() {
	local arch=${1#*:} deb
	[ "$arch" != "$1" ] || arch=$(dpkg --print-architecture)
	deb=$(ls "${1%%:*}"_*_"$arch".deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		apt-get download "$1" >apt.log 2>&1 ||
			{ echo "apt-get download $1 failed: $(grep -m 1 '^E:' apt.log)"; return 1; }
		deb=$(ls "${1%%:*}"_*_"$arch".deb | head -n 1)
	fi
	echo "$deb"
}

nested_arm64__setup() {
	local deb dest
	NA_DIR=$1
	command -v "$NA_QEMU" >/dev/null || skip "$NA_QEMU is not installed (Debian qemu-system-arm)"
	[ -f "$NA_KERNEL" ] || fail "$NA_KERNEL is missing"
	mkdir -p "$NA_DIR"
	cd "$NA_DIR" || fail "cannot enter $NA_DIR"
	dpkg --print-foreign-architectures | grep -qx arm64 ||
		skip "dpkg has no arm64 architecture for busybox-static:arm64 (make deps adds it, as root)"
	rm -rf pkg root
	mkdir -p pkg/host pkg/arm64
	for p in busybox-static busybox-static:arm64; do
		deb=$(nested_arm64__deb "$p") || skip "$deb"
		dest=pkg/host
		[ "$p" = "${p%:arm64}" ] || dest=pkg/arm64
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dest" ./bin/busybox ||
			fail "no bin/busybox in $deb"
	done
	NA_ROOT=$NA_DIR/root
	mkdir -p "$NA_ROOT/bin" "$NA_ROOT/proc" "$NA_ROOT/sys" "$NA_ROOT/dev" "$NA_ROOT/tmp"
	cp pkg/arm64/bin/busybox "$NA_ROOT/bin/"
	ln -s busybox "$NA_ROOT/bin/sh"
	install -m 755 "$(dirname "${BASH_SOURCE[0]}")/nested-arm64-init.sh" "$NA_ROOT/init"
	: >"$NA_ROOT/cases.sh"
}

nested_arm64__boot() {
	local mode=$1 start st
	(cd "$NA_ROOT" && find . | "$NA_DIR/pkg/host/bin/busybox" cpio -o -H newc 2>/dev/null |
		gzip -1) >"$NA_DIR/initramfs.gz" || fail "cannot pack the initramfs"
	start=$(date +%s)
	timeout 900 "$NA_QEMU" -M virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on \
		-accel tcg,thread=multi -smp 2 -m 2048 -nodefaults -no-user-config -display none \
		-monitor none -serial stdio -no-reboot -kernel "$NA_KERNEL" \
		-initrd "$NA_DIR/initramfs.gz" \
		-append "console=ttyAMA0 rdinit=/init panic=-1 quiet${mode:+ kvm-arm.mode=$mode}" \
		</dev/null >"$NA_DIR/serial.log" 2>"$NA_DIR/qemu.log"
	st=$?
	NA_SECONDS=$(($(date +%s) - start))
	NA_LOG=$NA_DIR/console.log
	tr -d '\r' <"$NA_DIR/serial.log" >"$NA_LOG"
	[ $st -eq 0 ] || { tail -n 30 "$NA_LOG"; fail "QEMU status $st after $NA_SECONDS s ($NA_LOG)"; }
	grep -q '^== done' "$NA_LOG" || { tail -n 30 "$NA_LOG"; fail "the nested run did not finish"; }
	NA_INIT_UPTIME=$(sed -n 's/^== init //p' "$NA_LOG")
}

nested_arm64__show() {
	sed -n "/^== case $1\$/,/^== status $1 /p" "$NA_LOG"
}

nested_arm64__status() {
	grep -q "^== status $1 $2 (" "$NA_LOG" ||
		{ nested_arm64__show "$1"; fail "$1: no exit status $2"; }
}

nested_arm64__line() {
	grep -qxF "$1: $2" "$NA_LOG" || { nested_arm64__show "$1"; fail "$1: no line '$2'"; }
}

nested_arm64__match() {
	grep -qE "^$1: $2" "$NA_LOG" || { nested_arm64__show "$1"; fail "$1: no line matching '$2'"; }
}

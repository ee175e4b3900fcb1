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

# nested__watch PID LOG BEAT: waits for PID; kills it when the L1 has
# stopped, and then returns 200.  The L1's /init (nested__run) writes a beat
# to the second serial port (BEAT) every 5 s from the moment it starts, so
# once beats come, NESTED_BEAT_SILENCE without one is a frozen host (QEMU
# TCG's nested SVM has been seen to stop an L1 for good, about once in 10-25
# boots), however long a case runs; before the first beat (the L1 kernel's
# boot) LOG has to grow at least every NESTED_SILENCE s.
NESTED_SILENCE=360
NESTED_BEAT_SILENCE=60
NESTED_FROZEN=200
nested__watch() {
	local pid=$1 log=$2 beat=$3 f limit
	while sleep 5 && kill -0 "$pid" 2>/dev/null; do
		f=$log limit=$NESTED_SILENCE
		[ -s "$beat" ] && f=$beat limit=$NESTED_BEAT_SILENCE
		if [ $(($(date +%s) - $(stat -c %Y "$f"))) -gt "$limit" ]; then
			kill "$pid"
			wait "$pid"
			return $NESTED_FROZEN
		fi
	done
	wait "$pid"
}

# nested__run DIR INIT: packs DIR/root with INIT as /cases and an /init
# that starts nested__watch's beat and then runs it, boots it, and
# leaves the serial output (LF line ends) in DIR/console.log.  Fails when
# QEMU fails or the script does not print "== done".  A host that froze or
# that QEMU aborted (SIGABRT: its TCG's nested-SVM races, not ours) is
# booted again, saying so and where it stopped (its serial output is kept
# as DIR/serial-TRY.log), up to four boots in all: on 2026-12-02 one
# `make demo` froze twice in a row in the OVMF case, and one `make check`
# twice in a row as well.
nested__run() {
	local dir=$1 init=$2 start st try last
	install -m 755 "$init" "$dir/root/cases"
	cat >"$dir/root/init" <<-'INIT'
	#!/bin/sh
	export PATH=/bin
	mount -t devtmpfs dev /dev 2>/dev/null
	while :; do echo .; sleep 5; done >/dev/ttyS1 2>/dev/null &
	exec /cases
	INIT
	chmod 755 "$dir/root/init"
	nested__pack "$dir"
	rm -f "$dir"/serial-?.log
	start=$(date +%s)
	for try in 1 2 3 4; do
		rm -f "$dir/beat.log"
		# One L1 CPU: QEMU 7.2's TCG locks a 2-CPU L1 up now and then.
		timeout 900 "$QEMU_X86" -accel tcg -cpu EPYC,+svm -smp 1 -m 2G -display none \
			-serial stdio -serial file:"$dir/beat.log" -no-reboot -nodefaults \
			-kernel "$NESTED_KERNEL" -initrd "$dir/initramfs.gz" \
			-append "console=ttyS0 panic=-1 quiet" \
			</dev/null >"$dir/serial.log" 2>"$dir/qemu.log" &
		nested__watch $! "$dir/serial.log" "$dir/beat.log"
		st=$?
		[ $st -eq $NESTED_FROZEN ] || [ $st -eq 134 ] || break
		cp "$dir/serial.log" "$dir/serial-$try.log"
		last=$(grep '^== ' "$dir/serial.log" | tail -n 1 | tr -d '\r')
		last=${last:+after \"$last\"}
		[ $try -eq 4 ] ||
			echo "nested host $([ $st -eq 134 ] && echo aborted || echo froze) (QEMU TCG)" \
				"${last:-while the L1 kernel booted}; booting it again"
	done
	NESTED_SECONDS=$(($(date +%s) - start))
	nested__finish "$dir" $st
}

# Shared by test-real-kernel.sh and test-nested-kvm.sh: a stock Debian 6.1
# kernel (not ours) through PVH with an initrd, and what its console must show.
# shellcheck shell=bash

RK_VMLINUZ=$VEC/kernel/vmlinuz-6.1.0-56-cloud-amd64

# real_kernel__prepare DIR: the vmlinux in DIR/vmlinux; sets RK_CMDLINE,
# RK_MEM, RK_EXPECT and RK_RAMDISK (the kernel's RAMDISK: line for the range
# where the plan puts the initrd; the plan depends on the files, not the host).
real_kernel__prepare() {
	local dir=$1 start len
	command -v lz4 >/dev/null || skip "lz4 is not installed"
	"$(dirname "${BASH_SOURCE[0]}")/extract-vmlinux.sh" \
		"$RK_VMLINUZ" "$dir/vmlinux" || fail "cannot extract vmlinux"
	RK_INITRD=$VEC/kernel/initrd.bin
	# noapic: the IO-APIC the ACPI tables describe is not needed to reach
	# the Memory: line (it boots to its root-mount panic in ~8 s nested).
	RK_CMDLINE="console=ttyS0 earlyprintk=serial,ttyS0 noapic cvm.test=$$"
	RK_MEM=512M
	RK_EXPECT="Memory: [0-9]+K/[0-9]+K available"
	"$RUN" -k "$dir/vmlinux" -i "$RK_INITRD" -m "$RK_MEM" -p "$RK_CMDLINE" --dry-run >"$dir/plan" ||
		fail "--dry-run failed"
	read -r start len _ < <(grep ' initrd$' "$dir/plan")
	[ -n "$start" ] || fail "no initrd op in the plan"
	RK_RAMDISK=$(printf 'RAMDISK: [mem 0x%08x-0x%08x]' "$start" $((start + len - 1)))
}

# real_kernel__check FILE: FILE, the guest's console up to the --expect match,
# shows the banner, our exact command line, the initrd where the plan put it
# and a Memory: total consistent with RK_MEM (512M).
real_kernel__check() {
	local out=$1 total
	grep -q "Linux version 6.1.0-" "$out" || fail "no Linux banner"
	grep -qF "Command line: $RK_CMDLINE" "$out" || fail "kernel did not echo our command line"
	grep -qF "$RK_RAMDISK" "$out" || { grep RAMDISK "$out"; fail "no '$RK_RAMDISK'"; }
	# Total pages in the Memory: line: close to 512 MiB, below it.
	total=$(sed -n 's/.*Memory: [0-9]*K\/\([0-9]*\)K available.*/\1/p' "$out")
	[ -n "$total" ] && [ "$total" -gt $((480 * 1024)) ] && [ "$total" -le $((512 * 1024)) ] ||
		fail "Memory: total '${total}K' is not consistent with -m $RK_MEM"
}

# real_kernel__initramfs OUT: a gzipped initramfs for the stock kernel, a
# static busybox with linux-init.sh as /init (marker, online CPUs, poweroff).
real_kernel__initramfs() {
	local out=$1 dir bb
	bb=$(command -v busybox) || skip "busybox is not installed (Debian busybox-static)"
	dir=$(mktemp -d)
	mkdir -p "$dir"/root/{bin,proc,sys,dev}
	cp "$bb" "$dir/root/bin/busybox"
	for a in sh mount nproc poweroff; do ln -s busybox "$dir/root/bin/$a"; done
	install -m 755 "$(dirname "${BASH_SOURCE[0]}")/linux-init.sh" "$dir/root/init"
	nested__pack "$dir"
	mv "$dir/initramfs.gz" "$out"
	rm -rf "$dir"
}

# real_kernel__userspace LOG NAME CMDLINE CPUS: case NAME of LOG (lines
# "NAME: ...") booted the kernel with exactly CMDLINE, reached userspace with
# CPUS online and powered off (status 0).
real_kernel__userspace() {
	local log=$1 name=$2 cmdline=$3 cpus=$4 out
	out=$(sed -n "s/^$name: \(\[ *[0-9.]*\] \)\{0,1\}//p" "$log")
	grep -q "^Linux version 6.1.0-" <<<"$out" || fail "$name: no Linux banner"
	grep -qxF "Kernel command line: $cmdline" <<<"$out" ||
		{ grep "command line" <<<"$out"; fail "$name: not our exact command line"; }
	for l in "cvm-init: userspace" "cvm-init: cpus $cpus" "cvm-run: guest powered off"; do
		grep -qxF "$l" <<<"$out" || { tail -n 20 <<<"$out"; fail "$name: no line '$l'"; }
	done
}

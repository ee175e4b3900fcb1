#!/usr/bin/env bash
# Wall time of the test guest (PVH, 1 vCPU) under cvm-run against Debian's
# QEMU with -M microvm -accel kvm booting the same ELF, in the same run.
# Target: >= 15x less wall time than QEMU.
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
need_kvm vmm-vs-qemu
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "vmm-vs-qemu: skipped: qemu-system-x86_64 is not installed"; exit 0; }
guest=$BUILD/guest/cvm-guest.elf
# qemu_microvm: the test guest under QEMU; isa-debug-exit makes QEMU exit
# (value << 1) | 1, so the guest's pass (0) is status 1.
qemu_microvm() {
	qemu-system-x86_64 -M microvm -accel kvm -m 256M -nodefaults -no-user-config \
		-display none -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$guest" -append "cvmtest.cpus=1"
	[ $? -eq 1 ]
}
cvm=$(median_ms "$RUN" -k "$guest" -m 256M -p "cvmtest.cpus=1") ||
	{ echo "vmm-vs-qemu: cvm-run fails"; exit 1; }
qemu=$(median_ms qemu_microvm) || { echo "vmm-vs-qemu: qemu microvm fails"; exit 1; }
echo "vmm-vs-qemu: test guest cvm-run $cvm ms, qemu microvm $qemu ms: $(ratio "$qemu" "$cvm")x less wall time"

#!/usr/bin/env bash
# cvm-run against QEMU (-M microvm -accel kvm) on the same exit guest, 512
# MiB: both as they come (each with an in-kernel PIT), then both without a
# PIT (--pit off, -M microvm,pit=off); interleaved, medians, with the floor
# (bench/bare-kvm.c) beside them.  Target: QEMU takes >= 5x cvm-run's time.
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
need_kvm vmm-vs-qemu
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "vmm-vs-qemu: skipped: qemu-system-x86_64 is not installed (Debian qemu-system-x86)"; exit 0; }
build_kvm_tools vmm-vs-qemu || { echo "vmm-vs-qemu: cannot build the bench tools"; exit 1; }
g=$OUT/exit-guest
qemu=(qemu-system-x86_64 -accel kvm -m 512M -nodefaults -no-user-config -display none
      -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$g.elf")
# isa-debug-exit makes QEMU exit with (value << 1) | 1: the guest's 0 is 1.
r=$(timed "$RUNS" 0 "$RUN" -k "$g.elf" -m 512M :: 1 "${qemu[@]}" -M microvm \
	:: 0 "$RUN" -k "$g.elf" -m 512M --pit off :: 1 "${qemu[@]}" -M microvm,pit=off \
	:: 0 "$OUT/bare-kvm" 512 0x100000 "$g.bin") || { echo "vmm-vs-qemu: a run failed"; exit 1; }
{ read -r cvm _; read -r q _; read -r cvm0 _; read -r q0 _; read -r floor _; } <<< "$r"
v=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
echo "vmm-vs-qemu: exit guest, 512 MiB: cvm-run $cvm ms, QEMU $v microvm $q ms: QEMU takes" \
	"$(ratio "$q" "$cvm")x cvm-run's time (target >= 5x)"
echo "vmm-vs-qemu: without a PIT: cvm-run --pit off $cvm0 ms, microvm,pit=off $q0 ms:" \
	"$(ratio "$q0" "$cvm0")x; the floor $floor ms: QEMU takes $(ratio "$q0" "$floor")x the floor's time"

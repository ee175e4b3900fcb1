#!/usr/bin/env bash
# VM set-up and exit against the floor: exec to exit of the exit guest
# (its first instruction writes the debug-exit port) at 512 MiB and 4 GiB.
# The floor is bench/bare-kvm.c, the fewest ioctls reaching the same exit
# with an in-kernel irqchip, teardown left to process exit; cvm-run --pit off
# is measured against it, and cvm-run as it comes (with KVM's PIT) against
# it and against the same floor plus the PIT (KVM_CREATE_PIT2 and its GSI
# routes).  Interleaved, medians.  Target: <= 1.3x the floor.
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
need_kvm vmm-setup
build_kvm_tools vmm-setup || { echo "vmm-setup: cannot build the bench tools"; exit 1; }
g=$OUT/exit-guest
echo "vmm-setup: guest RAM on $(memory_backend); medians of $RUNS"
for mem in 512 4096; do
	r=$(timed "$RUNS" 0 "$OUT/bare-kvm" "$mem" 0x100000 "$g.bin" \
		:: 0 "$RUN" -k "$g.elf" -m "${mem}M" --pit off :: 0 "$RUN" -k "$g.elf" -m "${mem}M" \
		:: 0 "$OUT/bare-kvm" "$mem" 0x100000 "$g.bin" 1 pit) ||
		{ echo "vmm-setup: a run failed at ${mem} MiB"; exit 1; }
	{ read -r floor _; read -r nopit _; read -r pit _; read -r floor_pit _; } <<< "$r"
	echo "vmm-setup: ${mem} MiB: floor $floor ms; cvm-run --pit off $nopit ms =" \
		"$(ratio "$nopit" "$floor")x the floor (target <= 1.3x); cvm-run $pit ms =" \
		"$(ratio "$pit" "$floor")x the floor, $(ratio "$pit" "$floor_pit")x the floor with a PIT" \
		"($floor_pit ms)"
done

#!/usr/bin/env bash
# VMM set-up time, exec to first exit, for 512 MiB and 4 GiB guests on
# guest_memfd (anonymous memory where KVM has none, for both), against the
# bare ioctl sequence (bench/bare-kvm.c) measured in the same run.
# Targets: <= 2 ms at 512 MiB, <= 4 ms at 4 GiB.
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
need_kvm vmm-setup
out=$BUILD/bench
build_bench_guests "$out" || exit 1
line="vmm-setup:"
for mem in 512 4096; do
	cvm=$(median_ms "$RUN" -k "$out/exit-guest.elf" -m "${mem}M") ||
		{ echo "vmm-setup: cvm-run fails at ${mem}M"; exit 1; }
	bare=$(median_ms "$out/bare-kvm" "$mem" 0x100000 "$out/exit-guest.bin") ||
		{ echo "vmm-setup: bare-kvm fails at ${mem}M"; exit 1; }
	line="$line ${mem}M cvm-run $cvm ms, bare ioctls $bare ms ($(ratio "$cvm" "$bare")x);"
done
echo "$line"

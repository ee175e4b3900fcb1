#!/usr/bin/env bash
# cvm-measure's vCPU matrix against one measurement of the same image:
# `--vcpus 1-64` (64 measurements in one document) and `--vcpus 4` (one) of
# the same SNP direct boot (OVMF.amdsev.fd, the Debian kernel, a 1 MiB
# initrd), interleaved, medians.  The matrix hashes firmware, kernel and
# initrd once and chains only the extra VMSA pages.  Target: < 1.5x.
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
[ -x "$MEASURE" ] || { echo "measure-matrix: build $MEASURE first"; exit 1; }
[ -d "$VEC" ] || { echo "measure-matrix: skipped: no vectors in $VEC (set CVM_SHARED)"; exit 0; }
build_tools || { echo "measure-matrix: cannot build the bench tools"; exit 1; }
args=(--mode snp --vcpu-type EPYC-v4 --ovmf "$VEC/firmware/OVMF.amdsev.fd"
      --kernel "$VEC/kernel/vmlinuz-6.1.0-56-cloud-amd64" --initrd "$VEC/kernel/initrd.bin"
      --append console=ttyS0)
[ "$("$MEASURE" "${args[@]}" --vcpus 1-64 | wc -l)" -eq 64 ] ||
	{ echo "measure-matrix: the matrix does not have 64 lines"; exit 1; }
r=$(timed "$RUNS" 0 "$MEASURE" "${args[@]}" --vcpus 4 :: 0 "$MEASURE" "${args[@]}" --vcpus 1-64) ||
	{ echo "measure-matrix: a run failed"; exit 1; }
{ read -r one _; read -r matrix _; } <<< "$r"
echo "measure-matrix: snp --vcpus 1-64 $matrix ms vs --vcpus 4 $one ms: $(ratio "$matrix" "$one")x" \
	"(target < 1.5x; medians of $RUNS)"

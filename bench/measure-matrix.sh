#!/usr/bin/env bash
# cvm-measure's vCPU matrix against one measurement of the same image.
#
# Times `--vcpus 1-64` (64 measurements in one document) and `--vcpus 4`
# (one) of the same SNP direct boot (OVMF.amdsev.fd, the Debian kernel, a
# 1 MiB initrd), interleaved, medians of RUNS runs.  The matrix hashes the
# firmware, kernel and initrd once and chains only the extra VMSA pages, so
# the target is < 1.5x one measurement.
#
# usage: bench/measure-matrix.sh [BUILD_DIR]     (vectors from $CVM_SHARED)
. "$(dirname "$0")/lib.sh"
vec=$SHARED/vectors
tool=$BUILD/cvm-measure
[ -x "$tool" ] || { echo "measure-matrix: build $tool first" >&2; exit 2; }
[ -d "$vec" ] || { echo "measure-matrix: no vectors in $vec (set CVM_SHARED)" >&2; exit 2; }

args=(--mode snp --vcpu-type EPYC-v4 --ovmf "$vec/firmware/OVMF.amdsev.fd"
      --kernel "$vec/kernel/vmlinuz-6.1.0-56-cloud-amd64" --initrd "$vec/kernel/initrd.bin"
      --append console=ttyS0)
[ "$("$tool" "${args[@]}" --vcpus 1-64 | wc -l)" -eq 64 ] ||
	{ echo "measure-matrix: the matrix does not have 64 lines" >&2; exit 1; }

one=() matrix=()
for ((i = 0; i < ${RUNS}; i++)); do
	one+=("$(RUNS=1 median_ms "$tool" "${args[@]}" --vcpus 4)") || exit 1
	matrix+=("$(RUNS=1 median_ms "$tool" "${args[@]}" --vcpus 1-64)") || exit 1
done
med() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
o=$(med "${one[@]}")
m=$(med "${matrix[@]}")
echo "measure-matrix: snp --vcpus 1-64 ${m} ms vs --vcpus 4 ${o} ms: $(ratio "$m" "$o")x (target < 1.5x; medians of $RUNS)"

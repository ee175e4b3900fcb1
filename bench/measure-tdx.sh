#!/usr/bin/env bash
# cvm-measure --mode tdx against the hashing limit of the same bytes, both
# measured in this run (medians of RUNS runs, the two alternating):
#  - MRTD of the 4 MiB TDVF: one sequential SHA-384 stream of PAGE.ADD /
#    MR.EXTEND records, compared with `openssl dgst -sha384` of as many bytes;
#  - MRTD + RTMR0-3 of a direct kernel boot: the longest single stream is the
#    kernel's Authenticode digest (~ the kernel file), the rest (MRTD, initrd,
#    CFV, ACPI) runs beside it.
# Target: whole-process wall time within 1.2x of the longest single stream.
# $1 = build directory (default build); vectors from CVM_SHARED (default ../shared).
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
MEASURE=$BUILD/cvm-measure
V=$SHARED/vectors
[ -x "$MEASURE" ] || { echo "measure-tdx: $MEASURE not built"; exit 1; }
out=$BUILD/bench
mkdir -p "$out"

fw=(--mode tdx --ovmf "$V/firmware/OVMF.inteltdx.ms.fd")
boot=("${fw[@]}" --kernel "$V/kernel/vmlinuz-6.1.0-56-cloud-amd64" --initrd "$V/kernel/initrd.bin"
	--append "console=ttyS0 root=/dev/vda1 ro" --memory 2G
	--acpi-tables "$V/acpi/quex_1c-nic.bin" --acpi-rsdp "$V/acpi/quex_1c-nic.rsdp.bin"
	--acpi-loader "$V/acpi/quex_1c-nic.table-loader.bin")

# The MRTD stream's length, as cvm-measure -v reports it.
stream=$("$MEASURE" "${fw[@]}" -v 2>&1 >/dev/null | sed -n 's/^MRTD stream: \([0-9]*\) bytes$/\1/p')
[ "${stream:-0}" -gt 0 ] || { echo "measure-tdx: could not read the plan"; exit 1; }
head -c "$stream" /dev/zero > "$out/mrtd-stream.bin"

# paired_ms A-ARGS -- B-ARGS: runs A and B alternately RUNS times (so both
# see the same load from the rest of the machine); prints both medians in ms.
paired_ms() {
	local a=() b=() i t0 t1 t2
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		"${a[@]}" > /dev/null 2>&1
		t1=$(date +%s%N)
		"${b[@]}" > /dev/null 2>&1
		t2=$(date +%s%N)
		echo $((t1 - t0)) $((t2 - t1))
	done | awk '{ a[NR] = $1; b[NR] = $2 }
		END { n = asort_n(a); asort_n(b); m = int((NR + 1) / 2)
		      printf "%.3f %.3f", a[m] / 1e6, b[m] / 1e6 }
		function asort_n(x,   i, j, t) {
			for (i = 2; i <= NR; i++)
				for (j = i; j > 1 && x[j - 1] > x[j]; j--) { t = x[j]; x[j] = x[j - 1]; x[j - 1] = t }
			return NR }'
}

read -r mrtd mrtd_limit < <(paired_ms "$MEASURE" "${fw[@]}" -- openssl dgst -sha384 "$out/mrtd-stream.bin")
read -r full full_limit < <(paired_ms "$MEASURE" "${boot[@]}" -- \
	openssl dgst -sha384 "$V/kernel/vmlinuz-6.1.0-56-cloud-amd64")
rm -f "$out/mrtd-stream.bin"

echo "measure-tdx: MRTD $mrtd ms vs sha384 of its $((stream / 1024)) KiB stream $mrtd_limit ms" \
	"($(ratio "$mrtd" "$mrtd_limit")x); MRTD+RTMRs $full ms vs sha384 of the kernel $full_limit ms" \
	"($(ratio "$full" "$full_limit")x); target <= 1.2x"

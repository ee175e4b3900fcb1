#!/usr/bin/env bash
# cvm-measure --mode tdx against the hashing limit of the same bytes, both
# measured in this run (medians of RUNS runs):
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

# The MRTD stream's length from the plan cvm-measure prints with -v: a
# 128-byte record per added page, plus 16 x (128 + 256) per extended page.
stream=0
while read -r _ _ kind _ len; do
	pages=$((${len#len=} / 4096))
	case $kind in
	tdx-add) stream=$((stream + pages * 128)) ;;
	tdx-add+extend) stream=$((stream + pages * (128 + 16 * 384))) ;;
	esac
done < <("$MEASURE" "${fw[@]}" -v 2>&1 >/dev/null | grep '^TDVF\[')
[ "${stream:-0}" -gt 0 ] || { echo "measure-tdx: could not read the plan"; exit 1; }
head -c "$stream" /dev/zero > "$out/mrtd-stream.bin"

mrtd=$(median_ms "$MEASURE" "${fw[@]}")
mrtd_limit=$(median_ms openssl dgst -sha384 "$out/mrtd-stream.bin")
full=$(median_ms "$MEASURE" "${boot[@]}")
full_limit=$(median_ms openssl dgst -sha384 "$V/kernel/vmlinuz-6.1.0-56-cloud-amd64")
rm -f "$out/mrtd-stream.bin"

echo "measure-tdx: MRTD $mrtd ms vs sha384 of its $((stream / 1024)) KiB stream $mrtd_limit ms" \
	"($(ratio "$mrtd" "$mrtd_limit")x); MRTD+RTMRs $full ms vs sha384 of the kernel $full_limit ms" \
	"($(ratio "$full" "$full_limit")x); target <= 1.2x"

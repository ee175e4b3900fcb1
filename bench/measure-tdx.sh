#!/usr/bin/env bash
# cvm-measure --mode tdx against its limit, measured in the same run:
#  - MRTD of the 4 MiB TDVF: one sequential SHA-384 stream of PAGE.ADD and
#    MR.EXTEND records (its length as cvm-measure -v reports it);
#  - MRTD + RTMR0-3 of a direct kernel boot: beside the MRTD stream, the
#    kernel's Authenticode digest (about the kernel file) and the initrd's,
#    SHA-384 each.
# The limit (bench/hash-limit.c): those streams' hashing spread over the
# CPUs in one process, never below the longest stream, plus the bare cost of
# a process start; everything interleaved (bench/timer.c), medians.
# Target: <= 1.2x.
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
[ -x "$MEASURE" ] || { echo "measure-tdx: build $MEASURE first"; exit 1; }
[ -d "$VEC" ] || { echo "measure-tdx: skipped: no vectors in $VEC (set CVM_SHARED)"; exit 0; }
build_tools || { echo "measure-tdx: cannot build the bench tools"; exit 1; }
kernel=$VEC/kernel/vmlinuz-6.1.0-56-cloud-amd64
initrd=$VEC/kernel/initrd.bin
fw=(--mode tdx --ovmf "$VEC/firmware/OVMF.inteltdx.ms.fd")
boot=("${fw[@]}" --kernel "$kernel" --initrd "$initrd" --append "console=ttyS0 root=/dev/vda1 ro"
      --memory 2G --acpi-tables "$VEC/acpi/quex_1c-nic.bin"
      --acpi-rsdp "$VEC/acpi/quex_1c-nic.rsdp.bin" --acpi-loader "$VEC/acpi/quex_1c-nic.table-loader.bin")
stream=$("$MEASURE" "${fw[@]}" -v 2>&1 >/dev/null | sed -n 's/^MRTD stream: \([0-9]*\) bytes$/\1/p')
[ "${stream:-0}" -gt 0 ] || { echo "measure-tdx: could not read the MRTD stream's length"; exit 1; }
rm -f "$OUT/hash-limit.mrtd" "$OUT/hash-limit.tdx"
r=$(timed "$RUNS" 0 "$MEASURE" "${fw[@]}" :: 0 "$MEASURE" "${boot[@]}" :: 0 "$OUT/empty" \
	:: 0 "$OUT/hash-limit" "$OUT/hash-limit.mrtd" "zeros:sha384:$stream" \
	:: 0 "$OUT/hash-limit" "$OUT/hash-limit.tdx" "zeros:sha384:$stream" "stream:sha384:$kernel" \
	"stream:sha384:$initrd") || { echo "measure-tdx: a run failed"; exit 1; }
{ read -r mrtd _; read -r full _; read -r start _; } <<< "$r"
line() {  # NAME MS LIMIT-FILE WHAT
	local lim spread one k threads
	read -r lim spread one k _ threads <<< "$(hash_limit "$3" "$start")"
	awk -v name="$1" -v r="$2" -v s="$start" -v t="$threads" -v lim="$lim" -v sp="$spread" \
	    -v one="$one" -v k="$k" -v what="$4" 'BEGIN {
		printf "measure-tdx: %s %.2f ms; limit %.2f ms = max(hashing %.2f ms on %d thread%s, %s %.2f ms) + process start %.2f ms: %.2fx the limit (target <= 1.2x; the hashing on one thread: %.2f ms)\n",
		       name, r, lim, sp, t, t == 1 ? "" : "s", what, k, s, r / lim, one }'
}
line "MRTD of the TDVF" "$mrtd" "$OUT/hash-limit.mrtd" "its $((stream >> 10)) KiB MRTD stream"
line "MRTD+RTMR0-3 of a direct boot" "$full" "$OUT/hash-limit.tdx" "longest stream"

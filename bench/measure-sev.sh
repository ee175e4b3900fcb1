#!/usr/bin/env bash
# cvm-measure --mode snp against its limit and against sev-snp-measure.
#
# The launch: OVMF.amdsev.fd + the Debian kernel + a 1 MiB initrd, 4 vCPUs.
# Its limit (bench/hash-limit.c: data in memory): the hashing it cannot
# avoid - SHA-384 of every distinct firmware page and of its PAGE_INFO
# record, SHA-256 of kernel and initrd - spread over the CPUs in one process,
# never below the longest single stream (the kernel's SHA-256), plus the bare
# cost of a process start (an empty C program).  All three and
# sev-snp-measure run interleaved (bench/timer.c), medians.  Targets: <= 1.2x
# the limit; faster than sev-snp-measure.
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
[ -x "$MEASURE" ] || { echo "measure-sev: build $MEASURE first"; exit 1; }
[ -d "$VEC" ] || { echo "measure-sev: skipped: no vectors in $VEC (set CVM_SHARED)"; exit 0; }
build_tools || { echo "measure-sev: cannot build the bench tools"; exit 1; }
fw=$VEC/firmware/OVMF.amdsev.fd
kernel=$VEC/kernel/vmlinuz-6.1.0-56-cloud-amd64
initrd=$VEC/kernel/initrd.bin
args=(--mode snp --vcpus 4 --vcpu-type EPYC-v4 --ovmf "$fw" --kernel "$kernel" --initrd "$initrd"
      --append console=ttyS0)
specs=("pages:sha384:$fw" "stream:sha256:$kernel" "stream:sha256:$initrd")
cores=$(nproc)

want=$("$MEASURE" "${args[@]}") || { echo "measure-sev: cvm-measure fails"; exit 1; }
peer=(:: 0 "$OUT/empty")
if snp_measure; then
	got=$("${SNP_MEASURE[@]}" "${args[@]}" 2>/dev/null)
	[ "$got" = "$want" ] || { echo "measure-sev: sev-snp-measure gives '$got', cvm-measure $want"; exit 1; }
	peer+=(:: 0 "${SNP_MEASURE[@]}" "${args[@]}")
fi
hl=$OUT/hash-limit.sev
rm -f "$hl"
r=$(timed "$RUNS" 0 "$MEASURE" "${args[@]}" :: 0 "$OUT/hash-limit" "$hl" "${specs[@]}" "${peer[@]}") ||
	{ echo "measure-sev: a run failed"; exit 1; }
{ read -r run _ _ _ cpu; read -r _; read -r start _; read -r ssm _; } <<< "$r"
read -r lim spread one k hcpu threads <<< "$(hash_limit "$hl" "$start")"
awk -v r="$run" -v s="$start" -v c="$cores" -v t="$threads" -v lim="$lim" -v sp="$spread" -v one="$one" -v k="$k" \
    -v p="${ssm:-}" -v cpu="$cpu" -v hcpu="$hcpu" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
    -v pv="${SNP_MEASURE_VERSION:-}" -v why="$SNP_MEASURE_WHY" -v n="$RUNS" 'BEGIN {
	printf "measure-sev: cvm-measure snp 4 vCPUs %.2f ms; limit %.2f ms = max(hashing %.2f ms on %d thread%s, kernel SHA-256 %.2f ms) + process start %.2f ms: %.2fx the limit (target <= 1.2x; medians of %d; the hashing on one thread: %.2f ms)\n",
	       r, lim, sp, t, t == 1 ? "" : "s", k, s, r / lim, n, one
	printf "measure-sev: CPU time %.2f ms against the hashing'"'"'s %.2f ms (%.2fx); load average %s on %d CPUs\n",
	       cpu, hcpu, cpu / hcpu, load, c
	if (p != "")
		printf "measure-sev: sev-snp-measure %s %.2f ms: cvm-measure is %.1fx faster\n", pv, p, p / r
	else
		printf "measure-sev: sev-snp-measure: skipped: %s\n", why
}'

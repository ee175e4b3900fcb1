#!/usr/bin/env bash
# cvm-run's resident memory besides guest RAM, while a guest idles: VmRSS
# minus the guest_memfd pages (RssShmem).  Target: <= 2 MiB.
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
need_kvm vmm-rss
out=$BUILD/bench
build_bench_guests "$out" || exit 1
"$RUN" -k "$out/idle-guest.elf" -m 512M --timeout 3 > /dev/null 2>&1 &
pid=$!
sleep 1.5
status=$(cat "/proc/$pid/status" 2>/dev/null)
wait $pid
kb() { awk -v k="$1:" '$1 == k { print $2 }' <<< "$status"; }
rss=$(kb VmRSS) shmem=$(kb RssShmem)
[ -n "$rss" ] || { echo "vmm-rss: cvm-run was not running after 1.5 s"; exit 1; }
echo "vmm-rss: VmRSS $rss KiB, guest RAM (RssShmem) $shmem KiB, VMM overhead $((rss - shmem)) KiB"

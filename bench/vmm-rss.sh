#!/usr/bin/env bash
# cvm-run's resident memory besides guest RAM, while a guest idles: the Rss
# of all its mappings minus that of the guest RAM one (the 512 MiB mapping:
# guest_memfd pages, or anonymous ones where KVM has no guest_memfd, so not
# RssShmem).  From smaps, not VmRSS: before Linux 6.2 the status counters of
# a multithreaded process lag behind (per-thread caches).  Target: <= 2 MiB.
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
need_kvm vmm-rss
build_tools || { echo "vmm-rss: cannot build the bench tools"; exit 1; }
"$RUN" -k "$OUT/idle-guest.elf" -m 512M --timeout 3 > /dev/null 2>&1 &
pid=$!
sleep 1.5
read -r rss guest <<< "$(awk -v kb=$((512 * 1024)) '
	$1 == "Size:" { hit = $2 == kb }
	$1 == "Rss:" { rss += $2; if (hit) guest = $2 }
	END { if (rss) print rss, guest }' "/proc/$pid/smaps" 2>/dev/null)"
wait $pid
[ -n "$rss" ] || { echo "vmm-rss: cvm-run was not running after 1.5 s"; exit 1; }
[ -n "$guest" ] || { echo "vmm-rss: no 512 MiB guest RAM mapping in cvm-run's smaps"; exit 1; }
echo "vmm-rss: Rss $rss KiB, guest RAM $guest KiB, VMM overhead $((rss - guest)) KiB" \
	"= $(ratio $((rss - guest)) 2048)x the 2 MiB target"

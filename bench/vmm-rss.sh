#!/usr/bin/env bash
# cvm-run's resident memory besides guest RAM, while a guest idles: the Rss
# of all its mappings minus that of the guest RAM one (the 512 MiB mapping:
# guest_memfd pages, or anonymous ones where KVM has no guest_memfd, so not
# RssShmem).  From smaps, not VmRSS: before Linux 6.2 the status counters of
# a multithreaded process lag behind (per-thread caches).  Target: <= 2 MiB.
# Beside it, from the same run, peak RSS (wait4) on the exit guest against
# the floor's (bench/bare-kvm.c: a VM of the same size and nothing else).
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
need_kvm vmm-rss
build_kvm_tools vmm-rss || { echo "vmm-rss: cannot build the bench tools"; exit 1; }
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
r=$(timed "$RUNS" 0 "$OUT/bare-kvm" 512 0x100000 "$OUT/exit-guest.bin" \
	:: 0 "$RUN" -k "$OUT/exit-guest.elf" -m 512M --pit off) ||
	{ echo "vmm-rss: a run failed"; exit 1; }
{ read -r _ _ floor _; read -r _ _ peak _; } <<< "$r"
echo "vmm-rss: peak RSS on the exit guest: cvm-run $peak KiB, the floor $floor KiB:" \
	"$(ratio "$peak" "$floor")x (medians of $RUNS)"

#!/usr/bin/env bash
# cvm-run --tee tdx on a real Intel TDX host, in one command from the source
# tree (not part of `make check`: no development machine has TDX):
#
#     tests/hardware/tdx-smoke.sh [TDVF-IMAGE]
#
# Builds if needed; SKIPs (exit 77, the reason on the last line) without a
# TDX-capable KVM; checks that --dry-run's MRTD is cvm-measure's, and that
# its MRTD and RTMRs for a direct boot are what cvm-measure --tdx-vmm cvm-run
# predicts; boots $KERNEL (Debian's cloud kernel of the vectors) with
# $INITRD as a 2-vCPU, 2 GiB TD, TDVF reading them through cvm-run's fw_cfg,
# and passes when Linux prints its banner within $TDX_SMOKE_SECONDS (120).
# The image: the argument, $TDVF, Debian's ovmf-inteltdx
# (/usr/share/ovmf/OVMF.inteltdx.fd), or the vector image; $TDX_SEPARATOR
# its edk2 era (post-202411, the default, or pre-202411: only the predicted
# RTMR0/1 depend on it).  $TDX_SMOKE_QGS (e.g.
# unix:/var/run/tdx-qgs/qgs.socket) is passed as --tdx-qgs.  It prints the
# MRTD and RTMRs the TD's quotes must carry.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/integration/lib.sh
. tests/integration/lib.sh

if [ ! -x "$RUN" ] || [ ! -x "$MEASURE" ]; then
	make -j"$(nproc)" all >/dev/null || fail "the build failed"
fi
fw=${1:-${TDVF:-}}
if [ -z "$fw" ]; then
	for f in /usr/share/ovmf/OVMF.inteltdx.fd /usr/share/qemu/OVMF.inteltdx.fd \
		"$VEC/firmware/OVMF.inteltdx.ms.fd"; do
		[ -r "$f" ] && { fw=$f; break; }
	done
fi
{ [ -n "$fw" ] && [ -r "$fw" ]; } || skip "no TDVF image: give one (Debian: ovmf-inteltdx)"
[ -e /dev/kvm ] || skip "no /dev/kvm on this host"
tdx=$("$RUN" check 2>/dev/null | sed -n 's/^  tdx  *//p')
case $tdx in
*yes*) ;;
*) skip "this host cannot launch TDs: ${tdx:-cvm-run check has no tdx line}" ;;
esac

want=$("$MEASURE" --mode tdx --ovmf "$fw") || fail "cvm-measure --mode tdx --ovmf $fw"
dry=$("$RUN" --tee tdx --firmware "$fw" -m 2G --dry-run | grep '^mrtd=') ||
	fail "cvm-run --dry-run printed no mrtd= line"
[ "$dry" = "$want" ] || fail "--dry-run says $dry, cvm-measure $want"

kernel=${KERNEL:-$VEC/kernel/vmlinuz-6.1.0-56-cloud-amd64}
initrd=${INITRD:-$VEC/kernel/initrd.bin}
sep=${TDX_SEPARATOR:-post-202411}
params='console=ttyS0 earlyprintk=serial panic=-1'
boot=(-k "$kernel" -i "$initrd" -p "$params" --tdx-separator "$sep")
regs=$("$MEASURE" --mode tdx --tdx-vmm cvm-run --ovmf "$fw" --memory 2G --vcpus 2 \
	--kernel "$kernel" --initrd "$initrd" --append "$params" --tdx-separator "$sep") ||
	fail "cvm-measure --tdx-vmm cvm-run"
dry=$("$RUN" --tee tdx --firmware "$fw" -m 2G -c 2 "${boot[@]}" --dry-run | grep -E '^(mrtd|rtmr[0-3])=')
[ "$dry" = "$regs" ] || fail "--dry-run's registers differ from cvm-measure's: $dry"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
secs=${TDX_SMOKE_SECONDS:-120}
qgs=()
[ -n "${TDX_SMOKE_QGS:-}" ] && qgs=(--tdx-qgs "$TDX_SMOKE_QGS")
"$RUN" --tee tdx --firmware "$fw" -m 2G -c 2 "${boot[@]}" "${qgs[@]}" --timeout "$secs" \
	--expect 'Linux version' --console "file:$tmp/console" 2> "$tmp/err"
st=$?
echo "--- COM1 (last lines):"; tail -n 20 "$tmp/console"
echo "--- stderr:"; cat "$tmp/err"
[ $st -eq 0 ] || fail "cvm-run --tee tdx: exit status $st (124: no Linux banner in $secs s)"
echo "PASS: TDVF booted $kernel through cvm-run's fw_cfg; the TD's quotes carry this MRTD"
echo "and, until the running guest extends them, these RTMRs:"
echo "$regs"

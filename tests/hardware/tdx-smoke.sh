#!/usr/bin/env bash
# cvm-run --tee tdx on a real Intel TDX host, in one command from the source
# tree (not part of `make check`: no development machine has TDX):
#
#     tests/hardware/tdx-smoke.sh [TDVF-IMAGE]
#
# Builds if needed; SKIPs (exit 77, the reason on the last line) without a
# TDX-capable KVM; checks that --dry-run's MRTD is cvm-measure's; launches
# the TDVF image as a 2-vCPU, 2 GiB TD for $TDX_SMOKE_SECONDS (30) seconds
# and passes when it ran until then (or shut down) without a KVM or TDX
# error.  The image: the argument, $TDVF, Debian's ovmf-inteltdx
# (/usr/share/ovmf/OVMF.inteltdx.fd), or the vector image.
# $TDX_SMOKE_QGS (e.g. unix:/var/run/tdx-qgs/qgs.socket) is passed as
# --tdx-qgs.  It prints the MRTD the TD's quotes must carry.
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

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
secs=${TDX_SMOKE_SECONDS:-30}
qgs=()
[ -n "${TDX_SMOKE_QGS:-}" ] && qgs=(--tdx-qgs "$TDX_SMOKE_QGS")
"$RUN" --tee tdx --firmware "$fw" -m 2G -c 2 "${qgs[@]}" --timeout "$secs" \
	--console "file:$tmp/console" 2> "$tmp/err"
st=$?
echo "--- COM1 (last lines):"; tail -n 20 "$tmp/console"
echo "--- stderr:"; cat "$tmp/err"
case $st in
124) echo "the TD ran for $secs s" ;;
0) echo "the TD ended by itself" ;;
*) fail "cvm-run --tee tdx: exit status $st" ;;
esac
[ -s "$tmp/console" ] || echo "note: TDVF wrote nothing to COM1 (release builds may stay quiet)"
echo "PASS: TD launched from $fw; its quotes must report $want"

#!/usr/bin/env bash
# extract-vmlinux.sh BZIMAGE OUT: writes the ELF vmlinux inside an
# LZ4-compressed bzImage (Debian's) to OUT.  The payload is a legacy LZ4
# frame (magic 02 21 4c 18); lz4 stops at the frame's end by itself.
set -euo pipefail
in=$1 out=$2
command -v lz4 >/dev/null || { echo "extract-vmlinux: lz4 is not installed" >&2; exit 3; }
off=$(LC_ALL=C grep -obUaP '\x02\x21\x4c\x18' "$in" | head -n 1 | cut -d: -f1)
[ -n "$off" ] || { echo "extract-vmlinux: $in: no LZ4 payload" >&2; exit 2; }
tmp=$out.tmp.$$
tail -c +$((off + 1)) "$in" | lz4 -dc > "$tmp" 2>/dev/null || true
[ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
	{ rm -f "$tmp"; echo "extract-vmlinux: $in: payload is not an ELF" >&2; exit 2; }
mv "$tmp" "$out"

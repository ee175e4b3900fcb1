#!/usr/bin/env bash
# A stock Debian 6.1 kernel (not ours) through PVH on guest_memfd: its
# banner, our exact command line, the initrd where we put it, and a Memory:
# line consistent with -m.  On the emulated KVM of the development machines
# it gets no further, so --expect stops it there.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/real-kernel.sh"
need_kvm
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
real_kernel__prepare "$tmp"
"$RUN" -k "$tmp/vmlinux" -i "$RK_INITRD" -m "$RK_MEM" -p "$RK_CMDLINE" \
	--memory-backend guest-memfd --timeout 300 --expect "$RK_EXPECT" > "$tmp/out" 2> "$tmp/err"
st=$?
[ $st -eq 0 ] || { tail -n 20 "$tmp/out" "$tmp/err"; fail "kernel did not reach Memory: (status $st)"; }
real_kernel__check "$tmp/out"

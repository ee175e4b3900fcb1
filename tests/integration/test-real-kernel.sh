#!/usr/bin/env bash
# A stock Debian 6.1 kernel (not ours) through PVH on guest_memfd: its
# banner, our exact command line, the initrd where we put it, and a Memory:
# line consistent with -m.  On the emulated KVM of the development machines
# it gets no further, so --expect stops it there.
. "$(dirname "$0")/lib.sh"
need_kvm
command -v lz4 >/dev/null || skip "lz4 is not installed"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$(dirname "$0")/extract-vmlinux.sh" "$VEC/kernel/vmlinuz-6.1.0-56-cloud-amd64" "$tmp/vmlinux" ||
	fail "cannot extract vmlinux"
cmdline="console=ttyS0 earlyprintk=serial,ttyS0 noapic cvm.test=$$"
args=(-k "$tmp/vmlinux" -i "$VEC/kernel/initrd.bin" -m 512M -p "$cmdline")

# Where the plan puts the initrd: the kernel must report the same range.
"$RUN" "${args[@]}" --dry-run > "$tmp/plan" || fail "--dry-run failed"
read -r start len _ < <(grep ' initrd$' "$tmp/plan")
[ -n "$start" ] || fail "no initrd op in the plan"
ramdisk=$(printf 'RAMDISK: \\[mem 0x%08x-0x%08x\\]' "$start" $((start + len - 1)))

"$RUN" "${args[@]}" --memory-backend guest-memfd --timeout 300 \
	--expect "Memory: [0-9]+K/[0-9]+K available" > "$tmp/out" 2> "$tmp/err"
st=$?
[ $st -eq 0 ] || { tail -n 20 "$tmp/out" "$tmp/err"; fail "kernel did not reach Memory: (status $st)"; }
grep -q "Linux version 6.1.0-" "$tmp/out" || fail "no Linux banner"
grep -qF "Command line: $cmdline" "$tmp/out" || fail "kernel did not echo our command line"
grep -q "$ramdisk" "$tmp/out" || { grep RAMDISK "$tmp/out"; fail "no '$ramdisk'"; }
# Total pages in the Memory: line: close to 512 MiB, below it.
total=$(sed -n 's/.*Memory: [0-9]*K\/\([0-9]*\)K available.*/\1/p' "$tmp/out")
[ "$total" -gt $((480 * 1024)) ] && [ "$total" -le $((512 * 1024)) ] ||
	fail "Memory: total ${total}K is not consistent with -m 512M"

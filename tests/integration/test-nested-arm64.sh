#!/usr/bin/env bash
# A real arm64 KVM in protected mode (pKVM) where this machine has none:
# Debian's arm64 kernel under qemu-system-aarch64's TCG with EL2 and
# kvm-arm.mode=protected (nested-arm64.sh).  Until cvm-run runs on arm64,
# the cases prove the host: the kernel, /dev/kvm, protected mode in dmesg.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/nested-arm64.sh"

nested_arm64__need
dir=$BUILD/nested-arm64
nested_arm64__root "$dir"
cat >"$dir/root/cases.sh" <<'CASES'
case_ uname uname -r
case_ kvm-dev ls -l /dev/kvm
case_ kvm-mode sh -c "dmesg | grep 'kvm \['"
CASES
nested_arm64__run "$dir" protected
log=$dir/console.log
echo "nested arm64 host: Linux $(sed -n 's/^uname: //p' "$log"), kvm-arm.mode=protected," \
	"/init at $NESTED_INIT_UPTIME s of L1 uptime, done after $NESTED_SECONDS s"
nested__status "$log" uname 0
nested__match "$log" uname '7\.[0-9.]+\+deb[0-9]+-arm64$'
nested__status "$log" kvm-dev 0
nested__match "$log" kvm-dev 'crw.* 10, +[0-9]+ .* /dev/kvm$'
nested__status "$log" kvm-mode 0
nested__match "$log" kvm-mode '.*kvm \[[0-9]+\]: Protected (h|n)VHE mode initialized successfully$'

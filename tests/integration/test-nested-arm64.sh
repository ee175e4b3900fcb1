#!/usr/bin/env bash
# A real arm64 KVM in protected mode (pKVM) where this host has none:
# Debian's arm64 kernel under qemu-system-aarch64's TCG with EL2 and
# kvm-arm.mode=protected (nested-arm64.sh).  Until cvm-run runs on arm64,
# the cases prove the host: /dev/kvm, protected mode in dmesg, the kernel.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/nested-arm64.sh"

nested_arm64__setup "$BUILD/nested-arm64"
cat >"$NA_ROOT/cases.sh" <<'CASES'
case_ uname uname -r
case_ kvm-dev ls -l /dev/kvm
case_ kvm-mode sh -c "dmesg | grep 'kvm \['"
CASES
nested_arm64__boot protected
echo "nested arm64 host: Linux $(sed -n 's/^uname: //p' "$NA_LOG"), kvm-arm.mode=protected," \
	"/init at $NA_INIT_UPTIME s of L1 uptime, done after $NA_SECONDS s"
nested_arm64__status uname 0
nested_arm64__match uname '7\.[0-9.]+\+deb[0-9]+-arm64$'
nested_arm64__status kvm-dev 0
nested_arm64__match kvm-dev 'crw.* 10, +[0-9]+ .* /dev/kvm$'
nested_arm64__status kvm-mode 0
nested_arm64__match kvm-mode '.*kvm \[[0-9]+\]: Protected (h|n)VHE mode initialized successfully$'

#!/usr/bin/env bash
# No leaks and no invalid accesses under valgrind on the main paths of both
# programs, and in the unit suites of the conversion engine and of running
# guests' exits on the fake kernel (the SAN=1 run has ASan for that instead).
. "$(dirname "$0")/lib.sh"
[ "${CVM_SAN:-}" != 1 ] || skip "ASan build: valgrind does not run sanitized binaries"
command -v valgrind >/dev/null || skip "valgrind is not installed"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
vg() {  # vg WANT_STATUS CMD...: no valgrind error, the command's own status
	local want=$1; shift
	(cd "$VEC" && valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 "$@") > /dev/null 2> "$tmp/err"
	local st=$?
	[ $st -eq "$want" ] || { cat "$tmp/err"; fail "$* exited $st, want $want"; }
}
vg 0 "$MEASURE" --mode snp --vcpus 2 --vcpu-type EPYC-v4 --ovmf firmware/OVMF.amdsev.fd \
	--kernel kernel/vmlinuz-6.1.0-56-cloud-amd64 --initrd kernel/initrd.bin --append x \
	--output-format json
vg 0 "$MEASURE" --mode tdx --ovmf firmware/OVMF.inteltdx.ms.fd --memory 2G \
	--kernel kernel/vmlinuz-6.1.0-56-cloud-amd64 --initrd kernel/initrd.bin --append x \
	--acpi-tables acpi/quex_1c-nic.bin --acpi-rsdp acpi/quex_1c-nic.rsdp.bin \
	--acpi-loader acpi/quex_1c-nic.table-loader.bin --output-format json
vg 2 "$MEASURE" --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf firmware/bookworm_OVMF_CODE_4M.fd \
	--kernel kernel/empty
vg 0 "$MEASURE" firmware-info --ovmf firmware/OVMF.amdsev.fd --json
vg 0 "$MEASURE" --mode cca --realm-ops cca/ops/pub-kvmtool-fw.ops --rmm 1.0 --output-format json -v
vg 2 "$MEASURE" --mode cca --realm-ops cca/ops/pub-qemu-bios.ops
# Matrices over vCPUs and memory: plans let go and kept, the RIM memo.
vg 0 "$MEASURE" --mode cca --kernel cca/inputs/linux.bin --initrd cca/inputs/initrd.bin \
	--vcpus 1-3 --memory 256M,4G --output-format json -v
vg 0 "$MEASURE" --mode tdx --tdx-vmm cvm-run --ovmf firmware/OVMF.inteltdx.ms.fd \
	--kernel kernel/vmlinuz-6.1.0-56-cloud-amd64 --initrd kernel/initrd.bin --vcpus 1,2 \
	--memory 1G,2G --output-format json
vg 0 "$RUN" -k "$BUILD/guest/cvm-guest.bzimage" -i kernel/initrd.bin -p x -c 4 --dry-run
vg 0 "$RUN" --firmware firmware/bookworm_OVMF.fd -k kernel/vmlinuz-6.1.0-56-cloud-amd64 \
	-i kernel/initrd.bin -p x -c 2 --dry-run
vg 2 "$RUN" -k kernel/initrd.bin
vg 0 "$RUN" --tee tdx --firmware firmware/OVMF.inteltdx.ms.fd -m 2G --dry-run
vg 0 "$RUN" --tee snp --firmware firmware/OVMF.amdsev.fd -k kernel/vmlinuz-6.1.0-56-cloud-amd64 \
	-i kernel/initrd.bin -c 2 --vcpu-type EPYC-v4 --dry-run

# Check's fork per test would hide a child's errors: one process per suite.
[ -x "$BUILD/cvm-unit" ] || fail "no $BUILD/cvm-unit (make check builds it)"
for suite in private-mem range-set vm-exits sev-exits tdx-exits; do
	CK_FORK=no CK_RUN_SUITE=$suite CVM_SHARED=$(cd "$SHARED" && pwd) vg 0 "$BUILD/cvm-unit"
done
exit 0

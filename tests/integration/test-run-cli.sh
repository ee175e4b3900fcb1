#!/usr/bin/env bash
# cvm-run's command line, without needing KVM: help, bad input (one line,
# exit 2, naming the file or option), --dry-run, and `check`.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
guest=$BUILD/guest/cvm-guest.elf

"$RUN" --help > "$tmp/out" || fail "--help failed"
for o in --kernel --initrd --params --mem --cpus --console --timeout --expect \
	--config --memory-backend --cpuid-disable --tee --firmware --firmware-log --mrconfigid \
	--mrowner --mrownerconfig --tdx-qgs; do
	grep -q -- "$o" "$tmp/out" || fail "--help does not document $o"
done
# Units and ranges: -m in MiB or with a unit, the vCPU range, seconds.
grep -q -- "--mem SIZE .*MiB, or with a unit K/M/G/T.*16M in whole 4 KiB pages up to what KVM memslots hold" "$tmp/out" || fail "--help: -m units"
grep -q -- "--cpus N .*vCPUs, 1-[0-9]" "$tmp/out" || fail "--help: --cpus range"
grep -q -- "--timeout SECONDS .*seconds" "$tmp/out" || fail "--help: --timeout unit"
grep -q -- "^125 when the guest ended before --expect matched" "$tmp/out" || fail "--help: exit status 125"

bad /nonexistent/vmlinux -k /nonexistent/vmlinux
bad --mem -k "$guest" -m 12Q
bad --cpus -k "$guest" -c 0
bad --frobnicate -k "$guest" --frobnicate
bad --kernel -m 1G
bad --cpuid-disable -k "$guest" --cpuid-disable=xsave,warp-drive
head -c 1000 "$guest" > "$tmp/truncated"
bad "$tmp/truncated" -k "$tmp/truncated"
printf 'MZ not a kernel' > "$tmp/junk"
bad "$tmp/junk" -k "$tmp/junk"
printf '[vm]\nkernel = %s\ncpus = many\n' "$guest" > "$tmp/bad.ini"
bad "$tmp/bad.ini:3: cpus" --config "$tmp/bad.ini"
ovmf=$VEC/firmware/bookworm_OVMF.fd
bad "--params: a firmware boot takes it only with --kernel" --firmware "$ovmf" -p quiet
bad "$guest: not a bzImage" --firmware "$ovmf" -k "$guest"
printf '[vm]\nkernel = %s\nmem = 1G ; one gig\n' "$guest" > "$tmp/bad.ini"
bad "$tmp/bad.ini:3: mem: ';' after a blank" --config "$tmp/bad.ini"
printf '[vm]\nparams = a\n  b\n' > "$tmp/bad.ini"
bad "$tmp/bad.ini:3: indented line" --config "$tmp/bad.ini"
bad "--config $tmp: " --config "$tmp"

# A config's paths are relative to the config file, wherever cvm-run runs;
# -m without a unit is MiB and takes fractions, as QEMU's.
mkdir -p "$tmp/cfg"
cp "$guest" "$tmp/guest.elf"
printf '[vm]\nkernel = ../guest.elf\nmem = 1536\n' > "$tmp/cfg/vm.ini"
(cd / && "$RUN" --config "$tmp/cfg/vm.ini" --dry-run) > "$tmp/plan" || fail "relative config path"
"$RUN" --config "$tmp/cfg/vm.ini" -m 1.5G --dry-run > /dev/null || fail "-m 1.5G"
bad "--mem: 100000000: more than 64 TiB" -k "$guest" -m 100000000
bad "--mem: '1.3M' is not a size" -k "$guest" -m 1.3M
"$RUN" --version | grep -qx "cvm-run [0-9.]*" || fail "--version"

"$RUN" -k "$guest" -i "$guest" -p "hello" -c 2 --dry-run > "$tmp/plan" || fail "--dry-run failed"
grep -q "entry: x86 PVH" "$tmp/plan" || fail "--dry-run: no PVH entry"
grep -q " initrd$" "$tmp/plan" || fail "--dry-run: no initrd op"
"$RUN" -k "$BUILD/guest/cvm-guest.bzimage" --dry-run > "$tmp/plan" || fail "bzImage --dry-run failed"
grep -q "entry: x86 64-bit Linux" "$tmp/plan" || fail "--dry-run: no 64-bit entry"
grep -q " acpi-rsdp$" "$tmp/plan" || fail "--dry-run: no ACPI tables on a direct boot"
# A firmware boot: the image below 4 GiB, everything else a fw_cfg item.
"$RUN" --firmware "$ovmf" -k "$BUILD/guest/cvm-guest.bzimage" -i "$guest" -p hello -c 2 \
	--dry-run > "$tmp/plan" || fail "firmware --dry-run failed"
grep -q "^0x00000000ffe00000 *0x200000 load *firmware$" "$tmp/plan" || fail "--dry-run: firmware"
for f in etc/e820 etc/acpi/rsdp etc/acpi/tables etc/table-loader; do
	grep -q "^fw_cfg .* file *$f$" "$tmp/plan" || fail "--dry-run: no fw_cfg file $f"
done
[ "$(grep -c "^fw_cfg .* key " "$tmp/plan")" -eq 15 ] || fail "--dry-run: not 15 fw_cfg keys"
grep -q "entry: reset state" "$tmp/plan" || fail "--dry-run: firmware entry"

# --tee tdx: the vector firmware's plan and the MRTD of its single-pass row.
tdvf=$VEC/firmware/OVMF.inteltdx.ms.fd
"$RUN" --tee tdx --firmware "$tdvf" -m 2G --dry-run > "$tmp/plan" || fail "tdx --dry-run failed"
want=$(awk -F'\t' '$1 == "tdx-mrtd-01" { print $4 }' "$VEC/EXPECTED-tdx.tsv")
grep -qx "mrtd=$want" "$tmp/plan" || { cat "$tmp/plan"; fail "tdx --dry-run: not mrtd=$want"; }
grep -q "tdx-add+extend TDVF\[0\] BFV$" "$tmp/plan" || fail "tdx --dry-run: no BFV op"
bad --mrowner --tee tdx --firmware "$tdvf" --mrowner 1234
bad "only for --tee tdx" -k "$guest" --tdx-qgs /run/qgs.sock

"$RUN" check > "$tmp/out" 2> "$tmp/err"
st=$?
if [ $st -eq 0 ]; then
	grep -q "guest_memfd" "$tmp/out" || fail "check: no guest_memfd line"
else
	[ $st -eq 3 ] || fail "check: status $st, want 0 or 3"
	[ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "check: reason is not one line"
	# Without KVM a boot must fail the same way: status 3, one line.
	"$RUN" -k "$guest" > "$tmp/out" 2> "$tmp/err"
	[ $? -eq 3 ] || fail "boot without KVM: want status 3"
	[ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "boot without KVM: not one line"
fi
exit 0

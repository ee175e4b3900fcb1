#!/usr/bin/env bash
# cvm-run --tee snp|sev-es|sev as a program, without SEV hardware: --dry-run
# prints the launch plan and ends with the digest cvm-measure prints for the
# same inputs (and EXPECTED-sev.tsv has); SEV options without an SEV --tee,
# or bad ones, are one line and status 2.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fw=$VEC/firmware/OVMF.amdsev.fd
k=$VEC/kernel/vmlinuz-6.1.0-56-cloud-amd64
i=$VEC/kernel/initrd.bin
p='console=ttyS0 root=/dev/vda1 ro'

row() {  # row 'cvm-measure arguments': the expected digest of that row
	local d
	d=$(awk -F'\t' -v a="$1" '$2 == a { print $3 }' "$VEC/EXPECTED-sev.tsv")
	[ -n "$d" ] || { echo "FAIL: EXPECTED-sev.tsv has no row $1" >&2; exit 1; }
	echo "$d"
}

last() { tail -n 1 "$tmp/plan"; }

"$RUN" --tee snp --firmware "$fw" -k "$k" -i "$i" -p "$p" -c 4 --vcpu-type EPYC-Milan \
	--dry-run > "$tmp/plan" || fail "snp --dry-run failed"
want=$(row "--mode snp --vcpus 4 --vcpu-type EPYC-Milan --ovmf firmware/OVMF.amdsev.fd --kernel kernel/vmlinuz-6.1.0-56-cloud-amd64 --initrd kernel/initrd.bin --append 'console=ttyS0 root=/dev/vda1 ro'") || exit 1
[ "$(last)" = "$want" ] || fail "snp -c 4 EPYC-Milan: --dry-run ends with $(last), the row says $want"
grep -q "cpuid *CPUID$" "$tmp/plan" || fail "--dry-run shows no CPUID page"
[ "$(grep -c ' vmsa ' "$tmp/plan")" -eq 4 ] || fail "--dry-run: not 4 VMSAs"

"$RUN" --tee snp --firmware "$fw" -k "$k" -i "$i" -p "$p" -c 1 --vcpu-type EPYC-v4 \
	--dry-run > "$tmp/plan" || fail "snp -c 1 --dry-run failed"
want=$(row "--mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf firmware/OVMF.amdsev.fd --kernel kernel/vmlinuz-6.1.0-56-cloud-amd64 --initrd kernel/initrd.bin --append 'console=ttyS0 root=/dev/vda1 ro'") || exit 1
[ "$(last)" = "$want" ] || fail "snp -c 1 EPYC-v4: --dry-run ends with $(last), the row says $want"

# The issue's command: no row has 4 vCPUs of EPYC-v4 with this kernel, so
# cvm-measure (which agrees with every row) is the reference.
"$RUN" --tee snp --firmware "$fw" -k "$k" -i "$i" -p "$p" -c 4 --vcpu-type EPYC-v4 \
	--dry-run > "$tmp/plan" || fail "snp -c 4 EPYC-v4 --dry-run failed"
want=$("$MEASURE" --mode snp --vcpus 4 --vcpu-type EPYC-v4 --ovmf "$fw" --kernel "$k" \
	--initrd "$i" --append "$p") || fail "cvm-measure failed"
[ "$(last)" = "$want" ] || fail "snp -c 4 EPYC-v4: --dry-run ends with $(last), cvm-measure says $want"

"$RUN" --tee sev-es --firmware "$fw" -k "$k" -i "$i" -p "$p" -c 4 --vcpu-type EPYC-v4 \
	--dry-run > "$tmp/plan" || fail "sev-es --dry-run failed"
want=$(row "--mode seves --vcpus 4 --vcpu-type EPYC-v4 --ovmf firmware/OVMF.amdsev.fd --kernel kernel/vmlinuz-6.1.0-56-cloud-amd64 --initrd kernel/initrd.bin --append 'console=ttyS0 root=/dev/vda1 ro'") || exit 1
[ "$(last)" = "$want" ] || fail "sev-es: --dry-run ends with $(last), the row says $want"

"$RUN" --tee sev --firmware "$fw" -k "$k" --dry-run > "$tmp/plan" || fail "sev --dry-run failed"
want=$(row "--mode sev --ovmf firmware/OVMF.amdsev.fd --kernel kernel/vmlinuz-6.1.0-56-cloud-amd64") || exit 1
[ "$(last)" = "$want" ] || fail "sev: --dry-run ends with $(last), the row says $want"

bad --vcpu-type -k "$k" --vcpu-type EPYC-v4
bad --snp-policy --tee sev-es --firmware "$fw" --snp-policy 0x30000
bad --host-data --tee snp --firmware "$fw" --host-data xyz
bad MIGRATE_MA --tee snp --firmware "$fw" --snp-policy 0x70000
bad --vcpu-type --tee snp --firmware "$fw" --dry-run
bad --firmware --tee snp -k "$k" --vcpu-type EPYC-v4 --dry-run
printf '[vm]\ntee = snp\nfirmware = %s\nvcpu-type = EPYC-v9\n' "$fw" > "$tmp/bad.ini"
bad "$tmp/bad.ini:4" --config "$tmp/bad.ini" --dry-run

"$RUN" --help > "$tmp/out" || fail "--help failed"
for o in --vcpu-type --vcpu-sig --vcpu-family --guest-features --snp-policy --id-block \
	--id-auth --host-data --snp-certs --snp-cpuid-fixup; do
	grep -q -- "$o" "$tmp/out" || fail "--help does not document $o"
done
exit 0

#!/usr/bin/env bash
# Hostile inputs to both programs, as issue 15 lists them: FIFOs, devices,
# directories, huge and sparse files, all-zero configs, regex bombs, sizes
# no host can honour, output files after a failure, and non-UTF-8 JSON.
# Each gets one line naming the file or option and its exit status, never a
# hang (every run is under a timeout), nothing on stdout, no file left.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
guest=$BUILD/guest/cvm-guest.elf
amd=$VEC/firmware/OVMF.amdsev.fd
tdx=$VEC/firmware/OVMF.inteltdx.ms.fd
kernel=$VEC/kernel/vmlinuz-6.1.0-56-cloud-amd64
snp=(--mode snp --vcpus 2 --vcpu-type EPYC-v4 --ovmf "$amd")
acpi=(--acpi-rsdp "$VEC/acpi/quex_1c-nic.rsdp.bin" --acpi-loader "$VEC/acpi/quex_1c-nic.table-loader.bin")
tdxk=(--mode tdx --ovmf "$tdx" --memory 2G --kernel "$kernel" "${acpi[@]}")
tables=(--acpi-tables "$VEC/acpi/quex_1c-nic.bin")

mkfifo "$tmp/fifo"
mkdir "$tmp/dir"
head -c 4096 /dev/zero > "$tmp/zero.ini"
truncate -s 2M "$tmp/big.ini"
truncate -s 1T "$tmp/sparse-1T"
truncate -s 5G "$tmp/sparse-5G"
mkdir "$tmp/out"

# expect STATUS NEEDLE PROG ARGS...: within 20 s, status STATUS, one stderr
# line holding NEEDLE, nothing on stdout.
expect() {
	local want=$1 needle=$2 prog=$3; shift 3
	(cd "$tmp/out" && timeout 20 "$prog" "$@") > "$tmp/stdout" 2> "$tmp/stderr"
	local st=$?
	[ $st -ne 124 ] || fail "$(basename "$prog") $*: still running after 20 s"
	[ $st -eq "$want" ] || { cat "$tmp/stderr"; fail "$(basename "$prog") $*: status $st, want $want"; }
	[ "$(wc -l < "$tmp/stderr")" -eq 1 ] || { cat "$tmp/stderr"; fail "$(basename "$prog") $*: not one line"; }
	grep -qF -- "$needle" "$tmp/stderr" || { cat "$tmp/stderr"; fail "$(basename "$prog") $*: no '$needle'"; }
	[ ! -s "$tmp/stdout" ] || fail "$(basename "$prog") $*: wrote to stdout"
	[ -z "$(ls -A "$tmp/out")" ] || { ls -A "$tmp/out"; fail "$(basename "$prog") $*: left files behind"; }
	cases=$((cases + 1))
}
cases=0

# Not regular files: refused by kind, without blocking on the FIFO.
for k in fifo:"a FIFO" dir:"a directory"; do
	f=$tmp/${k%%:*} what=${k#*:}
	expect 2 "$f: $what, not a regular file" "$RUN" -k "$f" --dry-run
	expect 2 "$f: $what, not a regular file" "$RUN" -k "$guest" -i "$f" --dry-run
	expect 2 "--config $f: $what, not a regular file" "$RUN" --config "$f" -k "$guest"
	expect 2 "$f: $what, not a regular file" "$MEASURE" --mode snp --vcpus 1 --vcpu-type EPYC \
		--ovmf "$f"
	expect 2 "$f: $what, not a regular file" "$MEASURE" "${snp[@]}" --kernel "$f"
	expect 2 "$f: $what, not a regular file" "$MEASURE" --mode tdx --ovmf "$f"
	expect 2 "$f: $what, not a regular file" "$MEASURE" firmware-info --ovmf "$f"
done
expect 2 "/dev/zero: a character device, not a regular file" "$RUN" -k /dev/zero --dry-run
expect 2 "--config /dev/zero: a character device" "$RUN" --config /dev/zero -k "$guest"
expect 2 "/dev/null: a character device" "$MEASURE" "${snp[@]}" --initrd /dev/null --kernel "$kernel"
expect 2 "/dev/zero: a character device" "$MEASURE" "${tdxk[@]}" --acpi-tables /dev/zero

# Configs that are not INI text.
expect 2 "$tmp/zero.ini:1: a NUL byte: not a text file" "$RUN" --config "$tmp/zero.ini"
expect 2 "--config $tmp/big.ini: 2097152 bytes, more than a --config file allows" \
	"$RUN" --config "$tmp/big.ini"

# Huge and sparse files: sized before any work (no hashing of 5 GiB).
expect 2 "$tmp/sparse-1T: not a kernel" "$RUN" -k "$tmp/sparse-1T" --dry-run
truncate -s 64G "$tmp/sparse-64G"
expect 2 "initrd: 68719476736 bytes do not fit" "$RUN" -k "$guest" -m 1G -i "$tmp/sparse-64G" --dry-run
expect 2 "$tmp/sparse-5G: 5368709120 bytes, more than a guest's layout below 4 GiB allows" \
	"$MEASURE" "${snp[@]}" --kernel "$kernel" --initrd "$tmp/sparse-5G"
# JSON hashes every input: a huge one is refused before, and a bad input
# after a big hash started stops that hash (no 4 GiB wait on the error).
expect 2 "$tmp/sparse-1T: 1099511627776 bytes, more than a guest's layout below 4 GiB" \
	"$MEASURE" --mode snp --vcpus 1 --vcpu-type EPYC --ovmf "$tmp/sparse-1T" --output-format json
expect 2 "$tmp/sparse-1T: 1099511627776 bytes" "$MEASURE" --mode snp:svsm --vcpus 1 \
	--vcpu-type EPYC --ovmf "$VEC/sev-snp-measure/svsm_ovmf.fd" --svsm "$VEC/sev-snp-measure/svsm.bin" \
	--vars-file "$tmp/sparse-1T"
truncate -s 4000M "$tmp/sparse-4000M"
expect 2 "$tmp/fifo: a FIFO" "$MEASURE" "${snp[@]/$amd/$tmp/fifo}" --kernel "$tmp/sparse-4000M"
expect 2 "$tmp/sparse-5G: 5368709120 bytes, more than QEMU's fw_cfg allows" \
	"$MEASURE" "${tdxk[@]}" --acpi-tables "$tmp/sparse-5G"
expect 2 "$tmp/sparse-5G: 5368709120 bytes, more than a -bios image below 4 GiB allows" \
	"$MEASURE" --mode tdx --ovmf "$tmp/sparse-5G"
truncate -s 3G "$tmp/sparse-3G"
expect 2 "initrd: 3221225472 bytes, QEMU allows less than" "$MEASURE" "${tdxk[@]}" "${tables[@]}" \
	--initrd "$tmp/sparse-3G"

# Sizes no host or format allows.
expect 2 "more than KVM's limit of 0x7fffffff pages" "$RUN" -k "$guest" -m 16T --dry-run
expect 2 "--cpus: '0' is not a vCPU count" "$RUN" -k "$guest" -c 0 --dry-run
expect 2 "--vcpus 0: a guest in mode 'snp'" "$MEASURE" --mode snp --vcpus 0 --vcpu-type EPYC \
	--ovmf "$amd"

# Regex bombs: refused at once, whatever glibc would have done.
expect 2 "--expect: more than 2048 NFA states" "$RUN" -k "$guest" --dry-run \
	--expect '((a{1,100}){1,100}){1,100}'
expect 2 "--expect: at byte 1: nothing to repeat" "$RUN" -k "$guest" --dry-run --expect '*x'
printf '[vm]\nkernel = %s\nexpect = (((x{255}){255}){255})\n' "$guest" > "$tmp/bomb.ini"
expect 2 "$tmp/bomb.ini:3: expect: more than 2048 NFA states" "$RUN" --config "$tmp/bomb.ini"

# Output files: nothing written when a later step fails.
expect 2 "/nonexistent/tables: No such file" "$MEASURE" --dump-td-hob hob.bin "${tdxk[@]}" \
	--acpi-tables /nonexistent/tables
(cd "$tmp/out" && "$MEASURE" "${snp[@]}" --dump-vmsa > /dev/full 2> "$tmp/stderr")
[ $? -eq 1 ] && grep -q "stdout: write error" "$tmp/stderr" || fail "--dump-vmsa > /dev/full: $(cat "$tmp/stderr")"
[ -z "$(ls -A "$tmp/out")" ] || { ls -A "$tmp/out"; fail "--dump-vmsa left files after a failure"; }
(cd "$tmp/out" && "$MEASURE" "${snp[@]}" --dump-vmsa > /dev/null) || fail "--dump-vmsa failed"
[ "$(ls -A "$tmp/out" | tr '\n' ' ')" = "vmsa0.bin vmsa1.bin " ] || fail "--dump-vmsa wrote: $(ls -A "$tmp/out")"
rm -f "$tmp/out"/*

# JSON stays JSON whatever bytes --append and the paths hold.
"$MEASURE" "${snp[@]}" --kernel "$kernel" --append $'a\xff\xfe\x01"\\ \xc3\xa9' \
	--output-format json > "$tmp/json" || fail "json run failed"
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["options"]["append"]
assert a == "a\u00ff\u00fe\u0001\"\\ \u00e9", repr(a)' "$tmp/json" || fail "not valid JSON: $(cat "$tmp/json")"
else
	grep -qF '"append": "a\u00ff\u00fe\u0001\"\\ é"' "$tmp/json" || fail "append not escaped"
fi
echo "$cases hostile inputs refused; partial outputs and JSON checked"
exit 0

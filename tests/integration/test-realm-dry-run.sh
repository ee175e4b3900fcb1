#!/usr/bin/env bash
# cvm-measure --mode cca without --realm-ops, as a program: the RIM of what
# cvm-run --tee realm launches (a small arm64 Image, an initrd, a command
# line), equal to the arm64 cvm-run's --dry-run line (run under
# qemu-aarch64) and to the arm64 cvm-measure's; cvm-run's defaults; JSON
# inputs, options and log; a matrix of vCPU counts and memory sizes; bad
# options: exit 2, one line, no stdout.
set -u
. "$(dirname "$0")/lib.sh"
[ -x "$MEASURE" ] || fail "no $MEASURE (make all)"
command -v python3 >/dev/null || skip "python3 is missing (make deps installs it)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# An Image of 12 KiB (text_offset 0, image_size 2 MiB) and a 5000-byte initrd.
python3 - "$tmp" <<'EOF'
import struct, sys
hdr = bytearray(64)
hdr[0:4] = b"MZ\x40\xfa"
struct.pack_into("<QQQ", hdr, 8, 0, 2 << 20, 0xa)
hdr[0x38:0x3c] = b"ARM\x64"
open(sys.argv[1] + "/Image", "wb").write(bytes(hdr) + bytes((i * 7 + 3) & 0xff for i in range(12288 - 64)))
open(sys.argv[1] + "/initrd", "wb").write(bytes((i * 13 + 1) & 0xff for i in range(5000)))
EOF
K=$tmp/Image
I=$tmp/initrd
args=(--kernel "$K" --initrd "$I" --append "console=ttyAMA0 quiet" --vcpus 2 --memory 256M)

measure_run --mode cca "${args[@]}"
[ "$st" -eq 0 ] || fail "status $st: $(cat "$tmp/err")"
rim=$(cat "$tmp/out")
[[ $rim =~ ^rim=[0-9a-f]{64}$ ]] || fail "not a SHA-256 RIM: $rim"

# cvm-run's defaults are cvm-measure's: 1 vCPU, 512 MiB.
measure_run --mode cca --kernel "$K"
a=$(cat "$tmp/out")
measure_run --mode cca --kernel "$K" --vcpus 1 --memory 512M --hash sha256 --rmm 2.0
[ "$a" = "$(cat "$tmp/out")" ] || fail "the defaults differ: $a, $(cat "$tmp/out")"
[ "$a" != "$rim" ] || fail "vCPUs, memory, initrd and command line changed nothing"
measure_run --mode cca "${args[@]}" --hash sha512
[[ $(cat "$tmp/out") =~ ^rim=[0-9a-f]{128}$ ]] || fail "--hash sha512: $(cat "$tmp/out")"

# JSON: the files' digests, the options, one log step per RMI call.
measure_run --mode cca "${args[@]}" --output-format json
[ "$st" -eq 0 ] || fail "json: status $st"
python3 - "$tmp/out" "${rim#rim=}" "$(sha256sum <"$K" | cut -d' ' -f1)" \
	"$(sha256sum <"$I" | cut -d' ' -f1)" <<'EOF' || fail "JSON check failed"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["values"]["rim"] == sys.argv[2]
assert [(i["role"], i["sha256"]) for i in doc["inputs"]] == \
    [("kernel", sys.argv[3]), ("initrd", sys.argv[4])], doc["inputs"]
o = doc["options"]
assert (o["vcpus"], o["memory"], o["append"], o["rmm"], o["ipa_bits"]) == \
    (2, 256 << 20, "console=ttyAMA0 quiet", "2.0", 32), o
ops = [s["op"] for s in doc["log"]]
# create, kernel 3 + initrd 2 + DTB 1 granules, REC 0 (measured), REC 1 (not)
assert ops == ["create"] + ["data"] * 6 + ["rec", "rec"], ops
assert [s["runnable"] for s in doc["log"][-2:]] == [True, False]
assert doc["log"][-1]["rim"] == doc["log"][-2]["rim"] == sys.argv[2]
EOF

# A matrix: a line per vCPU count and memory size, each the single launch's.
measure_run --mode cca --kernel "$K" --initrd "$I" --vcpus 1,2 --memory 256M,1G
[ "$st" -eq 0 ] || fail "matrix: status $st: $(cat "$tmp/err")"
got=$(cat "$tmp/out")$'\n'
want=
for v in 1 2; do
	for m in 256M 1G; do
		measure_run --mode cca --kernel "$K" --initrd "$I" --vcpus $v --memory $m
		want+="vcpus=$v memory=$m $(cat "$tmp/out")"$'\n'
	done
done
[ "$got" = "$want" ] || fail "matrix: $got, want $want"
measure_refused "--vcpus and --memory: 4160 combinations, more than 4096" \
	--mode cca --kernel "$K" --vcpus 1-65 --memory "$(seq -s G, 1 64)G"
measure_refused "--rmm 1.0: cvm-run's realm launch (the v14 KVM ABI) is RMM 2.0's" --mode cca --kernel "$K" --rmm 1.0
measure_refused "--ipa-bits 31: 32 to 52" --mode cca --kernel "$K" --ipa-bits 31
measure_refused "--ipa-bits 32: the RAM ends at 0xc0000000, above the protected half" \
	--mode cca --kernel "$K" --memory 2G --ipa-bits 32
measure_refused "--sve-vl 100: 128 to 2048" --mode cca --kernel "$K" --sve-vl 100
measure_refused "$I: not an arm64 Image" --mode cca --kernel "$I"

# This build's cvm-run, on x86, has no realm backend: status 3, said.
if [ "$(uname -m)" = x86_64 ]; then
	"$RUN" --tee realm -k "$K" --dry-run >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ "$st" -eq 3 ] && grep -qF -- "--tee realm: this build of cvm-run has no such backend" "$tmp/err" ||
		fail "x86 cvm-run --tee realm: status $st, $(cat "$tmp/err")"
fi

# The arm64 build: its cvm-run --dry-run and cvm-measure, under qemu-aarch64.
A64=${CVM_ARM64_BUILD:-}
if [ -z "$A64" ] || [ ! -x "$A64/cvm-run" ] || [ ! -x "$A64/cvm-measure" ]; then
	echo "realm dry run: arm64 part not run: no arm64 build (make arm64)"
elif [ "$(uname -m)" != aarch64 ] && ! command -v qemu-aarch64 >/dev/null; then
	echo "realm dry run: arm64 part not run: no qemu-aarch64 (Debian qemu-user)"
elif [ "$(uname -m)" != aarch64 ] && [ "${CVM_SAN:-}" = 1 ]; then
	echo "realm dry run: arm64 part not run: sanitized binaries do not run under qemu-aarch64"
else
	exe=()
	[ "$(uname -m)" = aarch64 ] || exe=(qemu-aarch64)
	dry=$("${exe[@]}" "$A64/cvm-run" --tee realm -k "$K" -i "$I" -p "console=ttyAMA0 quiet" -c 2 \
		-m 256M --dry-run) || fail "arm64 cvm-run --dry-run failed"
	[ "$(tail -n 1 <<<"$dry")" = "$rim" ] || fail "arm64 cvm-run --dry-run: $(tail -n 1 <<<"$dry"), want $rim"
	grep -q "realm-data     kernel" <<<"$dry" || fail "the dry run lists no kernel: $dry"
	[ "$("${exe[@]}" "$A64/cvm-measure" --mode cca "${args[@]}")" = "$rim" ] ||
		fail "the arm64 cvm-measure differs"
fi
echo "realm dry run: cvm-measure --mode cca = cvm-run --tee realm --dry-run ($rim)"

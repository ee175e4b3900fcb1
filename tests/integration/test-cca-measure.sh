#!/usr/bin/env bash
# cvm-measure --mode cca as a program: every row of EXPECTED-cca.tsv through
# --realm-ops (with and without --rmm/--hash where they do not change the
# result), --verbose against the .trace files, JSON and CoRIM parsed back with
# python3, and bad options and hostile scripts: exit 2, one line, no stdout.
set -u
. "$(dirname "$0")/lib.sh"
CCA=$VEC/cca
[ -x "$MEASURE" ] || fail "no $MEASURE (make all)"
command -v python3 >/dev/null || skip "python3 is missing (make deps installs it)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect_rim WANT ARGS...: exactly "rim=WANT" on stdout, nothing on stderr
expect_rim() {
	local want=$1
	shift
	measure_run "$@"
	[ "$st" -eq 0 ] || fail "$*: status $st: $(cat "$tmp/err")"
	[ "$(cat "$tmp/out")" = "rim=$want" ] || fail "$*: got '$(cat "$tmp/out")', want rim=$want"
	[ ! -s "$tmp/err" ] || fail "$*: stderr: $(cat "$tmp/err")"
}

rows=0
while IFS=$'\t' read -r name rmm algo rim _; do
	case $name in '#'*) continue ;; esac
	ops=$CCA/ops/$name.ops
	for v in 1.0 2.0; do
		case $rmm in *"$v"*) expect_rim "$rim" --mode cca --realm-ops "$ops" --rmm "$v" ;; esac
	done
	expect_rim "$rim" --mode cca --realm-ops "$ops" --rmm "${rmm%%+*}" --hash "$algo"
	# Without --rmm when no step differs (sha384 exists under 2.0 only).
	if [ "$rmm" = 1.0+2.0 ] || [ "$algo" = sha384 ]; then
		expect_rim "$rim" --mode cca --realm-ops "$ops"
	fi
	rows=$((rows + 1))
done <"$CCA/EXPECTED-cca.tsv"
[ "$rows" -ge 15 ] || fail "only $rows rows in EXPECTED-cca.tsv"

# Paths in a script are relative to its directory, whatever the cwd.
want=$(awk -F'\t' '$1 == "pub-qemu-kernel" {print $4}' "$CCA/EXPECTED-cca.tsv")
(cd "$CCA" && expect_rim "$want" --mode cca --realm-ops ops/pub-qemu-kernel.ops --rmm 1.0) || exit 1
(cd / && expect_rim "$want" --mode cca --realm-ops "$CCA/ops/pub-qemu-kernel.ops" --rmm 1.0) || exit 1

# base64: the same bytes.
measure_run --mode cca --realm-ops "$CCA/ops/pub-qemu-kernel.ops" --rmm 1.0 --output-format base64
[ "$(sed 's/^rim=//' "$tmp/out" | base64 -d | od -An -tx1 -v | tr -d ' \n')" = "$want" ] ||
	fail "base64 output does not decode to the RIM: $(cat "$tmp/out")"

# --verbose: one line per RMI call, the RIM column equal to the .trace's.
for t in pub-kvmtool-fw:1.0 pub-qemu-kernel-initrd-append:1.0 syn-v2-sha384:2.0; do
	name=${t%%:*}
	measure_run --mode cca --realm-ops "$CCA/ops/$name.ops" --rmm "${t#*:}" --verbose
	[ "$st" -eq 0 ] || fail "$name --verbose: status $st"
	grep -E '^ *[0-9]+ ' "$CCA/ops/$name.trace" | grep -v '^ *[0-9]* extend ' |
		grep -o 'RIM=[0-9a-f]*' >"$tmp/want"
	grep -o 'RIM=[0-9a-f]*' "$tmp/err" >"$tmp/got"
	cmp -s "$tmp/want" "$tmp/got" || fail "$name --verbose differs from its trace: $(diff "$tmp/want" "$tmp/got" | head -n 4)"
	[ "$(tail -n 1 "$tmp/got" | sed 's/RIM=//')" = "$(sed 's/rim=//' "$tmp/out")" ] ||
		fail "$name: last --verbose RIM is not the result"
done

# JSON: parsed back; values, inputs with their SHA-256, options, every step.
for t in pub-qemu-kernel-initrd-append:1.0:sha256 syn-v2-sha384:2.0:sha384 pub-realmcfg-sha512:2.0:sha512; do
	IFS=: read -r name v algo <<<"$t"
	want=$(awk -F'\t' -v n="$name" '$1 == n {print $4}' "$CCA/EXPECTED-cca.tsv")
	measure_run --mode cca --realm-ops "$CCA/ops/$name.ops" --rmm "$v" --output-format json
	[ "$st" -eq 0 ] || fail "$name json: status $st: $(cat "$tmp/err")"
	python3 - "$tmp/out" "$want" "$v" "$algo" "$CCA/ops/$name.ops" <<'EOF' || fail "$name: JSON check failed"
import hashlib, json, sys
doc = json.load(open(sys.argv[1]))
want, rmm, algo, ops = sys.argv[2:6]
assert doc["mode"] == "cca", doc["mode"]
assert doc["values"]["rim"] == want, doc["values"]
steps = doc["log"]
assert doc["values"]["realm_params_hash"] == steps[0]["rim"] and steps[0]["op"] == "create"
assert steps[-1]["rim"] == want
lines = [l.split()[0] for l in open(ops) if l.split() and l.split()[0] != "print"]
assert [s["op"] for s in steps] == lines, ([s["op"] for s in steps], lines)
assert [s["step"] for s in steps] == list(range(1, len(steps) + 1))
assert doc["options"]["rmm"] == rmm and doc["options"]["hash"] == algo, doc["options"]
assert doc["inputs"][0]["role"] == "realm-ops" and doc["inputs"][0]["path"] == ops
for i in doc["inputs"]:
    assert i["sha256"] == hashlib.sha256(open(i["path"], "rb").read()).hexdigest(), i
for s in steps:
    assert len(s["rim"]) == len(want)
    if s["op"] == "data":
        assert s["measured"] == ("content" in s)
    if s["op"] == "rec":
        assert s["runnable"] == ("content" in s) and len(s["gprs"]) == 8
    if s["op"] == "ripas":
        assert s["measured"] == (rmm == "1.0")
EOF
done

# CoRIM: a CoMID whose instance and rim register are the RIM; deterministic.
for name in pub-qemu-bios syn-v2-sha384 pub-realmcfg-sha512; do
	want=$(awk -F'\t' -v n="$name" '$1 == n {print $4}' "$CCA/EXPECTED-cca.tsv")
	algo=$(awk -F'\t' -v n="$name" '$1 == n {print $3}' "$CCA/EXPECTED-cca.tsv")
	v=$(awk -F'\t' -v n="$name" '$1 == n {print substr($2, 1, 3)}' "$CCA/EXPECTED-cca.tsv")
	measure_run --mode cca --realm-ops "$CCA/ops/$name.ops" --rmm "$v" --output-format corim
	[ "$st" -eq 0 ] || fail "$name corim: status $st: $(cat "$tmp/err")"
	cp "$tmp/out" "$tmp/corim1"
	python3 - "$tmp/out" "$want" "$algo" <<'EOF' || fail "$name: CoRIM check failed"
import base64, json, sys, uuid
doc = json.load(open(sys.argv[1]))
rim, algo = bytes.fromhex(sys.argv[2]), sys.argv[3]
assert uuid.UUID(doc["tag-identity"]["id"]).version == 8
assert doc["tag-identity"]["version"] == 0
rv = doc["triples"]["reference-values"]
assert len(rv) == 1
inst = rv[0]["environment"]["instance"]
assert inst["type"] == "bytes" and base64.b64decode(inst["value"]) == rim
regs = rv[0]["measurements"][0]["value"]["integrity-registers"]
assert list(regs) == ["rim"] and regs["rim"]["key-type"] == "text"
name, b64 = regs["rim"]["value"][0].split(";")
assert name == algo.replace("sha", "sha-") and base64.b64decode(b64) == rim
EOF
	measure_run --mode cca --realm-ops "$CCA/ops/$name.ops" --rmm "$v" --output-format corim
	cmp -s "$tmp/out" "$tmp/corim1" || fail "$name: CoRIM differs between two runs"
done

# Options that do not go together, and --mode cca without a script.
ops=$CCA/ops/pub-qemu-kernel.ops
measure_refused "--mode cca: give --kernel (cvm-run --tee realm's launch) or --realm-ops FILE" --mode cca
measure_refused "--mode cca: give --kernel" --mode cca --rmm 1.0
measure_refused "--ovmf: not an option of --mode cca (only of sev, seves, snp, snp:ovmf-hash, snp:svsm, tdx)" \
	--mode cca --realm-ops "$ops" --ovmf x.fd
measure_refused "--vcpus: not with --realm-ops (the script's create and data lines say what it launches)" \
	--mode cca --vcpus 2 --realm-ops "$ops"
measure_refused "--realm-ops: not an option of --mode snp (only of cca)" --mode snp --ovmf x.fd --realm-ops "$ops"
measure_refused "--rmm: not an option of --mode tdx (only of cca)" --rmm 1.0 --mode tdx --ovmf x.fd
measure_refused "--output-format corim: not for --mode tdx" --mode tdx --ovmf x.fd --output-format corim
measure_refused "--output-format rvps: not for --mode cca" --mode cca --realm-ops "$ops" --output-format rvps
measure_refused "--rmm 3.0: expected 1.0 or 2.0" --mode cca --realm-ops "$ops" --rmm 3.0
measure_refused "--hash md5: expected sha256, sha384 or sha512" --mode cca --realm-ops "$ops" --hash md5
for o in "--kernel $ops" "--initrd $ops" "--append x" "--memory 1G" "--ipa-bits 40" "--sve-vl 256" \
	"--pmu-num-ctrs 2" "--num-bps 2" "--num-wps 2" --lpa2; do
	# shellcheck disable=SC2086
	measure_refused "${o%% *}: not with --realm-ops" --mode cca --realm-ops "$ops" $o
done
measure_refused "--hash sha512: $ops creates the realm with sha256" --mode cca --realm-ops "$ops" --rmm 1.0 --hash sha512
measure_refused "line 2: ripas: RMM 1.0 measures RIPAS entries and 2.0 does not: give --rmm 1.0 or --rmm 2.0" \
	--mode cca --realm-ops "$ops" --output-format json
measure_refused "create ALGO 2: sha384 needs RMM 2.0" --mode cca --realm-ops "$CCA/ops/syn-v2-sha384.ops" --rmm 1.0

# Hostile scripts: one line naming script, line and field; nothing on stdout.
mkdir "$tmp/d" "$tmp/d/sub"
mkfifo "$tmp/d/fifo"
head -c 5000 /dev/urandom >"$tmp/d/blob"
c='create 0 0 40 0 1 1 0'
hostile() {
	local want=$1 fmt
	printf '%s\n' "$c" "$2" >"$tmp/d/h.ops"
	for fmt in hex json corim; do
		measure_refused "$tmp/d/h.ops: line 2: $want" --mode cca --realm-ops "$tmp/d/h.ops" --rmm 2.0 \
			--output-format "$fmt"
	done
}
hostile "measure: unknown operation" "measure 0x1000"
hostile "data IPA 0x10z0: not a number" "data 0x10z0 1 blob 0"
hostile "data IPA 0x1800: not 4 KiB aligned" "data 0x1800 1 blob 0"
hostile "data IPA 0x8000000000: beyond the protected IPA space" "data 0x8000000000 1 blob 0"
hostile "data FILE nope: No such file or directory" "data 0x1000 1 nope 0"
hostile "data FILE sub: a directory, not a regular file" "data 0x1000 1 sub 0"
hostile "data FILE fifo: a FIFO, not a regular file" "data 0x1000 1 fifo 0"
hostile "rec: expects FLAGS PC X0" "rec 1 0x1000"
hostile "create: the realm was created at line 1" "$c"
printf '%s\n' "$c" "data 0x1000 1 blob 0" "data 0x1000 1 blob 4096" >"$tmp/d/h.ops"
measure_refused "$tmp/d/h.ops: line 3: data IPA 0x1000: overlaps the granule of line 2" \
	--mode cca --realm-ops "$tmp/d/h.ops"
measure_refused "$tmp/d/none.ops: No such file or directory" --mode cca --realm-ops "$tmp/d/none.ops"
measure_refused "$tmp/d: a directory, not a regular file" --mode cca --realm-ops "$tmp/d"
measure_refused "$tmp/d/fifo: a FIFO, not a regular file" --mode cca --realm-ops "$tmp/d/fifo"
head -c 3000 /dev/urandom >"$tmp/d/junk.ops"
measure_run --mode cca --realm-ops "$tmp/d/junk.ops"
[ "$st" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ] ||
	fail "random bytes as a script: status $st, $(cat "$tmp/err")"

echo "cca: $rows vectors bit-exact, traces, JSON, CoRIM and bad input checked"

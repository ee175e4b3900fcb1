# Shared by the integration tests: paths and skip helpers.
# shellcheck shell=bash
BUILD=${CVM_BUILD:-$(pwd)/build}
SHARED=${CVM_SHARED:-$(pwd)/../shared}
VEC=$SHARED/vectors
RUN=$BUILD/cvm-run
MEASURE=$BUILD/cvm-measure

skip() { echo "$*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

# bad NEEDLE ARGS...: cvm-run ARGS exits 2 with one stderr line naming
# NEEDLE and nothing on stdout (the caller's $tmp holds the output).
bad() {
	local needle=$1; shift
	"$RUN" "$@" > "$tmp/out" 2> "$tmp/err"
	local st=$?
	[ $st -eq 2 ] || fail "cvm-run $*: status $st, want 2"
	[ "$(wc -l < "$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "cvm-run $*: not one line"; }
	grep -qF -- "$needle" "$tmp/err" || { cat "$tmp/err"; fail "cvm-run $*: does not name $needle"; }
	[ ! -s "$tmp/out" ] || fail "cvm-run $*: wrote to stdout"
}

# measure_run ARGS...: cvm-measure ARGS, stdout in $tmp/out, stderr in
# $tmp/err, status in $st.
measure_run() {
	"$MEASURE" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
}

# measure_refused WANT ARGS...: cvm-measure ARGS exits 2 with one stderr
# line containing WANT and nothing on stdout.
measure_refused() {
	local want=$1
	shift
	measure_run "$@"
	[ "$st" -eq 2 ] || fail "$*: status $st, want 2 ($(cat "$tmp/err"))"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$*: stderr is not one line: $(cat "$tmp/err")"
	grep -qF -- "$want" "$tmp/err" || fail "$*: '$(cat "$tmp/err")' lacks '$want'"
	[ ! -s "$tmp/out" ] || fail "$*: wrote to stdout: $(head -c 200 "$tmp/out")"
}

# Boot tests need a KVM that can create a VM here; say why not otherwise.
need_kvm() {
	local why
	why=$("$RUN" check --quiet 2>&1) || skip "no usable KVM on this host: $why"
}

# guest_initrd FILE: the QEMU guest tests' initrd (200 numbered lines) into
# FILE; its cksum CRC and size in $sum and $size.
guest_initrd() {
	for i in $(seq 1 200); do printf 'cvm-guest test initrd, line %04d\n' "$i"; done >"$1"
	read -r sum size _ < <(cksum "$1")
}

# The nested hosts' case logs (nested-x86.sh, nested-arm64.sh): each case
# prints "== case NAME", its lines as "NAME: LINE", "== status NAME N (S s)".

# nested__pack DIR: DIR/root as DIR/initramfs.gz (newc, packed by the
# host's busybox).
nested__pack() {
	(cd "$1/root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) \
		>"$1/initramfs.gz" || fail "cannot pack the initramfs"
}

# nested__finish DIR STATUS: QEMU's serial output DIR/serial.log as
# DIR/console.log (LF line ends); fails when QEMU's STATUS is not 0 or the
# cases did not reach "== done".
nested__finish() {
	tr -d '\r' <"$1/serial.log" >"$1/console.log"
	[ "$2" -eq 0 ] || { tail -n 30 "$1/console.log"; fail "QEMU status $2 ($1/console.log)"; }
	grep -q "^== done" "$1/console.log" ||
		{ tail -n 30 "$1/console.log"; fail "the nested run did not finish"; }
}

# nested__status LOG NAME N: case NAME exited with status N.
nested__status() {
	grep -q "^== status $2 $3 (" "$1" ||
		{ grep -A 20 "^== case $2\$" "$1"; fail "$2: no exit status $3"; }
}

# nested__line LOG NAME TEXT: case NAME printed the whole line TEXT.
nested__line() {
	grep -qxF "$2: $3" "$1" || { grep -A 20 "^== case $2\$" "$1"; fail "$2: no line '$3'"; }
}

# nested__match LOG NAME ERE: case NAME printed a line matching ERE.
nested__match() {
	grep -qE "^$2: $3" "$1" ||
		{ grep -A 20 "^== case $2\$" "$1"; fail "$2: no line matching '$3'"; }
}

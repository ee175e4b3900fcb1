#!/usr/bin/env bash
# --tee sw-protected against the memory converted, on the nested 7.3 KVM of
# tests/integration/nested-x86.sh (QEMU TCG with emulated SVM, one L1 CPU):
# the test guest's cvmtest.convert=N makes N random conversion requests of
# 1-8 pages (about 4.5 on average) through KVM_HC_MAP_GPA_RANGE, each one
# checked; the same guest on a plain VM, where every request is refused,
# is the cost of the exits alone.  Times are cvm-run's, exec to exit, taken
# inside L1 by bench/timer.c (medians of 5).  Nested under TCG they say how
# cost grows, not how fast a real host is.  Writes bench/plots/convert.tsv.
# usage: bench/curve-convert.sh [BUILD_DIR]     (bench/curves.sh convert)
set -u
cd "$(dirname "$0")/.." || exit 1
export CVM_BUILD=${1:-build}
. tests/integration/lib.sh
. tests/integration/nested-x86.sh
skip() { echo "convert: skipped: $*"; exit 0; }
nested__need
[ -f "$BUILD/guest/cvm-guest.elf" ] || skip "no test guest (make all)"
OUT=$BUILD/bench
dir=$OUT/nested-convert
counts="0 1000 2000 5000 10000"
mkdir -p "$dir"
nested__root "$dir"
cp "$OUT/timer" "$dir/root/bin/" || skip "no bench/timer.c build (run bench/curves.sh)"
cat > "$dir/init" <<INIT
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
# The vectors' 7.3 host has no CONFIG_SECCOMP (tests/integration/nested-init.sh).
nosec=
grep -q '^Seccomp:' /proc/self/status || nosec=--no-seccomp
for n in $counts; do
	for tee in sw-protected none; do
		echo "== curve \$tee \$n \$(timer 5 0 cvm-run --tee \$tee -k /guest/cvm-guest.elf -m 256M \
			\$nosec -p "cvmtest.convert=\$n" --timeout 900)"
	done
done
echo "== done"
poweroff -f
INIT
nested__run "$dir" "$dir/init"
printf 'requests\tsw-protected (s)\tplain VM, all refused (s)\n' > bench/plots/convert.tsv
for n in $counts; do
	# A failed timer prints no time: no value, not 0.
	sw=$(awk -v n="$n" '$2 == "curve" && $3 == "sw-protected" && $4 == n && NF >= 5 {
		print $5 / 1000 }' "$dir/console.log")
	plain=$(awk -v n="$n" '$2 == "curve" && $3 == "none" && $4 == n && NF >= 5 {
		print $5 / 1000 }' "$dir/console.log")
	if [ -z "$sw" ] || [ -z "$plain" ]; then
		grep -v '^\[' "$dir/console.log" | tail
		fail "no time for $n conversions"
	fi
	printf '%s\t%.2f\t%.2f\n' "$n" "$sw" "$plain" >> bench/plots/convert.tsv
done
echo "convert: nested 7.3 KVM under QEMU TCG, 1 vCPU, 256 MiB; L1 boot and run $NESTED_SECONDS s"

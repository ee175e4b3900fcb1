#!/usr/bin/env bash
# The test guest through both boot protocols, on 1 and 4 vCPUs, on
# guest_memfd and on anonymous memory: exit status and console lines; and
# 64 vCPUs, beyond the MP table.
. "$(dirname "$0")/lib.sh"
need_kvm
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
head -c 20000 /dev/urandom > "$tmp/initrd"
sum=$(cksum < "$tmp/initrd" | cut -d' ' -f1)

for image in elf bzimage; do
	case $image in elf) entry=pvh ;; bzimage) entry=linux64 ;; esac
	for cpus in 1 4; do
		for backend in guest-memfd anon; do
			what="$image, $cpus vCPUs, $backend"
			params="cvmtest.cpus=$cpus cvmtest.initrd=$sum"
			"$RUN" -k "$BUILD/guest/cvm-guest.$image" -i "$tmp/initrd" -c "$cpus" -m 256M \
				-p "$params" --memory-backend "$backend" --timeout 120 \
				> "$tmp/out" 2> "$tmp/err"
			st=$?
			[ $st -eq 0 ] || { cat "$tmp/out" "$tmp/err"; fail "$what: exit status $st"; }
			for line in "cvm-guest: hello ($entry entry)" \
				"cvm-guest: cmdline \"$params\"" \
				"cvm-guest: initrd 20000 bytes cksum $sum ok" \
				"cvm-guest: cpus $cpus of $cpus" \
				"cvm-guest: verdict PASS"; do
				grep -qF "$line" "$tmp/out" || { cat "$tmp/out"; fail "$what: no '$line'"; }
			done
			grep -q "^cvm-guest: e820 " "$tmp/out" || fail "$what: no e820 lines"
			[ ! -s "$tmp/err" ] || { cat "$tmp/err"; fail "$what: stderr not empty"; }
		done
	done
done

# Above the MP table's 40 vCPUs: only ACPI lists them, and they all start.
"$RUN" -k "$BUILD/guest/cvm-guest.elf" -c 64 -m 256M -p "cvmtest.cpus=64" --timeout 120 \
	> "$tmp/out" 2> "$tmp/err"
st=$?
[ $st -eq 0 ] || { cat "$tmp/out" "$tmp/err"; fail "64 vCPUs: exit status $st"; }
"$RUN" -k "$BUILD/guest/cvm-guest.elf" -c 64 --dry-run > "$tmp/plan" || fail "64 vCPUs: --dry-run failed"
grep -q " acpi-tables$" "$tmp/plan" || fail "64 vCPUs: no ACPI tables in the plan"
! grep -q " mptable$" "$tmp/plan" || fail "64 vCPUs: an MP table"
grep -qF "cvm-guest: cpus 64 of 64" "$tmp/out" || { cat "$tmp/out"; fail "64 vCPUs: not all started"; }

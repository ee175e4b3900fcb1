#!/usr/bin/env bash
# The conversion guest directly on this host's KVM: on a software-protected
# VM where the host offers one (accepted, checked page by page), and on a
# plain VM (every conversion refused, nothing lost).  The nested run of
# test-nested-kvm.sh covers both on a 7.3 KVM whatever this host has.
. "$(dirname "$0")/lib.sh"
need_kvm
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ran=0 why=

# convert NAME EXPECTED-LINE ARGS...
convert() {
	local name=$1 want=$2
	shift 2
	"$RUN" -k "$BUILD/guest/cvm-guest.elf" -m 256M --timeout 300 "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st -eq 0 ] || { cat "$tmp/out" "$tmp/err"; fail "$name: exit status $st"; }
	for l in "$want" "cvm-guest: convert bogus ranges refused: ok" "cvm-guest: verdict PASS"; do
		grep -qxF "$l" "$tmp/out" || { cat "$tmp/out"; fail "$name: no '$l'"; }
	done
	ran=$((ran + 1))
}

if "$RUN" check | grep -q '^  sw-protected  *yes'; then
	convert sw-protected "cvm-guest: convert 2000 random on 2 cpus: ok" \
		--tee sw-protected -c 2 -p "cvmtest.cpus=2 cvmtest.convert=2000"
else
	why="no software-protected VMs here ($("$RUN" check | sed -n 's/^  sw-protected  *//p'))"
fi
# kvm_pvm runs a guest's CPL0 in an emulator that never returns from a
# VMCALL/VMMCALL (the vCPU spins in the host, no exit): nothing to test.
if [ -d /sys/module/kvm_pvm ]; then
	why="${why:+$why; }kvm_pvm: a hypercall from the guest kernel never returns"
else
	convert plain "cvm-guest: convert 500 random on 2 cpus: all refused, data intact" \
		-c 2 -p "cvmtest.cpus=2 cvmtest.convert=500"
fi
[ $ran -gt 0 ] || skip "$why"
[ -z "$why" ] || echo "not run: $why"

# Shared by the integration tests: paths and skip helpers.
# shellcheck shell=bash
BUILD=${CVM_BUILD:-$(pwd)/build}
SHARED=${CVM_SHARED:-$(pwd)/../shared}
VEC=$SHARED/vectors
RUN=$BUILD/cvm-run
MEASURE=$BUILD/cvm-measure

skip() { echo "$*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

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

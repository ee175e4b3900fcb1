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

# Shared by the benchmarks: paths, the host, the tools, the peers.
# A benchmark is not a test: where it cannot run it prints one line saying
# why and exits 0.  Every figure is compared with a floor, a limit or a peer
# measured in the same run, interleaved (bench/timer.c), as medians.
# shellcheck shell=bash
BUILD=$(cd "${1:-build}" && pwd)
SHARED=${CVM_SHARED:-$(pwd)/../shared}
VEC=$SHARED/vectors
RUNS=${RUNS:-31}
RUN=$BUILD/cvm-run
MEASURE=$BUILD/cvm-measure
OUT=$BUILD/bench
mkdir -p "$OUT"

# host_line: which host the figures come from.
host_line() {
	local kvm cpu virt=""
	for m in kvm_pvm kvm_amd kvm_intel; do
		[ -d "/sys/module/$m" ] && { kvm=$m; break; }
	done
	[ -e /dev/kvm ] || kvm="no /dev/kvm"
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	grep -qw hypervisor /proc/cpuinfo && virt=" (itself a VM)"
	echo "host: Linux $(uname -r), ${kvm:-KVM built in}, ${cpu:-$(uname -m)}, $(nproc) CPUs$virt," \
		"load $(cut -d' ' -f1 /proc/loadavg)"
}
[ -n "${BENCH_HOST_SAID:-}" ] || host_line

# need_kvm NAME: prints the skip line and exits 0 without a usable KVM.
need_kvm() {
	local why
	why=$("$RUN" check --quiet 2>&1) || { echo "$1: skipped: no usable KVM here: $why"; exit 0; }
}

# memory_backend: what a plain VM's RAM is on this host.
memory_backend() {
	"$RUN" check 2>/dev/null | grep -q '^  plain, guest_memfd *yes' && echo guest_memfd ||
		echo "anonymous memory (no mmap-able guest_memfd)"
}

# build_tools: the timer, the hashing limit and an empty program (the bare
# cost of a process start): all a measurement benchmark needs.
build_tools() {
	local cc=${CC:-cc}
	$cc -O2 -o "$OUT/timer" bench/timer.c &&
		$cc -O2 -o "$OUT/hash-limit" bench/hash-limit.c -lcrypto -pthread &&
		echo 'int main(void) { return 0; }' | $cc -O2 -x c -o "$OUT/empty" -
}

# build_kvm_tools NAME: build_tools, the x86 bench guests (exit at once /
# idle) and the floor, bench/bare-kvm.c; elsewhere than on x86 it prints
# NAME's skip line and exits 0.
build_kvm_tools() {
	local v cc=${CC:-cc}
	[ "$(uname -m)" = x86_64 ] ||
		{ echo "$1: skipped: the bench guests and floor are x86's, this host is $(uname -m)"; exit 0; }
	build_tools && $cc -O2 -I. -o "$OUT/bare-kvm" bench/bare-kvm.c || return 1
	for v in exit idle; do
		$cc -c $([ $v = idle ] && echo -DIDLE) -o "$OUT/$v-guest.o" bench/exit-guest.S &&
			ld -m elf_x86_64 -T bench/exit-guest.ld --build-id=none -o "$OUT/$v-guest.elf" \
				"$OUT/$v-guest.o" || return 1
	done
	objcopy -O binary -j .text "$OUT/exit-guest.elf" "$OUT/exit-guest.bin"
}

# timed RUNS STATUS CMD... [:: STATUS CMD...]: per command "MEDIAN_MS MIN_MS
# RSS_KIB FAULTS CPU_MS" (bench/timer.c).
timed() { "$OUT/timer" "$@"; }

# limit_median FILE N: the median of column N of what bench/hash-limit wrote
# to FILE, without the line of the timer's untimed round.
limit_median() {
	tail -n +2 "$1" | sort -k"$2"n | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}

# hash_limit FILE START_MS: "LIMIT SPREAD ONE LONGEST CPU THREADS" from the
# medians bench/hash-limit wrote to FILE: the limit is the hashing spread
# over THREADS threads, never below the longest stream, plus the bare
# process start.
hash_limit() {
	awk -v o="$(limit_median "$1" 1)" -v k="$(limit_median "$1" 2)" -v c="$(limit_median "$1" 3)" \
	    -v s="$(limit_median "$1" 4)" -v n="$(limit_median "$1" 5)" -v st="$2" \
	    'BEGIN { printf "%.3f %.3f %.3f %.3f %.3f %d\n", (s > k ? s : k) + st, s, o, k, c, n }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# snp_measure: sets SNP_MEASURE to a command running sev-snp-measure in place
# with Debian's python3, or SNP_MEASURE_WHY to why not.  The source is not
# part of this tree: $SEV_SNP_MEASURE names a checkout or a bare clone of
# github.com/virtee/sev-snp-measure; without it one is cloned into the
# build directory (network needed).
snp_measure() {
	local src=${SEV_SNP_MEASURE:-$OUT/sev-snp-measure.git} dir=$OUT/sev-snp-measure
	SNP_MEASURE=() SNP_MEASURE_WHY=
	[ -x /usr/bin/python3 ] || { SNP_MEASURE_WHY="no /usr/bin/python3"; return 1; }
	/usr/bin/python3 -c 'import cryptography' 2>/dev/null ||
		{ SNP_MEASURE_WHY="Debian's python3-cryptography is not installed"; return 1; }
	if [ ! -e "$src" ] && ! git clone -q --bare https://github.com/virtee/sev-snp-measure \
		"$src" 2>/dev/null; then
		SNP_MEASURE_WHY="no sev-snp-measure source (set SEV_SNP_MEASURE; cloning failed)"
		return 1
	fi
	if [ -f "$src/sev-snp-measure.py" ]; then
		dir=$src
	else
		rm -rf "$dir" && mkdir -p "$dir" &&
			git --git-dir="$src" archive HEAD | tar -x -C "$dir" ||
			{ SNP_MEASURE_WHY="$src is neither a checkout nor a git repository"; return 1; }
	fi
	SNP_MEASURE=(/usr/bin/python3 "$dir/sev-snp-measure.py")
	SNP_MEASURE_VERSION=$(git --git-dir="$src" describe --tags --always 2>/dev/null ||
		echo "checkout")
}

# Shared by the benchmarks: paths, KVM check, and a median timer.
# shellcheck shell=bash
BUILD=$(cd "${1:-build}" && pwd)
SHARED=${CVM_SHARED:-$(pwd)/../shared}
RUNS=${RUNS:-15}
RUN=$BUILD/cvm-run

need_kvm() {  # prints the skip line and exits 0: a benchmark is not a test
	local why
	why=$("$RUN" check --quiet 2>&1) || { echo "$1: skipped: no usable KVM here: $why"; exit 0; }
}

# median_ms CMD...: median wall time of RUNS runs, in milliseconds (3 decimals);
# prints nothing and fails if a first, untimed run fails: that is no time.
median_ms() {
	local i t0 t1
	"$@" > /dev/null 2>&1 || return 1
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		"$@" > /dev/null 2>&1
		t1=$(date +%s%N)
		echo $((t1 - t0))
	done | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] / 1e6 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# build_bench_guests OUTDIR: exit-guest.elf/.bin (exits at once) and
# idle-guest.elf (halts forever), and the bare-kvm baseline.
build_bench_guests() {
	local out=$1 v
	mkdir -p "$out"
	for v in exit idle; do
		gcc -c $([ $v = idle ] && echo -DIDLE) -o "$out/$v-guest.o" bench/exit-guest.S || return 1
		ld -m elf_x86_64 -T bench/exit-guest.ld --build-id=none -o "$out/$v-guest.elf" \
			"$out/$v-guest.o" || return 1
	done
	objcopy -O binary -j .text "$out/exit-guest.elf" "$out/exit-guest.bin" &&
		gcc -O2 -I. -o "$out/bare-kvm" bench/bare-kvm.c
}

#!/bin/sh
# cvm-measure --mode snp against the bare cost of its inputs' digests.
#
# Times the whole cvm-measure process for a 4-vCPU SNP direct boot and a
# single-threaded hash of the same bytes (SHA-384 of the firmware, SHA-256 of
# kernel and initrd) by a tiny C hasher built here; medians of several runs.
# Target: cvm-measure within 1.2x of (hashing time / cores).  The kernel's
# SHA-256 is one sequential stream, so its time alone is also printed: no
# number of cores brings the whole run below it.
#
# usage: bench/measure-sev.sh [BUILD_DIR]     (vectors from $CVM_SHARED)
set -eu

build=${1:-build}
shared=${CVM_SHARED:-../shared}
vec=$shared/vectors
runs=${RUNS:-11}
tool=$build/cvm-measure
helper=$build/bench-sev-timer

[ -x "$tool" ] || { echo "measure-sev: build $tool first" >&2; exit 2; }
[ -d "$vec" ] || { echo "measure-sev: no vectors in $vec (set CVM_SHARED)" >&2; exit 2; }

# The helper: "hash FW KERNEL INITRD" prints the hashing time in ns, then
# that of the kernel alone; "run CMD..." prints the wall time of CMD
# (stdout discarded) in ns.
cat > "$helper.c" <<'C'
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ll + t.tv_nsec;
}

static void digest(const char *path, const EVP_MD *md)
{
	unsigned char out[EVP_MAX_MD_SIZE];
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0)
		exit(1);
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED || !EVP_Digest(p, st.st_size, out, NULL, md, NULL))
		exit(1);
	munmap(p, st.st_size);
	close(fd);
}

int main(int argc, char **argv)
{
	long long t = now(), k;
	int st;

	if (argc == 5 && !strcmp(argv[1], "hash")) {
		/* Warm the page cache first: only hashing is timed. */
		digest(argv[2], EVP_md5());
		digest(argv[3], EVP_md5());
		digest(argv[4], EVP_md5());
		t = now();
		digest(argv[2], EVP_sha384());
		k = now();
		digest(argv[3], EVP_sha256());
		k = now() - k;
		digest(argv[4], EVP_sha256());
		printf("%lld %lld\n", now() - t, k);
		return 0;
	} else if (argc > 2 && !strcmp(argv[1], "run")) {
		pid_t pid = fork();

		if (pid == 0) {
			if (!freopen("/dev/null", "w", stdout))
				_exit(127);
			execv(argv[2], argv + 2);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			return 1;
	} else {
		return 2;
	}
	printf("%lld\n", now() - t);
	return 0;
}
C
${CC:-cc} -O2 -o "$helper" "$helper.c" -lcrypto

fw=$vec/firmware/OVMF.amdsev.fd
kernel=$vec/kernel/vmlinuz-6.1.0-56-cloud-amd64
initrd=$vec/kernel/initrd.bin

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# Interleaved, so a busy machine weighs on both sides alike.
: > "$helper.hash"
: > "$helper.run"
i=0
while [ $i -lt "$runs" ]; do
	"$helper" hash "$fw" "$kernel" "$initrd" >> "$helper.hash"
	"$helper" run "$tool" --mode snp --vcpus 4 --vcpu-type EPYC-v4 --ovmf "$fw" \
		--kernel "$kernel" --initrd "$initrd" --append console=ttyS0 >> "$helper.run"
	i=$((i + 1))
done
hash_ns=$(cut -d' ' -f1 "$helper.hash" | median)
kernel_ns=$(cut -d' ' -f2 "$helper.hash" | median)
run_ns=$(median < "$helper.run")
cores=$(nproc)

awk -v h="$hash_ns" -v k="$kernel_ns" -v r="$run_ns" -v c="$cores" -v n="$runs" 'BEGIN {
	ideal = h / c
	printf "measure-sev: cvm-measure snp 4 vCPUs %.2f ms, single-thread hashing %.2f ms (kernel alone %.2f), %d cores: %.2fx of hashing/cores (target <= 1.2x; kernel floor %.2fx; medians of %d)\n",
	       r / 1e6, h / 1e6, k / 1e6, c, r / ideal, k / ideal, n
}'

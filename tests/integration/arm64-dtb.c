/* Writes the plain arm64 VM's device tree (arch/arm64/dtb.c) to stdout, for
 * tests that boot it under QEMU (-dtb):
 *   arm64-dtb MEM CPUS CMDLINE */
#include <stdio.h>
#include <stdlib.h>

#include "arch/arm64/dtb.h"
#include "arch/arm64/memmap.h"
#include "loader/error.h"
#include "loader/parse.h"

int main(int argc, char **argv)
{
	static char buf[ARM64_DTB_BASE_SIZE + 4096];
	struct arm64_dtb_cfg cfg = { 0 };
	uint64_t cpus;
	int size;

	if (argc != 4 || parse__size(argv[1], &cfg.mem_size) < 0 ||
	    parse__u64(argv[2], &cpus) < 0 || cpus < 1 || cpus > ARM64_MAX_VCPUS) {
		fprintf(stderr, "usage: arm64-dtb MEM CPUS CMDLINE\n");
		return 2;
	}
	cfg.vcpus = (uint32_t)cpus;
	cfg.cmdline = argv[3];
	size = arm64__dtb_build(buf, sizeof(buf), &cfg);
	if (size < 0) {
		fprintf(stderr, "arm64-dtb: %s\n", err__msg());
		return err__status();
	}
	return fwrite(buf, 1, (size_t)size, stdout) == (size_t)size ? 0 : 1;
}

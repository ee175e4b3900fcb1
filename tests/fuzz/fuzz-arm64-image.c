/* libFuzzer target for the arm64 Image header (arch/arm64/image.c) and the
 * boot plan built around it (arch/arm64/boot.c: placement arithmetic with
 * hostile text_offset and image_size).  What must hold: bad input is one
 * line with status 2, an accepted header keeps image.h's promises, and an
 * accepted plan lies in guest RAM. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* memfd_create */
#endif
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch/arm64/boot.h"
#include "arch/arm64/image.h"
#include "arch/arm64/memmap.h"
#include "loader/error.h"

#define MEM (64ull << 20)

static void check_error(void)
{
	if (err__status() != CVM_EXIT_BADINPUT || strchr(err__msg(), '\n'))
		__builtin_trap();
}

static void plan_from_file(const uint8_t *data, size_t size)
{
	struct arm64_boot_cfg cfg = { .mem_size = MEM, .vcpus = 2, .cmdline = "console=ttyAMA0" };
	char path[64];
	struct plan p;
	int fd = memfd_create("fuzz-arm64-image", 0);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		__builtin_trap();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	cfg.kernel = path;
	plan__init(&p);
	err__clear();
	if (arm64__build_boot_plan(&p, &cfg) < 0) {
		check_error();
	} else {
		for (size_t i = 0; i < p.nops; i++)
			if (p.ops[i].gpa < ARM64_RAM_BASE ||
			    p.ops[i].gpa + p.ops[i].len > ARM64_RAM_BASE + MEM)
				__builtin_trap();
		if (p.entry.mode != PLAN_ENTRY_ARM64_LINUX || p.entry.pc % 4096)
			__builtin_trap();
	}
	plan__exit(&p);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blob b = { .path = "fuzz", .data = size ? data : NULL, .size = size };
	struct arm64_image img;

	err__clear();
	if (arm64_image__parse(&b, &img) < 0) {
		check_error();
		return 0;
	}
	if (img.text_offset >= ARM64_KERNEL_ALIGN || img.text_offset % 4096 ||
	    img.image_size < size)
		__builtin_trap();
	plan_from_file(data, size);
	return 0;
}

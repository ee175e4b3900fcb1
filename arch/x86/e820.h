/* The guest's e820 memory map, derived from x86__ram_ranges(): the one map
 * both boot protocols hand over (boot_params' e820_table, hvm_start_info's
 * memmap) and the one the loader checks kernel and initrd placement against. */
#ifndef CVM_X86_E820_H
#define CVM_X86_E820_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/memmap.h"

enum {
	E820_TYPE_RAM      = 1,
	E820_TYPE_RESERVED = 2,
};

struct x86_e820_entry {
	uint64_t addr, size;
	uint32_t type;
};

#define X86_E820_MAX 5

struct x86_e820 {
	struct x86_e820_entry e[X86_E820_MAX];
	unsigned int n;
};

/* The map for MEM bytes of RAM (MEM > 1 MiB), sorted by address:
 * [0, MP table) RAM, MP table to EBDA end reserved, the BIOS area reserved,
 * [1 MiB, low end) RAM and, past the MMIO hole, [4 GiB, ...) RAM. */
void x86__e820_build(struct x86_e820 *m, uint64_t mem);

/* The end of the highest RAM entry: for messages saying where RAM stops. */
uint64_t x86__e820_ram_end(const struct x86_e820 *m);

/* True when [start, start+len) lies inside one RAM entry at or above 1 MiB:
 * where kernels and initrds may go.  False for len 0 or a wrapping range. */
bool x86__e820_is_high_ram(const struct x86_e820 *m, uint64_t start, uint64_t len);

#endif

/* The Linux x86 boot protocol's 64-bit entry: %rsi = struct boot_params. */
#include <asm/bootparam.h>

#include "guest.h"

#define HDRS_MAGIC	0x53726448	/* "HdrS" */

_Static_assert(sizeof(((struct boot_params *)0)->e820_table) /
	       sizeof(struct boot_e820_entry) <= MAP_MAX, "e820 table fits the map");

const char *linux__read(uint64_t info, struct guest_boot *b)
{
	const struct boot_params *bp = phys__map(info, sizeof(*bp));
	const struct setup_header *h = &bp->hdr;
	uint64_t cmdline;

	if (h->header != HDRS_MAGIC)
		return "boot_params: setup header without HdrS";
	if (bp->e820_entries > sizeof(bp->e820_table) / sizeof(bp->e820_table[0]))
		return "boot_params: e820_entries beyond the e820 table";

	b->initrd = h->ramdisk_image | (uint64_t)bp->ext_ramdisk_image << 32;
	b->initrd_size = h->ramdisk_size | (uint64_t)bp->ext_ramdisk_size << 32;
	cmdline = h->cmd_line_ptr | (uint64_t)bp->ext_cmd_line_ptr << 32;
	for (uint32_t i = 0; i < bp->e820_entries; i++)
		boot__add_mem(b, bp->e820_table[i].addr, bp->e820_table[i].size,
			      bp->e820_table[i].type);
	/* Last: it may move the window bp lives in. */
	if (cmdline)
		boot__copy_cmdline(b, cmdline);
	return NULL;
}

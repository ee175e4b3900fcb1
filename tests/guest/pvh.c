/* The PVH boot ABI (xen/include/public/arch-x86/hvm/start_info.h): the
 * loader passes %ebx = struct hvm_start_info.  Not in the installed
 * headers, so the layout is spelled out here. */
#include "guest.h"

#define HVM_START_MAGIC	0x336ec578

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;			/* version >= 1 */
	uint32_t memmap_entries, reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "hvm_memmap_table_entry");

const char *pvh__read(uint64_t info, struct guest_boot *b)
{
	struct hvm_start_info si = *(const struct hvm_start_info *)phys__map(info, sizeof(si));

	if (si.magic != HVM_START_MAGIC)
		return "hvm_start_info: bad magic";
	if (si.version < 1)
		return "hvm_start_info: version 0 has no memory map";
	if (si.memmap_entries > MAP_MAX)
		return "hvm_start_info: more memory-map entries than the guest keeps";

	/* The first module is the initrd. */
	if (si.nr_modules) {
		const struct hvm_modlist_entry *m = phys__map(si.modlist_paddr, sizeof(*m));

		b->initrd = m->paddr;
		b->initrd_size = m->size;
	}
	for (uint32_t i = 0; i < si.memmap_entries; i++) {
		const struct hvm_memmap_table_entry *e =
			phys__map(si.memmap_paddr + i * sizeof(*e), sizeof(*e));

		boot__add_mem(b, e->addr, e->size, e->type);
	}
	if (si.cmdline_paddr)
		boot__copy_cmdline(b, si.cmdline_paddr);
	return NULL;
}

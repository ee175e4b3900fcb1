/* PVH direct boot of an ELF kernel (Xen's arch-x86/hvm/start_info.h, also
 * what QEMU -kernel does for an ELF): PT_LOAD segments at their physical
 * addresses, entered in 32-bit flat mode at the XEN_ELFNOTE_PHYS32_ENTRY
 * address with %ebx = the hvm_start_info at X86_START_INFO_ADDR. */
#ifndef CVM_X86_PVH_H
#define CVM_X86_PVH_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/boot.h"
#include "loader/blob.h"

#define XEN_ELFNOTE_PHYS32_ENTRY  18
#define XEN_HVM_START_MAGIC_VALUE 0x336ec578

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;         /* 1: with the memory map */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;   /* struct hvm_modlist_entry[nr_modules] */
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;    /* struct hvm_memmap_table_entry[memmap_entries] */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;            /* e820 types */
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info v1");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "hvm_memmap_table_entry");

/* True when B starts with the ELF magic. */
bool pvh__detect(const struct blob *b);

/* Parses the ELF in B with libelf, checks its PT_LOAD segments against the
 * file and the guest's RAM (MAP), adds them at p_paddr (the p_memsz tail as
 * zeros), and fills K with the PVH entry.  -1 + err__set() naming B's path
 * and what is wrong. */
int pvh__load(struct plan *p, const struct blob *b, const struct x86_e820 *map,
	      struct x86_kernel *k);

/* Adds hvm_start_info v1, its module list (the initrd) and memory map at
 * X86_START_INFO_ADDR. */
int pvh__add_start_info(struct plan *p, const struct x86_boot_info *info);

#endif

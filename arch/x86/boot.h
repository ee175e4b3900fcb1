/* Booting a plain x86 VM: a PVH ELF or a bzImage, an initrd and a command
 * line turned into a launch plan (PLAN_LOAD ops + the BSP's entry state).
 * Where everything goes is arch/x86/memmap.h. */
#ifndef CVM_X86_BOOT_H
#define CVM_X86_BOOT_H

#include <stdint.h>

#include "arch/x86/e820.h"
#include "loader/plan.h"

/* The GDT at X86_GDT_ADDR (plan entry.gdt / gdt_limit).  Every descriptor is
 * flat (base 0, limit 4 GiB, G=1) with the accessed bit already set, so the
 * segment registers KVM is given match what the guest would load from it. */
#define X86_SEL_CS32  0x08   /* 32-bit code, type 0xb, D=1: the PVH entry */
#define X86_SEL_CS64  0x10   /* long-mode code, type 0xb, L=1: the 64-bit entry */
#define X86_SEL_DS    0x18   /* read/write data, type 0x3, B=1: DS ES SS FS GS */
#define X86_SEL_TSS   0x20   /* 32-bit busy TSS, type 0xb, base 0, limit 0x67 */
#define X86_GDT_ENTRIES 5

struct x86_boot_cfg {
	const char *kernel;      /* path: ELF with a PVH note, or a bzImage */
	const char *initrd;      /* path or NULL */
	const char *cmdline;     /* NULL = "" */
	uint64_t mem_size;       /* bytes of guest RAM */
	uint32_t vcpus;
};

#define X86_MIN_MEM (2ull << 20)

/* Fills P with PLAN_LOAD ops + p->entry + p->mem_size/vcpus.  On bad input
 * -1 + err__set() naming the file and field; P then holds a partial plan
 * that the caller still plan__exit()s. */
int x86__build_boot_plan(struct plan *p, const struct x86_boot_cfg *cfg);

/* What a kernel format (bzimage.c, pvh.c) reports once its image is in the
 * plan, for the common code to place the command line and the initrd. */
struct x86_kernel {
	enum plan_entry_mode mode;
	uint64_t entry;
	uint64_t start, end;     /* memory the kernel occupies or claims while booting */
	uint64_t initrd_end;     /* the initrd must end at or below this */
	uint64_t cmdline_max;    /* longest command line it accepts, NUL excluded */
};

/* What the boot information page (boot_params, hvm_start_info) points to. */
struct x86_boot_info {
	uint64_t cmdline;        /* GPA of the NUL-terminated command line */
	uint64_t initrd, initrd_size;   /* size 0: no initrd */
	uint64_t rsdp;           /* GPA of the ACPI RSDP */
	const struct x86_e820 *map;
};

#endif

/* Booting a plain arm64 VM: an Image, an initrd and a command line turned
 * into a launch plan (PLAN_LOAD ops for the kernel, the initrd and the
 * device tree) plus vCPU 0's entry state.  Where everything goes is
 * arch/arm64/memmap.h; what the DTB says is arch/arm64/dtb.c. */
#ifndef CVM_ARM64_BOOT_H
#define CVM_ARM64_BOOT_H

#include <stdint.h>

#include "loader/plan.h"

/* arm64 Linux's COMMAND_LINE_SIZE: the longest bootargs, NUL included. */
#define ARM64_CMDLINE_MAX 2048

struct arm64_boot_cfg {
	const char *kernel;      /* path: an uncompressed arm64 Image */
	const char *initrd;      /* path or NULL */
	const char *cmdline;     /* NULL = "" */
	uint64_t mem_size;       /* bytes of guest RAM at ARM64_RAM_BASE */
	uint32_t vcpus;
};

/* Fills P with PLAN_LOAD ops ("kernel", "initrd", "dtb") + p->mem_size,
 * p->vcpus and p->entry: PLAN_ENTRY_ARM64_LINUX, pc = the Image's first
 * byte, arg = the DTB's address (booting.rst: x0 = DTB, x1-x3 zero, EL1h
 * with DAIF masked and the MMU off, the state KVM_ARM_VCPU_INIT resets to;
 * the other vCPUs stay powered off until the guest's PSCI CPU_ON).  On bad
 * input -1 + err__set() naming the file, field or option; P then holds a
 * partial plan that the caller still plan__exit()s. */
int arm64__build_boot_plan(struct plan *p, const struct arm64_boot_cfg *cfg);

#endif

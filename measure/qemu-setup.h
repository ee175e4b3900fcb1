/* QEMU's x86_load_linux() patches its copy of a bzImage's setup header
 * (command line and initrd addresses, loader type, heap) before OVMF reads
 * the kernel back through fw_cfg, so the image TDVF measures is not the file
 * (MEASUREMENT.md 3.5).  QEMU skips the patch for SEV guests only. */
#ifndef CVM_QEMU_SETUP_H
#define CVM_QEMU_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/bootparam.h"

/* The patched bytes: the start of the file up to the end of the setup header. */
#define QEMU_SETUP_HEAD (offsetof(struct boot_params, hdr) + sizeof(struct setup_header))

struct qemu_linux {
	const char *cmdline;    /* -append, "" when none */
	bool initrd;            /* -initrd given (even an empty file) */
	uint64_t initrd_size;
	uint64_t below_4g;      /* RAM below the 32-bit PCI hole */
};

/* Copies the first QEMU_SETUP_HEAD bytes of KERNEL (SIZE bytes) into HEAD
 * and applies QEMU's patch.  -1 with "PATH: field: what" when the file is too
 * small, or QEMU would refuse it (initrd with boot protocol < 2.00, initrd
 * larger than the space QEMU allows). */
int qemu_setup__patch(const char *path, const uint8_t *kernel, size_t size,
		      const struct qemu_linux *q, uint8_t head[QEMU_SETUP_HEAD]);

#endif

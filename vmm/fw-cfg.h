/* QEMU's firmware configuration device (docs/specs/fw_cfg.rst) as a pure
 * model: port accesses in, guest-memory copies through a callback out.
 *
 * The caller hands over every item as plain data (loader/fw-cfg.h): the
 * legacy numbered items (RAM size, vCPUs, kernel, setup, initrd, command
 * line...) and the named files ("etc/acpi/tables", "etc/e820"...), which is
 * what the launch plan carries so measure/ hashes exactly what is served;
 * the data must outlive the device.
 *
 * The model adds the signature, the feature bitmap (traditional + DMA) and
 * the file directory, whose entries are sorted by name (strcmp) and keyed
 * from 0x20 in that order, as QEMU does.  Every item is read-only: a DMA
 * write, allowed by QEMU only to a few files the VMM consumes, is refused
 * with the error bit, so the guest cannot change what was measured.
 *
 * DMA touches guest memory only through guest.ptr(), which must return a
 * host pointer for [gpa, gpa + len) inside guest RAM or NULL (the VM's
 * guest__ptr).  A descriptor outside RAM, a wrapping or oversized range, or
 * a write sets the error bit; one transfer copies at most the descriptor's
 * length, which is bounded by the RAM guest.ptr() accepts. */
#ifndef CVM_FW_CFG_H
#define CVM_FW_CFG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/fw-cfg.h"

/* The x86 port layout from the device's base port (0x510): selector
 * (16-bit writes) at 0, data (8-bit reads) at 0 and 1, the big-endian DMA
 * address register at 4..11 (two 32-bit writes, high half first; the low
 * half starts the transfer).  Reading the DMA register gives "QEMU CFG". */
#define FW_CFG_IO_SIZE     12
#define FW_CFG_IO_DMA      4

struct fw_cfg_guest {
	void *(*ptr)(void *ctx, uint64_t gpa, uint64_t len);
	void *ctx;
};

struct fw_cfg_slot {
	const uint8_t *data;
	uint32_t len;
};

struct fw_cfg {
	pthread_mutex_t lock;	/* vCPU threads call in */
	struct fw_cfg_guest guest;
	struct fw_cfg_slot legacy[2][FW_CFG_FILE_FIRST];   /* [arch-local][key] */
	struct fw_cfg_slot *files;	/* sorted by name: key FW_CFG_FILE_FIRST + index */
	size_t nfiles;
	uint8_t *dir;		/* the FW_CFG_FILE_DIR item */
	uint8_t id[4];		/* the FW_CFG_ID item */

	const struct fw_cfg_slot *cur;	/* selected item, NULL when none */
	uint32_t offset;		/* into *cur */
	uint64_t dma_addr;		/* high half latched until the low half comes */
};

/* Checks ITEMS (N of them) and builds the directory; selects the signature.
 * -1 + err__set() naming the item for a reserved or duplicate key, a
 * duplicate, empty or unterminated name, or an item of 4 GiB or more. */
int fw_cfg__init(struct fw_cfg *f, const struct fw_cfg_item *items, size_t n,
		 const struct fw_cfg_guest *guest);
void fw_cfg__exit(struct fw_cfg *f);

/* A guest access of SIZE bytes at OFFSET from the base port (the I/O table's
 * handler; CTX is the struct fw_cfg).  Reads fill DATA; an access the
 * device does not decode reads as all-ones and is dropped when written. */
void fw_cfg__io(void *ctx, uint64_t offset, bool is_write, uint8_t *data, unsigned size);

#endif

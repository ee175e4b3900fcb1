/* QEMU's isa-debugcon at X86_PORT_DEBUGCON as a pure model: bytes written
 * go to out() (cvm-run's --firmware-log), reads return 0xe9, the value
 * OVMF's PlatformDebugLibIoPort checks before it logs there. */
#ifndef CVM_X86_DEBUGCON_H
#define CVM_X86_DEBUGCON_H

#include <stdbool.h>
#include <stdint.h>

#define DEBUGCON_MAGIC 0xe9

struct debugcon {
	void (*out)(void *ctx, uint8_t byte);
	void *ctx;
};

/* A guest access of SIZE bytes (the I/O table's handler, CTX being the
 * struct debugcon).  OVMF writes byte by byte (rep outsb). */
void debugcon__io(void *ctx, uint64_t offset, bool is_write, uint8_t *data, unsigned size);

#endif

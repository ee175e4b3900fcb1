#include "arch/x86/debugcon.h"

void debugcon__io(void *ctx, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	struct debugcon *d = ctx;

	/* One port: the bytes of a wide access past it go nowhere, as on
	 * QEMU, which splits wide accesses into byte accesses. */
	for (unsigned i = 0; i < size; i++) {
		bool mine = offset + i == 0;

		if (is_write && mine)
			d->out(d->ctx, data[i]);
		else if (!is_write)
			data[i] = mine ? DEBUGCON_MAGIC : 0xff;
	}
}

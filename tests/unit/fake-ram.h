/* A small guest RAM for device models that DMA: SIZE bytes at guest
 * address BASE, handed out like the VM's guest__ptr (whole range inside,
 * no wrap).  Header-only so the fuzz targets share it. */
#ifndef CVM_FAKE_RAM_H
#define CVM_FAKE_RAM_H

#include <stdint.h>

struct fake_ram {
	uint64_t base, size;
	uint8_t *mem;
};

static inline void *fake_ram__ptr(void *ctx, uint64_t gpa, uint64_t len)
{
	const struct fake_ram *r = ctx;

	if (gpa < r->base || len > r->size || gpa - r->base > r->size - len)
		return 0;
	return r->mem + (gpa - r->base);
}

#endif

/* Byte buffers: fixed-endian loads and stores whatever the host's byte
 * order or alignment (firmware tables are little-endian, fw_cfg's directory
 * and DMA descriptors big-endian), and growing a buffer by doubling. */
#ifndef CVM_BYTES_H
#define CVM_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static inline uint64_t bytes__get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static inline void bytes__put_le(uint8_t *p, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline uint64_t bytes__get_be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static inline void bytes__put_be(uint8_t *p, unsigned n, uint64_t v)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

/* Makes *BUF (*CAP bytes) hold at least NEED bytes, doubling from 1 KiB;
 * false when out of memory, the buffer left as it was. */
static inline bool bytes__reserve(uint8_t **buf, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : 1024;
	uint8_t *b;

	if (need <= *cap)
		return true;
	while (c < need)
		c *= 2;
	b = realloc(*buf, c);
	if (!b)
		return false;
	*buf = b;
	*cap = c;
	return true;
}

#endif

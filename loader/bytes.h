/* Fixed-endian loads and stores on byte buffers, whatever the host's byte
 * order or alignment: firmware tables are little-endian, fw_cfg's directory
 * and DMA descriptors big-endian. */
#ifndef CVM_BYTES_H
#define CVM_BYTES_H

#include <stdint.h>

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

#endif

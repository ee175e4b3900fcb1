/* The CRC printed by POSIX cksum: CRC-32 polynomial 0x04c11db7, MSB first,
 * initial value 0, the length appended little-endian in as few bytes as it
 * takes, the result complemented. */
#include "common.h"

#define CKSUM_POLY	0x04c11db7u
#define CHUNK		0x100000ull	/* per phys__map call, under its 2 MiB */

static uint32_t table[256];

static void cksum__init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;

		for (int bit = 0; bit < 8; bit++)
			c = c & 0x80000000u ? c << 1 ^ CKSUM_POLY : c << 1;
		table[i] = c;
	}
}

static uint32_t cksum__byte(uint32_t crc, uint8_t b)
{
	return crc << 8 ^ table[(crc >> 24 ^ b) & 0xff];
}

uint32_t cksum__phys(uint64_t pa, uint64_t size)
{
	uint32_t crc = 0;

	cksum__init();
	for (uint64_t done = 0; done < size; ) {
		uint64_t n = size - done < CHUNK ? size - done : CHUNK;
		const uint8_t *p = phys__map(pa + done, n);

		for (uint64_t i = 0; i < n; i++)
			crc = cksum__byte(crc, p[i]);
		done += n;
	}
	for (uint64_t len = size; len; len >>= 8)
		crc = cksum__byte(crc, (uint8_t)len);
	return ~crc;
}

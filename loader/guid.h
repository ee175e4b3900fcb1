/* EFI GUIDs as they sit in firmware images: the first three fields
 * little-endian, the last eight bytes as written. */
#ifndef CVM_GUID_H
#define CVM_GUID_H

#include <stdint.h>
#include <string.h>

struct guid {
	uint8_t b[16];
};

#define GUID_INIT(a, b_, c, d0, d1, d2, d3, d4, d5, d6, d7)                   \
	{ { (a) & 0xff, ((a) >> 8) & 0xff, ((a) >> 16) & 0xff, ((a) >> 24) & 0xff, \
	    (b_) & 0xff, ((b_) >> 8) & 0xff, (c) & 0xff, ((c) >> 8) & 0xff,        \
	    d0, d1, d2, d3, d4, d5, d6, d7 } }

static inline int guid__eq(const struct guid *g, const uint8_t *bytes)
{
	return memcmp(g->b, bytes, 16) == 0;
}

#endif

#include <stdlib.h>
#include <string.h>

#include "loader/ovmf.h"
#include "tests/unit/fw-image.h"

void fw_image__put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = v;
	p[1] = v >> 8;
}

void fw_image__init(struct fw_image *m, size_t size)
{
	m->b = malloc(size);
	m->size = size;
	memset(m->b, 0xcc, size);
	m->cursor = size - 32 - 18;
	memcpy(m->b + m->cursor + 2, ovmf_guid_footer.b, 16);
	fw_image__close(m);
}

void fw_image__free(struct fw_image *m)
{
	free(m->b);
	m->b = NULL;
}

void fw_image__add(struct fw_image *m, const struct guid *g, const void *d, size_t dlen,
		   unsigned len)
{
	m->cursor -= 18;
	put16(m->b + m->cursor, len);
	memcpy(m->b + m->cursor + 2, g->b, 16);
	m->cursor -= dlen;
	memcpy(m->b + m->cursor, d, dlen);
}

void fw_image__u32(struct fw_image *m, const struct guid *g, uint32_t v)
{
	uint8_t d[4];

	fw_image__put32(d, v);
	fw_image__add(m, g, d, 4, 22);
}

void fw_image__u32x2(struct fw_image *m, const struct guid *g, uint32_t a, uint32_t b)
{
	uint8_t d[8];

	fw_image__put32(d, a);
	fw_image__put32(d + 4, b);
	fw_image__add(m, g, d, 8, 26);
}

void fw_image__close(struct fw_image *m)
{
	put16(m->b + m->size - 32 - 18, m->size - 32 - m->cursor);
}

void fw_image__asev(struct fw_image *m, uint32_t off, const uint32_t (*items)[3], uint32_t n)
{
	uint8_t *h = m->b + m->size - off;

	memcpy(h, "ASEV", 4);
	fw_image__put32(h + 4, 16 + 12 * n);
	fw_image__put32(h + 8, 1);
	fw_image__put32(h + 12, n);
	for (uint32_t i = 0; i < n; i++)
		for (int k = 0; k < 3; k++)
			fw_image__put32(h + 16 + 12 * i + 4 * k, items[i][k]);
}

#include <string.h>

#include "loader/error.h"
#include "vmm/io.h"

int io__register(struct io_map *m, enum io_bus bus, uint64_t base, uint64_t len, io_fn fn,
		 void *ctx)
{
	if (!len || base + len < base)
		return err__set_status(CVM_EXIT_FAIL, "I/O range %#llx+%#llx is empty or wraps",
				       (unsigned long long)base, (unsigned long long)len);
	for (unsigned i = 0; i < m->n; i++)
		if (m->r[i].bus == bus && base < m->r[i].base + m->r[i].len &&
		    m->r[i].base < base + len)
			return err__set_status(CVM_EXIT_FAIL, "I/O range %#llx+%#llx overlaps %#llx+%#llx",
					       (unsigned long long)base, (unsigned long long)len,
					       (unsigned long long)m->r[i].base,
					       (unsigned long long)m->r[i].len);
	if (m->n == IO_MAX_RANGES)
		return err__set_status(CVM_EXIT_FAIL, "more than %d I/O ranges", IO_MAX_RANGES);
	m->r[m->n++] = (struct io_range){ bus, base, len, fn, ctx };
	return 0;
}

bool io__access(const struct io_map *m, enum io_bus bus, uint64_t addr, bool is_write,
		uint8_t *data, unsigned size)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct io_range *r = &m->r[i];

		if (r->bus == bus && addr >= r->base && addr - r->base < r->len) {
			r->fn(r->ctx, addr - r->base, is_write, data, size);
			return true;
		}
	}
	if (!is_write)
		memset(data, 0xff, size);
	return false;
}

/* The loader-independent half of reading boot information. */
#include "common.h"

void boot__copy_cmdline(struct guest_boot *b, uint64_t pa)
{
	/* Mapped in one piece: phys__map covers up to 2 MiB. */
	const char *src = phys__map(pa, CMDLINE_MAX);
	size_t i;

	for (i = 0; i < CMDLINE_MAX - 1 && src[i]; i++)
		b->cmdline[i] = src[i];
	b->cmdline[i] = '\0';
	b->cmdline_truncated = i == CMDLINE_MAX - 1 && src[i];
}

void boot__add_mem(struct guest_boot *b, uint64_t addr, uint64_t size, uint32_t type)
{
	struct guest_mem *m = &b->map[b->nr_map++];

	m->addr = addr;
	m->size = size;
	m->type = type;
}

bool boot__ram_covers(const struct guest_boot *b, uint64_t start, uint64_t end)
{
	for (uint32_t i = 0; i < b->nr_map; i++) {
		const struct guest_mem *m = &b->map[i];

		/* size <= UINT64_MAX - addr: a wrapping entry covers nothing. */
		if (m->type == MAP_RAM && m->size <= UINT64_MAX - m->addr &&
		    m->addr <= start && end <= m->addr + m->size)
			return true;
	}
	return false;
}

uint64_t boot__map_top(const struct guest_boot *b)
{
	uint64_t top = 0;

	for (uint32_t i = 0; i < b->nr_map; i++) {
		const struct guest_mem *m = &b->map[i];
		uint64_t end = m->addr + m->size;

		if (end < m->addr)	/* wraps: it claims everything */
			return UINT64_MAX;
		if (end > top)
			top = end;
	}
	return top;
}

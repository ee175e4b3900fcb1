#include "arch/x86/e820.h"

static void add(struct x86_e820 *m, uint64_t start, uint64_t end, uint32_t type)
{
	m->e[m->n].addr = start;
	m->e[m->n].size = end - start;
	m->e[m->n].type = type;
	m->n++;
}

void x86__e820_build(struct x86_e820 *m, uint64_t mem)
{
	struct x86_ram_range r[2];
	size_t nr = x86__ram_ranges(mem, r);

	m->n = 0;
	add(m, 0, X86_MPTABLE_ADDR, E820_TYPE_RAM);
	add(m, X86_MPTABLE_ADDR, X86_EBDA_END, E820_TYPE_RESERVED);
	add(m, X86_BIOS_START, X86_HIGH_MEM, E820_TYPE_RESERVED);
	add(m, X86_HIGH_MEM, r[0].start + r[0].size, E820_TYPE_RAM);
	if (nr > 1)
		add(m, r[1].start, r[1].start + r[1].size, E820_TYPE_RAM);
}

uint64_t x86__e820_ram_end(const struct x86_e820 *m)
{
	return m->e[m->n - 1].addr + m->e[m->n - 1].size;
}

bool x86__e820_is_high_ram(const struct x86_e820 *m, uint64_t start, uint64_t len)
{
	if (len == 0 || start + len < start || start < X86_HIGH_MEM)
		return false;
	for (unsigned int i = 0; i < m->n; i++) {
		const struct x86_e820_entry *e = &m->e[i];

		if (e->type == E820_TYPE_RAM && start >= e->addr &&
		    start + len <= e->addr + e->size)
			return true;
	}
	return false;
}

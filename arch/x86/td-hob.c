#include <stdlib.h>
#include <string.h>

#include "arch/x86/td-hob.h"
#include "loader/error.h"

#define Q35_LOWMEM_SMALL   0xb0000000ull
#define Q35_LOWMEM_LARGE   0x80000000ull

#define HOB_TYPE_HANDOFF   1
#define HOB_TYPE_RESOURCE  3
#define HOB_TYPE_END       0xffff
#define HOB_PHIT_VERSION   9      /* EFI_HOB_HANDOFF_TABLE_VERSION */

#define RES_SYSTEM_MEMORY  0
#define RES_UNACCEPTED     7
/* PRESENT | INITIALIZED | TESTED: QEMU uses the same for both kinds. */
#define RES_ATTRIBUTES     7

struct ram_entry {
	uint64_t start, len;
	int added;
};

uint64_t td_hob__q35_below_4g(uint64_t mem)
{
	uint64_t lowmem = mem >= Q35_LOWMEM_SMALL ? Q35_LOWMEM_LARGE : Q35_LOWMEM_SMALL;

	return mem < lowmem ? mem : lowmem;
}

size_t td_hob__q35_ram(uint64_t mem, struct x86_ram_range out[2])
{
	uint64_t below = td_hob__q35_below_4g(mem);

	out[0] = (struct x86_ram_range){ 0, below };
	if (mem == below)
		return 1;
	out[1] = (struct x86_ram_range){ X86_4G, mem - below };
	return 2;
}

/* Sections the launch adds as zeroed RAM are accepted memory; for QEMU's
 * firmware these are exactly TD_HOB and TempMem (tdx_accept_ram_range). */
static int is_accepted(const struct tdvf_section *s)
{
	if (s->attributes & TDVF_ATTR_PAGE_AUG)
		return 0;
	return s->type == TDVF_TD_HOB || s->type == TDVF_TEMP_MEM || s->type == TDVF_PERM_MEM;
}

/* QEMU's tdx_accept_ram_range: the section must lie inside the first RAM
 * entry it touches; an entry already accepted is left alone. */
static int accept(const struct tdvf *t, size_t idx, struct ram_entry *e, size_t *n)
{
	const struct tdvf_section *s = &t->sections[idx];
	uint64_t end = s->gpa + s->mem_size, head, tail;
	struct ram_entry *r = NULL;
	size_t i;

	for (i = 0; i < *n && !r; i++)
		if (s->gpa < e[i].start + e[i].len && end > e[i].start)
			r = &e[i];
	if (!r || s->gpa < r->start || end > r->start + r->len)
		return err__set("%s: TDVF section %zu (%s) [%#llx, %#llx) is not inside guest RAM (one range of it)",
				t->path, idx, tdvf__type_name(s->type),
				(unsigned long long)s->gpa, (unsigned long long)end);
	if (r->added)
		return 0;
	head = s->gpa - r->start;
	tail = r->start + r->len - end;
	if (head)
		e[(*n)++] = (struct ram_entry){ r->start, head, 0 };
	if (tail)
		e[(*n)++] = (struct ram_entry){ end, tail, 0 };
	*r = (struct ram_entry){ s->gpa, s->mem_size, 1 };
	return 0;
}

static int cmp_start(const void *a, const void *b)
{
	const struct ram_entry *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	return put16(put16(p, v), v >> 16);
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	return put32(put32(p, v), v >> 32);
}

static uint8_t *put_header(uint8_t *p, uint16_t type, uint16_t len)
{
	return put32(put16(put16(p, type), len), 0);
}

int td_hob__build(const struct tdvf *t, const struct x86_ram_range *ram, size_t nram,
		  uint8_t *buf, size_t cap, size_t *len)
{
	const struct tdvf_section *hob = tdvf__find(t, TDVF_TD_HOB);
	struct ram_entry e[TD_HOB_MAX_RANGES];
	size_t n = 0, i, size;
	uint8_t *p = buf;

	if (!hob)
		return err__set("%s: TDVF metadata: no TD_HOB section", t->path);
	if (nram > 2)
		return err__set("TD HOB: %zu RAM ranges, at most 2", nram);
	for (; n < nram; n++)
		e[n] = (struct ram_entry){ ram[n].start, ram[n].size, 0 };
	for (i = 0; i < t->nsections; i++)
		if (is_accepted(&t->sections[i]) && accept(t, i, e, &n) < 0)
			return -1;
	qsort(e, n, sizeof(*e), cmp_start);

	size = TD_HOB_PHIT_SIZE + TD_HOB_RESOURCE_SIZE * n + TD_HOB_END_SIZE;
	if (size > cap)
		return err__set("%s: TD HOB: %zu bytes do not fit the %zu-byte TD_HOB section",
				t->path, size, cap);

	p = put_header(p, HOB_TYPE_HANDOFF, TD_HOB_PHIT_SIZE);
	p = put32(p, HOB_PHIT_VERSION);
	p = put32(p, 0);                        /* boot mode: full configuration */
	memset(p, 0, 32);                       /* memory top/bottom, free top/bottom */
	p = put64(p + 32, hob->gpa + size);     /* EndOfHobList: just past END */
	for (i = 0; i < n; i++) {
		p = put_header(p, HOB_TYPE_RESOURCE, TD_HOB_RESOURCE_SIZE);
		memset(p, 0, 16);               /* owner GUID */
		p = put32(p + 16, e[i].added ? RES_SYSTEM_MEMORY : RES_UNACCEPTED);
		p = put32(p, RES_ATTRIBUTES);
		p = put64(p, e[i].start);
		p = put64(p, e[i].len);
	}
	put_header(p, HOB_TYPE_END, TD_HOB_END_SIZE);
	*len = size;
	return 0;
}

#include <string.h>

#include "loader/error.h"
#include "loader/sev-metadata.h"

#define ASEV_HEADER 16
#define ASEV_ITEM   12
#define PAGE        4096u

static uint32_t get_u32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

const char *sev_section__name(enum sev_section_type type)
{
	switch (type) {
	case SEV_SECTION_SEC_MEM:       return "SNP_SEC_MEM";
	case SEV_SECTION_SECRETS:       return "SNP_SECRETS";
	case SEV_SECTION_CPUID:         return "CPUID";
	case SEV_SECTION_SVSM_CAA:      return "SVSM_CAA";
	case SEV_SECTION_KERNEL_HASHES: return "SNP_KERNEL_HASHES";
	}
	return NULL;
}

static int check_section(const struct sev_metadata *m, const char *path, size_t i)
{
	const struct sev_section *s = &m->sections[i];

	if (!sev_section__name(s->type))
		return err__set("%s: SEV metadata section %zu: type %#x is unknown", path, i,
				(unsigned)s->type);
	if (s->gpa % PAGE || s->size % PAGE)
		return err__set("%s: SEV metadata section %zu (%s): gpa %#x size %#x not 4 KiB aligned",
				path, i, sev_section__name(s->type), s->gpa, s->size);
	if ((uint64_t)s->gpa + s->size > 1ull << 32)
		return err__set("%s: SEV metadata section %zu (%s): gpa %#x + size %#x is above 4 GiB",
				path, i, sev_section__name(s->type), s->gpa, s->size);
	if ((s->type == SEV_SECTION_SECRETS || s->type == SEV_SECTION_CPUID) && s->size != PAGE)
		return err__set("%s: SEV metadata section %zu (%s): size %#x, must be one page",
				path, i, sev_section__name(s->type), s->size);
	for (size_t j = 0; j < i && s->size; j++) {
		const struct sev_section *t = &m->sections[j];

		if (t->size && s->gpa < (uint64_t)t->gpa + t->size &&
		    t->gpa < (uint64_t)s->gpa + s->size)
			return err__set("%s: SEV metadata section %zu (%s): [%#x, +%#x) overlaps section %zu (%s)",
					path, i, sev_section__name(s->type), s->gpa, s->size, j,
					sev_section__name(t->type));
	}
	return 0;
}

int sev_metadata__parse(struct sev_metadata *m, const struct ovmf *o)
{
	const uint8_t *h;
	uint32_t size, version, n;
	size_t avail;

	memset(m, 0, sizeof(*m));
	if (!ovmf__find(o, &ovmf_guid_sev_metadata, NULL))
		return 0;
	h = ovmf__from_end(o, &ovmf_guid_sev_metadata, ASEV_HEADER, "SEV metadata", 1);
	if (!h)
		return -1;
	avail = o->data + o->size - h;
	if (memcmp(h, "ASEV", 4))
		return err__set("%s: SEV metadata signature: not \"ASEV\"", o->path);
	size = get_u32(h + 4);
	version = get_u32(h + 8);
	n = get_u32(h + 12);
	if (version != 1)
		return err__set("%s: SEV metadata version: %u, expected 1", o->path, version);
	if (n > SEV_MAX_SECTIONS)
		return err__set("%s: SEV metadata num_items: %u, at most %d supported", o->path, n,
				SEV_MAX_SECTIONS);
	if (size < ASEV_HEADER + ASEV_ITEM * n || size > avail)
		return err__set("%s: SEV metadata size: %u does not fit %u items in the %zu bytes to the image end",
				o->path, size, n, avail);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *d = h + ASEV_HEADER + ASEV_ITEM * i;

		m->sections[i].gpa = get_u32(d);
		m->sections[i].size = get_u32(d + 4);
		m->sections[i].type = get_u32(d + 8);
		if (check_section(m, o->path, i) < 0)
			return -1;
		m->nsections++;
	}
	return 0;
}

int sev_metadata__has(const struct sev_metadata *m, enum sev_section_type type)
{
	for (size_t i = 0; i < m->nsections; i++)
		if (m->sections[i].type == type)
			return 1;
	return 0;
}

#include <string.h>

#include "loader/error.h"
#include "loader/tdvf.h"

#define TDVF_DESC_SIZE     16   /* "TDVF", u32 length, u32 version, u32 count */
#define TDVF_SECTION_SIZE  32
#define TDVF_PAGE          0x1000ull
#define TDVF_4G            0x100000000ull

static uint32_t get_u32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
	return get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

const char *tdvf__type_name(uint32_t type)
{
	static const char *const names[TDVF_TYPE_COUNT] = {
		[TDVF_BFV] = "BFV",         [TDVF_CFV] = "CFV",
		[TDVF_TD_HOB] = "TD_HOB",   [TDVF_TEMP_MEM] = "TempMem",
		[TDVF_PERM_MEM] = "PermMem", [TDVF_PAYLOAD] = "Payload",
		[TDVF_PAYLOAD_PARAM] = "PayloadParam", [TDVF_TD_INFO] = "TD_INFO",
		[TDVF_TD_PARAMS] = "TD_PARAMS",
	};

	return type < TDVF_TYPE_COUNT ? names[type] : "?";
}

/* QEMU's rules (hw/i386/tdvf.c), plus the bounds a file-backed reader needs. */
static int check_section(const struct tdvf *t, size_t i, const struct tdvf_section *s)
{
	const char *name = tdvf__type_name(s->type);

	if (s->type >= TDVF_TYPE_COUNT)
		return err__set("%s: TDVF section %zu Type: unknown type %u", t->path, i, s->type);
	if (s->attributes & ~(TDVF_ATTR_MR_EXTEND | TDVF_ATTR_PAGE_AUG))
		return err__set("%s: TDVF section %zu (%s) Attributes: unknown bits %#x", t->path,
				i, name, s->attributes & ~(TDVF_ATTR_MR_EXTEND | TDVF_ATTR_PAGE_AUG));
	if ((s->attributes & TDVF_ATTR_MR_EXTEND) && (s->attributes & TDVF_ATTR_PAGE_AUG))
		return err__set("%s: TDVF section %zu (%s) Attributes: MR_EXTEND on a PAGE_AUG section (it is never added)",
				t->path, i, name);
	if (s->gpa & (TDVF_PAGE - 1))
		return err__set("%s: TDVF section %zu (%s) MemoryAddress: %#llx is not 4 KiB aligned",
				t->path, i, name, (unsigned long long)s->gpa);
	if (s->mem_size == 0 || s->mem_size & (TDVF_PAGE - 1))
		return err__set("%s: TDVF section %zu (%s) MemoryDataSize: %#llx is not a non-zero multiple of 4 KiB",
				t->path, i, name, (unsigned long long)s->mem_size);
	if (s->mem_size < s->raw_size)
		return err__set("%s: TDVF section %zu (%s) MemoryDataSize: %#llx is smaller than RawDataSize %#x",
				t->path, i, name, (unsigned long long)s->mem_size, s->raw_size);
	if ((uint64_t)s->data_offset + s->raw_size > t->image_size)
		return err__set("%s: TDVF section %zu (%s) DataOffset: [%#x, +%#x) is outside the %zu-byte image",
				t->path, i, name, s->data_offset, s->raw_size, t->image_size);
	if (s->gpa + s->mem_size < s->gpa)
		return err__set("%s: TDVF section %zu (%s) MemoryAddress: %#llx + %#llx wraps",
				t->path, i, name, (unsigned long long)s->gpa,
				(unsigned long long)s->mem_size);

	switch (s->type) {
	case TDVF_BFV:
	case TDVF_CFV:
		if (s->raw_size == 0)
			return err__set("%s: TDVF section %zu (%s) RawDataSize: 0, the firmware volume has no bytes",
					t->path, i, name);
		/* -bios maps the image right below 4 GiB. */
		if (s->gpa + s->mem_size > TDVF_4G)
			return err__set("%s: TDVF section %zu (%s) MemoryAddress: %#llx + %#llx ends above 4 GiB",
					t->path, i, name, (unsigned long long)s->gpa,
					(unsigned long long)s->mem_size);
		break;
	case TDVF_TD_HOB:
	case TDVF_TEMP_MEM:
	case TDVF_PERM_MEM:
		if (s->raw_size != 0)
			return err__set("%s: TDVF section %zu (%s) RawDataSize: %#x, must be 0 (RAM, not file bytes)",
					t->path, i, name, s->raw_size);
		break;
	}
	return 0;
}

int tdvf__parse(struct tdvf *t, const struct ovmf *o, bool required)
{
	const uint8_t *d;
	uint32_t length, version, n;
	size_t i, avail;

	memset(t, 0, sizeof(*t));
	t->path = o->path;
	t->image = o->data;
	t->image_size = o->size;
	if (!required && !ovmf__find(o, &ovmf_guid_tdx_metadata, NULL))
		return 0;
	d = ovmf__from_end(o, &ovmf_guid_tdx_metadata, TDVF_DESC_SIZE, "TDX metadata", 1);
	if (!d)
		return -1;
	avail = o->data + o->size - d;
	if (memcmp(d, "TDVF", 4))
		return err__set("%s: TDVF descriptor Signature: not \"TDVF\"", o->path);
	length = get_u32(d + 4);
	version = get_u32(d + 8);
	n = get_u32(d + 12);
	if (version != 1)
		return err__set("%s: TDVF descriptor Version: %u, only 1 is defined", o->path, version);
	if (n < 2 || n > TDVF_MAX_SECTIONS)
		return err__set("%s: TDVF descriptor NumberOfSectionEntries: %u, need 2 to %d",
				o->path, n, TDVF_MAX_SECTIONS);
	if (length != TDVF_DESC_SIZE + TDVF_SECTION_SIZE * n)
		return err__set("%s: TDVF descriptor Length: %u, %u sections need %u", o->path,
				length, n, TDVF_DESC_SIZE + TDVF_SECTION_SIZE * n);
	if (length > avail)
		return err__set("%s: TDVF descriptor Length: %u bytes run past the end of the image (%zu left)",
				o->path, length, avail);

	for (i = 0; i < n; i++) {
		const uint8_t *e = d + TDVF_DESC_SIZE + TDVF_SECTION_SIZE * i;
		struct tdvf_section *s = &t->sections[i];

		s->data_offset = get_u32(e);
		s->raw_size = get_u32(e + 4);
		s->gpa = get_u64(e + 8);
		s->mem_size = get_u64(e + 16);
		s->type = get_u32(e + 24);
		s->attributes = get_u32(e + 28);
		if (check_section(t, i, s) < 0) {
			t->nsections = 0;
			return -1;
		}
		/* The VMM writes one HOB, at one place. */
		for (size_t j = 0; s->type == TDVF_TD_HOB && j < i; j++) {
			if (t->sections[j].type == TDVF_TD_HOB) {
				t->nsections = 0;
				return err__set("%s: TDVF section %zu (TD_HOB) Type: a second TD_HOB (section %zu is one)",
						o->path, i, j);
			}
		}
	}
	t->nsections = n;
	return 0;
}

const struct tdvf_section *tdvf__find(const struct tdvf *t, enum tdvf_type type)
{
	for (size_t i = 0; i < t->nsections; i++)
		if (t->sections[i].type == type)
			return &t->sections[i];
	return NULL;
}

void tdvf__print(FILE *f, const struct tdvf *t, bool json)
{
	if (json)
		fputc('[', f);
	for (size_t i = 0; i < t->nsections; i++) {
		const struct tdvf_section *s = &t->sections[i];
		/* Parsing refused sections with both attributes. */
		bool ext = s->attributes & TDVF_ATTR_MR_EXTEND, aug = s->attributes & TDVF_ATTR_PAGE_AUG;

		if (json) {
			fprintf(f, "%s{\"index\": %zu, \"type\": \"%s\", \"data_offset\": %u, "
				"\"raw_size\": %u, \"gpa\": %llu, \"mem_size\": %llu, \"attributes\": [%s]}",
				i ? ", " : "", i, tdvf__type_name(s->type), s->data_offset,
				s->raw_size, (unsigned long long)s->gpa,
				(unsigned long long)s->mem_size,
				ext ? "\"MR_EXTEND\"" : aug ? "\"PAGE_AUG\"" : "");
		} else {
			fprintf(f, "TDVF section %zu: %-12s file %#x+%#x -> gpa %#llx+%#llx%s%s\n", i,
				tdvf__type_name(s->type), s->data_offset, s->raw_size,
				(unsigned long long)s->gpa, (unsigned long long)s->mem_size,
				ext ? " MR_EXTEND" : "", aug ? " PAGE_AUG" : "");
		}
	}
	if (json)
		fputc(']', f);
}

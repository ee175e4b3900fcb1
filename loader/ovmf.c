#include <string.h>

#include "loader/error.h"
#include "loader/ovmf.h"

const struct guid ovmf_guid_footer = GUID_INIT(0x96b582de, 0x1fb2, 0x45f7,
	0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d);
const struct guid ovmf_guid_sev_es_reset = GUID_INIT(0x00f771de, 0x1a7e, 0x4fcb,
	0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e);
const struct guid ovmf_guid_sev_secret = GUID_INIT(0x4c2eb361, 0x7d9b, 0x4cc3,
	0x80, 0x81, 0x12, 0x7c, 0x90, 0xd3, 0xd2, 0x94);
const struct guid ovmf_guid_sev_hash_table = GUID_INIT(0x7255371f, 0x3a3b, 0x4b04,
	0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54);
const struct guid ovmf_guid_sev_metadata = GUID_INIT(0xdc886566, 0x984a, 0x4798,
	0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc);
const struct guid ovmf_guid_tdx_metadata = GUID_INIT(0xe47a6535, 0x984a, 0x4798,
	0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2);
const struct guid ovmf_guid_svsm_info = GUID_INIT(0xa789a612, 0x0597, 0x4c4b,
	0xa4, 0x9f, 0xcb, 0xb1, 0xfe, 0x9d, 0x1d, 0xdd);

/* The last 32 bytes are the reset vector; the table ends right before them. */
#define OVMF_RESET_AREA 32
/* An entry's trailer: u16 length, then the GUID. */
#define OVMF_TRAILER 18

static uint16_t get_u16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

int ovmf__parse(struct ovmf *o, const char *path, const uint8_t *data, size_t size)
{
	size_t footer, start, cursor;
	uint16_t total;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->data = data;
	o->size = size;
	if (size < OVMF_RESET_AREA + OVMF_TRAILER)
		return 0;
	footer = size - OVMF_RESET_AREA - OVMF_TRAILER;
	if (!guid__eq(&ovmf_guid_footer, data + footer + 2))
		return 0;

	total = get_u16(data + footer);
	if (total < OVMF_TRAILER)
		return err__set("%s: footer table length: %u is smaller than the %d-byte footer",
				path, total, OVMF_TRAILER);
	if ((size_t)(total - OVMF_TRAILER) > footer)
		return err__set("%s: footer table length: %u reaches before the start of the image",
				path, total);
	start = footer - (total - OVMF_TRAILER);

	/* Walk backwards: each entry's trailer sits right after its payload. */
	for (cursor = footer; cursor > start;) {
		struct ovmf_entry *e;
		uint16_t len;

		if (cursor - start < OVMF_TRAILER)
			return err__set("%s: footer table entry %zu: truncated (%zu bytes left before the table start)",
					path, o->nentries, cursor - start);
		len = get_u16(data + cursor - OVMF_TRAILER);
		if (len < OVMF_TRAILER)
			return err__set("%s: footer table entry %zu length: %u is smaller than %d",
					path, o->nentries, len, OVMF_TRAILER);
		if (len > cursor - start)
			return err__set("%s: footer table entry %zu length: %u reaches below the table start",
					path, o->nentries, len);
		if (o->nentries == OVMF_MAX_ENTRIES)
			return err__set("%s: footer table: more than %d entries", path,
					OVMF_MAX_ENTRIES);
		e = &o->entries[o->nentries++];
		e->guid = data + cursor - 16;
		e->data = data + cursor - len;
		e->len = len - OVMF_TRAILER;
		cursor -= len;
	}
	return 0;
}

const uint8_t *ovmf__find(const struct ovmf *o, const struct guid *g, size_t *len)
{
	for (size_t i = 0; i < o->nentries; i++) {
		if (guid__eq(g, o->entries[i].guid)) {
			if (len)
				*len = o->entries[i].len;
			return o->entries[i].data;
		}
	}
	return NULL;
}

const uint8_t *ovmf__from_end(const struct ovmf *o, const struct guid *g, size_t need,
			      const char *what, int required)
{
	const uint8_t *p;
	size_t len;
	uint32_t off;

	p = ovmf__find(o, g, &len);
	if (!p) {
		if (required)
			err__set("%s: %s: no such entry in the footer table", o->path, what);
		return NULL;
	}
	if (len < 4) {
		err__set("%s: %s offset: footer entry has %zu bytes, need 4", o->path, what, len);
		return NULL;
	}
	off = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
	if (off > o->size || off < need) {
		err__set("%s: %s offset: %#x from the end is outside the image (%zu bytes, need %zu)",
			 o->path, what, off, o->size, need);
		return NULL;
	}
	return o->data + o->size - off;
}

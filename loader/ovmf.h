/* The OVMF GUIDed footer table: the index at the end of an edk2 image that
 * both the SEV and the TDX launch paths start from (MEASUREMENT.md 2.1). */
#ifndef CVM_OVMF_H
#define CVM_OVMF_H

#include <stddef.h>
#include <stdint.h>

#include "loader/guid.h"

struct ovmf_entry {
	const uint8_t *guid;    /* 16 bytes inside the image */
	const uint8_t *data;    /* entry payload inside the image */
	size_t len;             /* payload bytes (the entry's u16 length minus 18) */
};

#define OVMF_MAX_ENTRIES 32

struct ovmf {
	const char *path;       /* for error messages */
	const uint8_t *data;    /* the whole image, as mapped */
	size_t size;
	struct ovmf_entry entries[OVMF_MAX_ENTRIES];
	size_t nentries;        /* 0 when the image has no footer table */
};

/* Parses the footer table of IMAGE (SIZE bytes).  An image without a table is
 * not an error (nentries = 0); a malformed one is: -1 with one line naming
 * PATH and the field.  Nothing outside [data, data+size) is read. */
int ovmf__parse(struct ovmf *o, const char *path, const uint8_t *data, size_t size);

/* The payload of the entry with GUID, or NULL; *len gets its size. */
const uint8_t *ovmf__find(const struct ovmf *o, const struct guid *g, size_t *len);

/* Resolves a u32 "offset from the end of the image" entry (ASEV, TDVF) to a
 * pointer at which at least NEED bytes are readable; NULL + err__set() when
 * the entry is absent (only if REQUIRED) or points outside the image. */
const uint8_t *ovmf__from_end(const struct ovmf *o, const struct guid *g, size_t need,
			      const char *what, int required);

extern const struct guid ovmf_guid_footer;          /* 96b582de-... table footer */
extern const struct guid ovmf_guid_sev_es_reset;    /* 00f771de-... SEV_ES_RESET_BLOCK */
extern const struct guid ovmf_guid_sev_secret;      /* 4c2eb361-... secret block */
extern const struct guid ovmf_guid_sev_hash_table;  /* 7255371f-... SEV_HASH_TABLE_RV */
extern const struct guid ovmf_guid_sev_metadata;    /* dc886566-... OVMF_SEV_METADATA */
extern const struct guid ovmf_guid_tdx_metadata;    /* e47a6535-... TDX_METADATA_OFFSET */
extern const struct guid ovmf_guid_svsm_info;       /* a789a612-... SVSM_INFO */

#endif

/* Firmware images built in memory for parser tests: a GUIDed footer table
 * written backwards from the footer, the way edk2 lays it out, and ASEV
 * metadata. */
#ifndef CVM_TEST_FW_IMAGE_H
#define CVM_TEST_FW_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "loader/guid.h"

struct fw_image {
	uint8_t *b;
	size_t size;
	size_t cursor;          /* where the next (earlier) entry ends */
};

/* SIZE bytes of 0xcc with an empty footer table. */
void fw_image__init(struct fw_image *m, size_t size);
void fw_image__free(struct fw_image *m);
/* An entry whose u16 length field says LEN (normally dlen + 18). */
void fw_image__add(struct fw_image *m, const struct guid *g, const void *d, size_t dlen,
		   unsigned len);
void fw_image__u32(struct fw_image *m, const struct guid *g, uint32_t v);
void fw_image__u32x2(struct fw_image *m, const struct guid *g, uint32_t a, uint32_t b);
/* Sets the footer's table length to cover every entry added so far. */
void fw_image__close(struct fw_image *m);
/* ASEV header + N {gpa, size, type} items at OFF bytes from the end (the
 * OVMF_SEV_METADATA entry is added separately). */
void fw_image__asev(struct fw_image *m, uint32_t off, const uint32_t (*items)[3], uint32_t n);
void fw_image__put32(uint8_t *p, uint32_t v);

#endif

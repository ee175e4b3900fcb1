/* The arm64 Linux Image header (Documentation/arch/arm64/booting.rst): the
 * 64 bytes at the start of an uncompressed Image that say where it goes.
 * Parsing only; arch/arm64/boot.c places the Image in the launch plan. */
#ifndef CVM_ARM64_IMAGE_H
#define CVM_ARM64_IMAGE_H

#include <stdint.h>

#include "loader/blob.h"

#define ARM64_IMAGE_HDR_SIZE    64
#define ARM64_IMAGE_MAGIC_OFF   0x38

struct arm64_image {
	uint64_t text_offset;   /* load address minus its 2 MiB-aligned base */
	uint64_t image_size;    /* bytes the kernel claims from its load address, bss included */
};

/* Reads B's header into IMG.  Refuses, with -1 + err__set() naming B's path
 * and the field: a file shorter than the header, a gzip file (the Image must
 * be uncompressed), no "ARM\x64" magic, image_size 0 (kernels before 3.17,
 * whose text_offset is unreliable) or smaller than the file, a text_offset
 * that is not a 4 KiB multiple below 2 MiB, a big-endian kernel (flags bit
 * 0).  The other flags need nothing: the page size (bits 1-2) is the guest's
 * business, and the kernel always goes at RAM's base, which satisfies both
 * values of the placement bit (3); bits 4-63 are reserved. */
int arm64_image__parse(const struct blob *b, struct arm64_image *img);

#endif

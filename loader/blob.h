/* Input files, mapped read-only: kernels, initrds, firmware, ACPI blobs.
 * Mapping (not reading) keeps memory flat however large the file is. */
#ifndef CVM_BLOB_H
#define CVM_BLOB_H

#include <stddef.h>
#include <stdint.h>

struct blob {
	const char *path;       /* as given, for error messages */
	const uint8_t *data;    /* NULL when size is 0 */
	size_t size;
};

/* Maps PATH; on failure records "PATH: reason" and returns -1. */
int blob__open(struct blob *b, const char *path);
void blob__close(struct blob *b);
/* Tells the kernel the mapped pages may be dropped once hashed. */
void blob__done(const struct blob *b, size_t off, size_t len);

#endif

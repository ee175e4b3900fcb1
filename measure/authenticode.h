/* The PE/COFF Authenticode image digest (PE spec, edk2 HashPeImage): what
 * UEFI firmware measures for an EFI application it starts. */
#ifndef CVM_AUTHENTICODE_H
#define CVM_AUTHENTICODE_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

/* A file as the firmware sees it: SIZE bytes at DATA, except that the first
 * HEAD_LEN bytes come from HEAD (QEMU hands OVMF a patched setup header). */
struct pe_image {
	const char *path;       /* for error messages */
	const uint8_t *data;
	size_t size;
	const uint8_t *head;    /* NULL when nothing is replaced */
	size_t head_len;        /* <= size */
	/* >= 0: the same file open for reading.  The headers are parsed from
	 * DATA, but the bulk is read from the file (measure/fileio.h):
	 * touching megabytes of mapped pages can take half as long as hashing
	 * them on shadow-paging hosts.  -1: everything from DATA. */
	int fd;
};

/* Digest with MD into OUT (EVP_MD_get_size(MD) bytes): the headers without
 * CheckSum and the Certificate Table entry, the sections with raw data in
 * file order, then the bytes after them except the certificate table.
 * -1 with "PATH: PE field: what" when the image is not a well-formed PE. */
int authenticode__digest(const struct pe_image *img, const EVP_MD *md, uint8_t *out);

#endif

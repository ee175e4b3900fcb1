/* Input bytes for the hashing hot paths.  A whole file is read through one
 * small buffer: on some shadow-paging hosts (a PVM guest) the first touch
 * of each page of a new mapping exits to the host, about 2.5 us, even once
 * MAP_POPULATE has filled the guest's page table, while copying a page from
 * the page cache into a buffer that stays mapped costs under 1 us (Debian's
 * 14 MiB kernel: 11.5 ms read and hashed, 17.3 ms mapped and hashed,
 * 8.7 ms to hash it in memory).  Where mapping is cheap (a kvm_pvm host:
 * 9.0 ms mapped, 9.8 ms read) reading costs under a millisecond more: the
 * safer choice.  Plans keep their images mapped; those
 * pages are populated in one call rather than faulted in one by one. */
#ifndef CVM_MEASURE_FILEIO_H
#define CVM_MEASURE_FILEIO_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Feeds [OFF, OFF+LEN) of the file FD to CTX, 64 KiB at a time, so memory
 * stays flat for any size; stops between reads once *CANCEL (when not
 * NULL) turns true.  0, or -1 with errno (ENODATA: the file is shorter than
 * that now; ECANCELED; 0: OpenSSL failed, not the file). */
int fileio__digest(EVP_MD_CTX *ctx, int fd, uint64_t off, uint64_t len, const bool *cancel);
/* Records why fileio__digest() failed on PATH with ERR, its errno: "PATH:
 * shorter than when opened" (status 2), PATH and the error, or OpenSSL's
 * failure (status 1; ERR 0, PATH may then be NULL).  Returns -1. */
int fileio__fail(const char *path, int err);
/* Maps the pages of [P, P+LEN), part of a file mapping, in one call (a
 * hint: where the kernel cannot, the pages fault in as they are read). */
void fileio__populate(const void *p, size_t len);

#endif

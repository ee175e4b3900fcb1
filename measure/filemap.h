/* Input bytes for the hashing hot paths: mapped by the kernel in one call
 * per window, never copied (read() copies every byte) and never faulted in
 * page by page (one fault per 16 pages otherwise; each costs microseconds
 * on shadow-paging hosts, where the host handles it). */
#ifndef CVM_MEASURE_FILEMAP_H
#define CVM_MEASURE_FILEMAP_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Feeds [OFF, OFF+LEN) of the regular file FD to CTX through populated
 * mappings of at most 4 MiB at a time, so memory stays flat for any size;
 * stops between windows once *CANCEL (when not NULL) turns true.  0, or -1
 * with errno (ENODATA: the file is shorter than that now; ECANCELED). */
int filemap__digest(EVP_MD_CTX *ctx, int fd, uint64_t off, uint64_t len, const bool *cancel);
/* Maps the pages of [P, P+LEN), part of a file mapping, in one call (a
 * hint: where the kernel cannot, the pages fault in as they are read). */
void filemap__populate(const void *p, size_t len);

#endif

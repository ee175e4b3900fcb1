/* Input files: kernels, initrds, firmware, ACPI blobs, configs, variable
 * stores.  Every file cvm reads comes through here, so every one gets the
 * same rules: opened without blocking (a FIFO or a device never hangs the
 * program), a regular file or one line naming it, and its size known before
 * any work proportional to it.  A blob is mapped, not read, so memory
 * stays flat however large the file is (cvm-measure's whole-file digests
 * read the descriptor through a small buffer instead: measure/fileio.h). */
#ifndef CVM_BLOB_H
#define CVM_BLOB_H

#include <stddef.h>
#include <stdint.h>

struct blob {
	const char *path;       /* as given, for error messages */
	const uint8_t *data;    /* NULL when size is 0 */
	size_t size;
};

/* Opens PATH read-only (O_NONBLOCK, O_NOCTTY, O_CLOEXEC) and checks it is a
 * regular file of at most MAX bytes (0: no limit but the address space).
 * Returns the descriptor with *SIZE set, or -1 with "PATH: what it is" or
 * "PATH: N bytes, more than WHAT allows (MAX)" recorded (status 2). */
int blob__open_fd(const char *path, uint64_t max, const char *what, uint64_t *size);
/* blob__open_fd() and a private read-only mapping; -1 + err__set(). */
int blob__open_max(struct blob *b, const char *path, uint64_t max, const char *what);
/* The same without a size limit. */
int blob__open(struct blob *b, const char *path);
void blob__close(struct blob *b);
/* Tells the kernel the mapped pages may be dropped once hashed. */
void blob__done(const struct blob *b, size_t off, size_t len);

#endif

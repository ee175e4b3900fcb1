#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loader/error.h"
#include "measure/fileio.h"

/* Below glibc's mmap threshold (128 KiB): a buffer freed here comes back from
 * the arena on the next call, faulted in once per thread, and it stays in
 * the core's L2 between the copy and the digest. */
#define BUF          (64u << 10)
#define FAULT_AROUND (64u << 10)

int fileio__digest(EVP_MD_CTX *ctx, int fd, uint64_t off, uint64_t len, const bool *cancel)
{
	uint8_t *buf = malloc(BUF);
	int ret = -1, saved;

	if (!buf)
		return -1;
	while (len) {
		ssize_t n;

		if (cancel && __atomic_load_n(cancel, __ATOMIC_RELAXED)) {
			errno = ECANCELED;
			goto out;
		}
		n = pread(fd, buf, len < BUF ? len : BUF, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errno = n ? errno : ENODATA;
			goto out;
		}
		if (!EVP_DigestUpdate(ctx, buf, n)) {
			errno = 0;
			goto out;
		}
		off += n;
		len -= n;
	}
	ret = 0;
out:
	saved = errno;
	free(buf);
	errno = saved;
	return ret;
}

int fileio__fail(const char *path, int err)
{
	if (err == ENODATA)
		return err__set("%s: shorter than when opened", path);
	if (err)
		return err__set_status(CVM_EXIT_FAIL, "%s: %s", path, strerror(err));
	return err__set_status(CVM_EXIT_FAIL, "OpenSSL could not compute a digest");
}

void fileio__populate(const void *p, size_t len)
{
	uintptr_t pg = sysconf(_SC_PAGESIZE), s = (uintptr_t)p & ~(pg - 1);
	uintptr_t e = ((uintptr_t)p + len + pg - 1) & ~(pg - 1);

	/* Below 64 KiB one fault maps as much (fault-around): not worth a call. */
	if (len >= FAULT_AROUND)
		madvise((void *)s, e - s, MADV_POPULATE_READ);
}

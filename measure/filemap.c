#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "measure/filemap.h"

#define WINDOW       (4ull << 20)
#define FAULT_AROUND (64u << 10)

int filemap__digest(EVP_MD_CTX *ctx, int fd, uint64_t off, uint64_t len, const bool *cancel)
{
	uint64_t pg = sysconf(_SC_PAGESIZE);
	struct stat st;

	/* A mapping past the end of the file would fault with SIGBUS. */
	if (fstat(fd, &st) < 0)
		return -1;
	if ((uint64_t)st.st_size < off || (uint64_t)st.st_size - off < len) {
		errno = ENODATA;
		return -1;
	}
	while (len) {
		uint64_t start = off & ~(pg - 1), skip = off - start;
		uint64_t n = len < WINDOW - skip ? len : WINDOW - skip;
		uint8_t *p;
		int ok;

		if (cancel && __atomic_load_n(cancel, __ATOMIC_RELAXED)) {
			errno = ECANCELED;
			return -1;
		}
		p = mmap(NULL, skip + n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, start);
		if (p == MAP_FAILED)
			return -1;
		ok = EVP_DigestUpdate(ctx, p + skip, n);
		munmap(p, skip + n);
		if (!ok) {
			errno = EIO;
			return -1;
		}
		off += n;
		len -= n;
	}
	return 0;
}

void filemap__populate(const void *p, size_t len)
{
	uintptr_t pg = sysconf(_SC_PAGESIZE), s = (uintptr_t)p & ~(pg - 1);
	uintptr_t e = ((uintptr_t)p + len + pg - 1) & ~(pg - 1);

	/* Below 64 KiB one fault maps as much (fault-around): not worth a call. */
	if (len >= FAULT_AROUND)
		madvise((void *)s, e - s, MADV_POPULATE_READ);
}

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/blob.h"
#include "loader/error.h"

int blob__open(struct blob *b, const char *path)
{
	struct stat st;
	void *p = NULL;
	int fd;

	memset(b, 0, sizeof(*b));
	b->path = path;
	/* O_NONBLOCK: a FIFO must be refused below, not waited on. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return err__set("%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err__set("%s: not a regular file", path);
	}
	if (st.st_size > 0) {
		p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			int e = errno;

			close(fd);
			return err__set("%s: cannot map: %s", path, strerror(e));
		}
	}
	close(fd);
	b->data = p;
	b->size = st.st_size;
	return 0;
}

void blob__close(struct blob *b)
{
	if (b->data)
		munmap((void *)b->data, b->size);
	b->data = NULL;
	b->size = 0;
}

void blob__done(const struct blob *b, size_t off, size_t len)
{
	uintptr_t pg = sysconf(_SC_PAGESIZE);
	uintptr_t s = ((uintptr_t)b->data + off + pg - 1) & ~(pg - 1);
	uintptr_t e = ((uintptr_t)b->data + off + len) & ~(pg - 1);

	if (b->data && e > s)
		madvise((void *)s, e - s, MADV_DONTNEED);
}

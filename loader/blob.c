#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/blob.h"
#include "loader/error.h"

static const char *kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "something else";
}

int blob__open_fd(const char *path, uint64_t max, const char *what, uint64_t *size)
{
	struct stat st;
	int fd, e;

	/* O_NONBLOCK: opening a FIFO without a writer, or a device that waits
	 * for carrier, returns at once; fstat then refuses it. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return err__set("%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return err__set("%s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err__set("%s: %s, not a regular file", path, kind(st.st_mode));
	}
	if (max && (uint64_t)st.st_size > max) {
		close(fd);
		return err__set("%s: %llu bytes, more than %s allows (%llu)", path,
				(unsigned long long)st.st_size, what, (unsigned long long)max);
	}
	/* Regular files never block; reads stay plain reads. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	*size = st.st_size;
	return fd;
}

int blob__open_max(struct blob *b, const char *path, uint64_t max, const char *what)
{
	uint64_t size;
	void *p = NULL;
	int fd;

	memset(b, 0, sizeof(*b));
	b->path = path;
	fd = blob__open_fd(path, max, what, &size);
	if (fd < 0)
		return -1;
	if (size > SIZE_MAX) {
		close(fd);
		return err__set("%s: %llu bytes do not fit this address space", path,
				(unsigned long long)size);
	}
	if (size > 0) {
		p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			int e = errno;

			close(fd);
			return err__set_status(e == ENOMEM ? CVM_EXIT_FAIL : CVM_EXIT_BADINPUT,
					       "%s: cannot map %llu bytes: %s", path,
					       (unsigned long long)size, strerror(e));
		}
	}
	close(fd);
	b->data = p;
	b->size = size;
	return 0;
}

int blob__open(struct blob *b, const char *path)
{
	return blob__open_max(b, path, 0, NULL);
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

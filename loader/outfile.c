#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/error.h"
#include "loader/outfile.h"

struct outfile {
	struct outfile *next;
	char *path, *tmp;
};

static void drop(struct outfile *f)
{
	free(f->path);
	free(f->tmp);
	free(f);
}

/* The whole buffer, through short writes and signals. */
static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int outfiles__stage(struct outfiles *o, const char *path, const void *data, size_t len)
{
	static unsigned counter;
	struct outfile *f = calloc(1, sizeof(*f)), **tail;
	size_t n = strlen(path) + 40;
	int fd, e;

	if (!f || !(f->path = strdup(path)) || !(f->tmp = malloc(n))) {
		if (f)
			drop(f);
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	}
	/* Same directory, so the rename cannot cross file systems; O_EXCL so
	 * nothing that exists is ever written through. */
	snprintf(f->tmp, n, "%s.%d-%u.tmp", path, (int)getpid(), counter++);
	fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0) {
		e = errno;
		drop(f);
		return err__set("%s: cannot create: %s", path, strerror(e));
	}
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		e = errno;
		close(fd);
		unlink(f->tmp);
		drop(f);
		return err__set_status(CVM_EXIT_FAIL, "%s: write error: %s", path, strerror(e));
	}
	if (close(fd) < 0) {
		e = errno;
		unlink(f->tmp);
		drop(f);
		return err__set_status(CVM_EXIT_FAIL, "%s: write error: %s", path, strerror(e));
	}
	for (tail = &o->head; *tail; tail = &(*tail)->next)
		;
	*tail = f;
	return 0;
}

int outfiles__commit(struct outfiles *o)
{
	int ret = 0;

	while (o->head) {
		struct outfile *f = o->head;

		o->head = f->next;
		if (!ret && rename(f->tmp, f->path) < 0)
			ret = err__set_status(CVM_EXIT_FAIL, "%s: cannot rename into place: %s",
					      f->path, strerror(errno));
		if (ret)
			unlink(f->tmp);
		drop(f);
	}
	return ret;
}

void outfiles__abort(struct outfiles *o)
{
	while (o->head) {
		struct outfile *f = o->head;

		o->head = f->next;
		unlink(f->tmp);
		drop(f);
	}
}

int outfile__open_stream(const char *option, const char *path)
{
	/* O_NONBLOCK: open(2) of a FIFO for writing fails with ENXIO rather
	 * than waiting for a reader; the stream then blocks as usual. */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0644);

	if (fd < 0)
		return err__set("%s%s: %s", option, path, errno == ENXIO ?
				"a FIFO with no reader" : strerror(errno));
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		err__set("%s%s: %s", option, path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

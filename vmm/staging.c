#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "loader/error.h"
#include "vmm/staging.h"

#define PAGE 4096ull

const uint8_t *staging__get(struct staging *s, const uint8_t *data, uint64_t len,
			    uint64_t size, const char *what)
{
	if (data && len == size && !((uintptr_t)data & (PAGE - 1)))
		return data;
	if (size > s->len) {
		staging__exit(s);
		s->buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			      0);
		if (s->buf == MAP_FAILED) {
			s->buf = NULL;
			err__set_status(CVM_EXIT_FAIL, "%s: %llu bytes of staging memory: %s", what,
					(unsigned long long)size, strerror(errno));
			return NULL;
		}
		s->len = size;
	}
	if (data)
		memcpy(s->buf, data, len);
	memset(s->buf + (data ? len : 0), 0, size - (data ? len : 0));
	return s->buf;
}

void staging__exit(struct staging *s)
{
	if (s->buf)
		munmap(s->buf, s->len);
	s->buf = NULL;
	s->len = 0;
}

/* Helpers for the libFuzzer targets (tests/fuzz/fuzz-*.c): each target is
 * one LLVMFuzzerTestOneInput over a parser of untrusted bytes, built with
 * clang -fsanitize=fuzzer,address,undefined against build-fuzz/libcvm.a
 * (`make fuzz`, tests/fuzz/run.sh). */
#ifndef CVM_FUZZ_H
#define CVM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loader/error.h"

/* The input as a regular file, for code that takes paths: a memfd named
 * PATH (/proc/self/fd/N).  Returns the fd to close, or -1. */
static inline int fuzz__file(const uint8_t *data, size_t size, char path[32])
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += n;
	}
	snprintf(path, 32, "/proc/self/fd/%d", fd);
	return fd;
}

/* A device model's output callbacks: bytes sent are dropped; an interrupt
 * line may only be driven to 0 or 1. */
static inline void fuzz__tx(void *ctx, uint8_t byte)
{
	(void)ctx;
	(void)byte;
}

static inline void fuzz__irq(void *ctx, int level)
{
	if (level != 0 && level != 1)
		__builtin_trap();
	(void)ctx;
}

/* A little-endian number from the front of the input, consumed. */
static inline uint64_t fuzz__take(const uint8_t **data, size_t *size, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && *size; i++, (*data)++, (*size)--)
		v |= (uint64_t)**data << (8 * i);
	return v;
}

/* Up to MAX NUL-separated strings of the input as an argv (argv[0] is
 * NAME); the copy lives in BUF (size + 1 bytes). */
static inline int fuzz__argv(const uint8_t *data, size_t size, const char *name, char *buf,
			     char **argv, int max)
{
	int argc = 1;

	memcpy(buf, data, size);
	buf[size] = 0;
	argv[0] = (char *)name;
	for (size_t i = 0; i <= size && argc < max - 1; ) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	return argc;
}

#endif

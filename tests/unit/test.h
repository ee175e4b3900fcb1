/* Check-based unit tests.  Each tests/unit/test-*.c file registers its suite
 * with TEST_SUITE(fn) and is picked up by the Makefile's wildcard. */
#ifndef CVM_TEST_H
#define CVM_TEST_H

#include <check.h>
#include <stddef.h>

typedef Suite *(*test_suite_fn)(void);
void test__register(test_suite_fn fn);

#define TEST_SUITE(fn)                                                   \
	static void __attribute__((constructor)) register_##fn(void)     \
	{                                                                \
		test__register(fn);                                      \
	}

/* Path of a file under ../shared (CVM_SHARED): test__shared("vectors/x"). */
const char *test__shared(const char *rel);
/* Path of a built artefact (CVM_BUILD): test__build("cvm-measure"). */
const char *test__build(const char *rel);
/* The shell words that run the built program NAME (an absolute path,
 * quoted), behind $CVM_TEST_EXEC when that is set: an emulator, as when
 * x86 runs the arm64 build's tests under qemu-aarch64. */
const char *test__program(const char *name);
/* Runs CMD with sh -c in DIR (NULL: current), stdout into OUT (NUL-ended,
 * truncated to OUTLEN), stderr into ERR likewise (may be NULL); returns the
 * exit status, or -1 if it did not exit normally. */
int test__run(const char *dir, const char *cmd, char *out, size_t outlen, char *err,
	      size_t errlen);
/* How many times WHAT occurs in S, without overlap. */
size_t test__count(const char *s, const char *what);

#endif

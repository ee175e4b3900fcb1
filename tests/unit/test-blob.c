/* The shared input layer: regular files only, refused by kind without
 * blocking, sizes checked before anything is mapped or read. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/blob.h"
#include "loader/error.h"
#include "tests/unit/test.h"

static void refused(const char *path, const char *want)
{
	struct blob b;
	uint64_t size;
	char msg[600];

	ck_assert_int_eq(blob__open(&b, path), -1);
	snprintf(msg, sizeof(msg), "%s: %s", path, want);
	ck_assert_str_eq(err__msg(), msg);
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
	ck_assert_int_eq(blob__open_fd(path, 0, NULL, &size), -1);
	ck_assert_str_eq(err__msg(), msg);
}

START_TEST(not_regular_files)
{
	char dir[] = "/tmp/cvm-test-blob-XXXXXX", fifo[64];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	/* Opening a FIFO without a writer would block without O_NONBLOCK. */
	refused(fifo, "a FIFO, not a regular file");
	refused(dir, "a directory, not a regular file");
	refused("/dev/zero", "a character device, not a regular file");
	refused("/nonexistent/file", "No such file or directory");
	unlink(fifo);
	rmdir(dir);
}
END_TEST

START_TEST(sizes_before_work)
{
	char path[] = "/tmp/cvm-test-blob-XXXXXX", want[256];
	int fd = mkstemp(path);
	struct blob b;
	uint64_t size;

	ck_assert_int_ge(fd, 0);
	/* 1 TiB, sparse: sized and refused before anything is mapped. */
	ck_assert_int_eq(ftruncate(fd, 1ull << 40), 0);
	close(fd);
	ck_assert_int_eq(blob__open_max(&b, path, 1u << 20, "a test"), -1);
	snprintf(want, sizeof(want), "%s: 1099511627776 bytes, more than a test allows (1048576)", path);
	ck_assert_str_eq(err__msg(), want);
	fd = blob__open_fd(path, 0, NULL, &size);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(size, 1ull << 40);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	/* Mapped whole without a byte read (smaller: qemu-user tracks pages). */
	close(fd);
	ck_assert_int_eq(truncate(path, 64ull << 20), 0);
	ck_assert_int_eq(blob__open(&b, path), 0);
	ck_assert_uint_eq(b.size, 64ull << 20);
	blob__close(&b);
	unlink(path);
}
END_TEST

static Suite *blob_suite(void)
{
	Suite *s = suite_create("blob");
	TCase *t = tcase_create("core");

	tcase_add_test(t, not_regular_files);
	tcase_add_test(t, sizes_before_work);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(blob_suite)

/* guard__copy: reads that fault are an error, not a crash; a fault outside
 * a guarded copy still ends the process.  A PROT_NONE page stands in for a
 * page a pKVM guest kept (the host's access is a SIGSEGV there too). */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/test.h"
#include "vmm/fault-guard.h"

#define PAGE 4096

static uint8_t *pages;      /* [0] readable, [1] PROT_NONE, [2] readable */

static void setup(void)
{
	pages = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(pages, MAP_FAILED);
	memset(pages, 0xa5, 3 * PAGE);
	ck_assert_int_eq(mprotect(pages + PAGE, PAGE, PROT_NONE), 0);
}

static void teardown(void)
{
	munmap(pages, 3 * PAGE);
}

START_TEST(readable_memory_is_copied)
{
	uint8_t buf[64] = { 0 };

	memcpy(pages + PAGE - 8, "cvm-page", 8);
	ck_assert_int_eq(guard__copy(buf, pages + PAGE - 8, 8), 0);
	ck_assert_mem_eq(buf, "cvm-page", 8);
	ck_assert_int_eq(guard__copy(buf, pages + 2 * PAGE, sizeof(buf)), 0);
	ck_assert_uint_eq(buf[63], 0xa5);
	ck_assert_int_eq(guard__copy(buf, pages, 0), 0);
}
END_TEST

START_TEST(a_fault_is_an_error_every_time)
{
	uint8_t buf[16];

	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(guard__copy(buf, pages + PAGE, sizeof(buf)), -1);
		/* A copy that runs into the page from the one before. */
		ck_assert_int_eq(guard__copy(buf, pages + PAGE - 8, sizeof(buf)), -1);
		ck_assert_int_eq(guard__copy(buf, pages + 2 * PAGE, sizeof(buf)), 0);
	}
}
END_TEST

static void *copy_in_thread(void *arg)
{
	uint8_t buf[8];

	(void)arg;
	return (void *)(intptr_t)guard__copy(buf, pages + PAGE, sizeof(buf));
}

/* vCPU threads read guest memory: the guard is per thread. */
START_TEST(a_fault_in_another_thread)
{
	pthread_t t;
	void *r;

	ck_assert_int_eq(pthread_create(&t, NULL, copy_in_thread, NULL), 0);
	ck_assert_int_eq(pthread_join(t, &r), 0);
	ck_assert_int_eq((intptr_t)r, -1);
}
END_TEST

/* Outside a guarded copy the fault is not swallowed: the handler that was
 * there before (the default, or the sanitizer's) ends the process. */
START_TEST(an_unguarded_fault_still_ends_the_process)
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		uint8_t buf[8];
		volatile uint8_t *p = pages + PAGE;

		if (guard__copy(buf, pages + PAGE, sizeof(buf)) != -1)
			_exit(2);
		(void)*p;
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0 &&
					  WEXITSTATUS(st) != 2),
		      "the unguarded read came back (status %#x)", st);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fault-guard");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, readable_memory_is_copied);
	tcase_add_test(tc, a_fault_is_an_error_every_time);
	tcase_add_test(tc, a_fault_in_another_thread);
	tcase_add_test(tc, an_unguarded_fault_still_ends_the_process);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(suite)

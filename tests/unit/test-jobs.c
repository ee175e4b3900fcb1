/* The parallel job runner: every job runs once, errors come back in array
 * order with their status, whatever thread ran them. */
#include <string.h>

#include "loader/error.h"
#include "measure/jobs.h"
#include "tests/unit/test.h"

static int count_calls(void *arg)
{
	__atomic_fetch_add((int *)arg, 1, __ATOMIC_RELAXED);
	return 0;
}

static int fail_with(void *arg)
{
	return err__set_status(*(int *)arg, "job %d failed", *(int *)arg);
}

START_TEST(all_run_once)
{
	int calls[10] = { 0 };
	struct job jobs[10];

	for (int i = 0; i < 10; i++)
		jobs[i] = (struct job){ .fn = count_calls, .arg = &calls[i], .cost = i * 1000 };
	ck_assert_int_eq(jobs__run(jobs, 10), 0);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(calls[i], 1);
	ck_assert_int_eq(jobs__run(jobs, 0), 0);
}
END_TEST

START_TEST(first_error_in_array_order)
{
	int calls = 0, three = 3, one = 1;
	struct job jobs[4] = {
		{ .fn = count_calls, .arg = &calls, .cost = 1 },
		{ .fn = fail_with, .arg = &three, .cost = 2 },
		{ .fn = fail_with, .arg = &one, .cost = 100 },       /* runs first */
		{ .fn = count_calls, .arg = &calls, .cost = 50 },
	};

	err__clear();
	ck_assert_int_eq(jobs__run(jobs, 4), -1);
	ck_assert_str_eq(err__msg(), "job 3 failed");
	ck_assert_int_eq(err__status(), 3);
	ck_assert_int_eq(calls, 2);
}
END_TEST

START_TEST(too_many)
{
	struct job jobs[17];

	memset(jobs, 0, sizeof(jobs));
	ck_assert_int_eq(jobs__run(jobs, 17), -1);
	ck_assert_int_eq(err__status(), CVM_EXIT_FAIL);
}
END_TEST

static Suite *jobs_suite(void)
{
	Suite *s = suite_create("jobs");
	TCase *t = tcase_create("run");

	tcase_add_test(t, all_run_once);
	tcase_add_test(t, first_error_in_array_order);
	tcase_add_test(t, too_many);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(jobs_suite)

/* The private-range bookkeeping: merges, splits, queries, and agreement
 * with a page bitmap over many random operations. */
#include <stdlib.h>

#include "tests/unit/test.h"
#include "vmm/range-set.h"

#define NPAGES 512

static void expect(const struct range_set *s, const struct range *want, size_t n)
{
	ck_assert_uint_eq(s->n, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(s->r[i].start, want[i].start);
		ck_assert_uint_eq(s->r[i].end, want[i].end);
	}
}

START_TEST(adds_merge_and_removes_split)
{
	struct range_set s;

	range_set__init(&s);
	ck_assert_int_eq(range_set__add(&s, 10, 20), 0);
	ck_assert_int_eq(range_set__add(&s, 30, 40), 0);
	expect(&s, (struct range[]){ { 10, 20 }, { 30, 40 } }, 2);
	/* Adjacent ranges join; an overlapping one swallows what it covers. */
	ck_assert_int_eq(range_set__add(&s, 20, 25), 0);
	expect(&s, (struct range[]){ { 10, 25 }, { 30, 40 } }, 2);
	ck_assert_int_eq(range_set__add(&s, 5, 50), 0);
	expect(&s, (struct range[]){ { 5, 50 } }, 1);
	/* A hole in the middle splits; removing the ends trims. */
	ck_assert_int_eq(range_set__remove(&s, 20, 30), 0);
	expect(&s, (struct range[]){ { 5, 20 }, { 30, 50 } }, 2);
	ck_assert_int_eq(range_set__remove(&s, 0, 6), 0);
	ck_assert_int_eq(range_set__remove(&s, 45, 100), 0);
	expect(&s, (struct range[]){ { 6, 20 }, { 30, 45 } }, 2);
	/* Removing nothing, adding nothing. */
	ck_assert_int_eq(range_set__remove(&s, 20, 30), 0);
	ck_assert_int_eq(range_set__add(&s, 7, 7), 0);
	expect(&s, (struct range[]){ { 6, 20 }, { 30, 45 } }, 2);
	ck_assert(range_set__covers(&s, 6, 20));
	ck_assert(!range_set__covers(&s, 6, 21));
	ck_assert(!range_set__covers(&s, 19, 31));
	ck_assert(range_set__disjoint(&s, 20, 30));
	ck_assert(!range_set__disjoint(&s, 0, 7));
	ck_assert(!range_set__disjoint(&s, 44, 1000));
	ck_assert_uint_eq(range_set__bytes(&s, 0, 100), 14 + 15);
	ck_assert_uint_eq(range_set__bytes(&s, 10, 35), 10 + 5);
	/* The whole 64-bit space, and a range at its very end. */
	ck_assert_int_eq(range_set__add(&s, 0, ~0ull), 0);
	expect(&s, (struct range[]){ { 0, ~0ull } }, 1);
	ck_assert_int_eq(range_set__remove(&s, ~0ull - 4096, ~0ull), 0);
	ck_assert(range_set__disjoint(&s, ~0ull - 1, ~0ull));
	range_set__exit(&s);
}
END_TEST

/* Random adds and removes against a page bitmap: every query agrees and
 * the intervals stay sorted, disjoint and never adjacent. */
START_TEST(agrees_with_a_bitmap)
{
	static bool bit[NPAGES];
	struct range_set s;
	unsigned x = 1;

	range_set__init(&s);
	for (int op = 0; op < 5000; op++) {
		uint64_t a, b;

		x = x * 1103515245 + 12345;
		a = (x >> 8) % NPAGES;
		x = x * 1103515245 + 12345;
		b = a + (x >> 8) % 32 + 1;
		if (b > NPAGES)
			b = NPAGES;
		ck_assert_int_eq(range_set__reserve(&s, 1), 0);
		if (op % 3) {
			ck_assert_int_eq(range_set__add(&s, a, b), 0);
		} else {
			ck_assert_int_eq(range_set__remove(&s, a, b), 0);
		}
		for (uint64_t p = a; p < b; p++)
			bit[p] = op % 3;
		for (size_t i = 0; i < s.n; i++) {
			ck_assert_uint_lt(s.r[i].start, s.r[i].end);
			if (i)
				ck_assert_uint_lt(s.r[i - 1].end, s.r[i].start);
		}
		x = x * 1103515245 + 12345;
		a = (x >> 8) % NPAGES;
		b = a + 1 + (x >> 20) % 16;
		if (b > NPAGES)
			b = NPAGES;
		{
			bool all = true, none = true;
			uint64_t n = 0;

			for (uint64_t p = a; p < b; p++) {
				all &= bit[p];
				none &= !bit[p];
				n += bit[p];
			}
			ck_assert_int_eq(range_set__covers(&s, a, b), all);
			ck_assert_int_eq(range_set__disjoint(&s, a, b), none);
			ck_assert_uint_eq(range_set__bytes(&s, a, b), n);
		}
	}
	range_set__exit(&s);
}
END_TEST

static Suite *range_set_suite(void)
{
	Suite *s = suite_create("range-set");
	TCase *tc = tcase_create("ops");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, adds_merge_and_removes_split);
	tcase_add_test(tc, agrees_with_a_bitmap);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(range_set_suite)

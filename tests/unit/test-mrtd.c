/* MRTD replay of small plans against the TDX module's record layout
 * written out by hand: PAGE.ADD and MR.EXTEND records, both page orders. */
#include <openssl/evp.h>
#include <string.h>

#include "loader/error.h"
#include "measure/mrtd.h"
#include "tests/unit/test.h"

/* Appends the 128-byte record of OP ("MEM.PAGE.ADD" / "MR.EXTEND") at GPA. */
static void rec(EVP_MD_CTX *c, const char *op, uint64_t gpa)
{
	uint8_t r[128] = { 0 };

	memcpy(r, op, strlen(op));
	for (int i = 0; i < 8; i++)
		r[16 + i] = gpa >> (8 * i);
	EVP_DigestUpdate(c, r, 128);
}

static void ext(EVP_MD_CTX *c, uint64_t gpa, const uint8_t *page)
{
	for (int k = 0; k < 16; k++) {
		rec(c, "MR.EXTEND", gpa + 256 * k);
		EVP_DigestUpdate(c, page + 256 * k, 256);
	}
}

static uint8_t pages[2][4096];

static void fill(void)
{
	for (int p = 0; p < 2; p++)
		for (int i = 0; i < 4096; i++)
			pages[p][i] = i * 13 + p;
}

START_TEST(page_orders)
{
	uint8_t want[48], got[48];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	struct plan p;

	fill();
	plan__init(&p);
	plan__add(&p, PLAN_TDX_ADD, 0x800000, 0x1000, NULL, "temp");
	plan__add(&p, PLAN_TDX_EXTEND, 0xfffe0000, 0x2000, pages, "bfv");

	EVP_DigestInit_ex(c, EVP_sha384(), NULL);
	rec(c, "MEM.PAGE.ADD", 0x800000);
	rec(c, "MEM.PAGE.ADD", 0xfffe0000);
	ext(c, 0xfffe0000, pages[0]);
	rec(c, "MEM.PAGE.ADD", 0xfffe1000);
	ext(c, 0xfffe1000, pages[1]);
	EVP_DigestFinal_ex(c, want, NULL);
	ck_assert_int_eq(mrtd__replay(&p, MRTD_SINGLE_PASS, got), 0);
	ck_assert_mem_eq(got, want, 48);
	ck_assert_uint_eq(mrtd__stream_bytes(&p), 3 * 128 + 2 * 16 * 384);

	EVP_DigestInit_ex(c, EVP_sha384(), NULL);
	rec(c, "MEM.PAGE.ADD", 0x800000);
	rec(c, "MEM.PAGE.ADD", 0xfffe0000);
	rec(c, "MEM.PAGE.ADD", 0xfffe1000);
	ext(c, 0xfffe0000, pages[0]);
	ext(c, 0xfffe1000, pages[1]);
	EVP_DigestFinal_ex(c, want, NULL);
	ck_assert_int_eq(mrtd__replay(&p, MRTD_TWO_PASS, got), 0);
	ck_assert_mem_eq(got, want, 48);

	EVP_MD_CTX_free(c);
	plan__exit(&p);
}
END_TEST

/* Added pages count by GPA only; AUG pages not at all; unextended zeros. */
START_TEST(what_is_not_measured)
{
	uint8_t a[48], b[48], z[48];
	struct plan p, q;

	fill();
	plan__init(&p);
	plan__init(&q);
	plan__add(&p, PLAN_TDX_ADD, 0x809000, 0x2000, pages, "hob");
	plan__add(&p, PLAN_TDX_AUG, 0x900000, 0x100000, NULL, "perm");
	plan__add(&q, PLAN_TDX_ADD, 0x809000, 0x2000, NULL, "hob");
	ck_assert_int_eq(mrtd__replay(&p, MRTD_SINGLE_PASS, a), 0);
	ck_assert_int_eq(mrtd__replay(&q, MRTD_SINGLE_PASS, b), 0);
	ck_assert_mem_eq(a, b, 48);

	/* An EXTEND op without data measures zero pages. */
	memset(pages, 0, sizeof(pages));
	plan__add(&p, PLAN_TDX_EXTEND, 0xffff0000, 0x2000, pages, "z");
	plan__add(&q, PLAN_TDX_EXTEND, 0xffff0000, 0x2000, NULL, "z");
	ck_assert_int_eq(mrtd__replay(&p, MRTD_TWO_PASS, z), 0);
	ck_assert_int_eq(mrtd__replay(&q, MRTD_TWO_PASS, b), 0);
	ck_assert_mem_eq(z, b, 48);
	plan__exit(&p);
	plan__exit(&q);
}
END_TEST

START_TEST(foreign_ops)
{
	uint8_t d[48];
	struct plan p;

	plan__init(&p);
	plan__add(&p, PLAN_TDX_ADD, 0x800000, 0x1000, NULL, "temp");
	plan__add(&p, PLAN_NORMAL, 0xffc00000, 0x1000, NULL, "firmware");
	ck_assert_int_eq(mrtd__replay(&p, MRTD_SINGLE_PASS, d), -1);
	ck_assert_str_eq(err__msg(), "firmware: a normal op has no place in a TDX launch");
	plan__exit(&p);

	plan__init(&p);
	plan__add(&p, PLAN_TDX_ADD, 0x800000, 0x1800, NULL, "odd");
	ck_assert_int_eq(mrtd__replay(&p, MRTD_SINGLE_PASS, d), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "odd: [0x800000, +0x1800) is not whole 4 KiB pages"));
	plan__exit(&p);
}
END_TEST

/* An op whose data stops short (a partial last page, then whole zero
 * pages) measures exactly as the same op fully padded with zeros. */
START_TEST(partial_data_is_zero_padded)
{
	static uint8_t full[0x3000];
	uint8_t a[48], b[48];
	struct plan p;

	memset(full, 0x5a, 0x1800);
	for (int order = MRTD_SINGLE_PASS; order <= MRTD_TWO_PASS; order++) {
		plan__init(&p);
		ck_assert_ptr_nonnull(plan__add(&p, PLAN_TDX_EXTEND, 0x10000, sizeof(full), full, "full"));
		ck_assert_int_eq(mrtd__replay(&p, order, a), 0);
		plan__exit(&p);
		plan__init(&p);
		ck_assert_ptr_nonnull(plan__add_part(&p, PLAN_TDX_EXTEND, 0x10000, sizeof(full), full,
						     0x1800, "part"));
		ck_assert_int_eq(mrtd__replay(&p, order, b), 0);
		plan__exit(&p);
		ck_assert_mem_eq(a, b, 48);
	}
}
END_TEST

static Suite *mrtd_suite(void)
{
	Suite *s = suite_create("mrtd");
	TCase *t = tcase_create("replay");

	tcase_add_test(t, page_orders);
	tcase_add_test(t, what_is_not_measured);
	tcase_add_test(t, foreign_ops);
	tcase_add_test(t, partial_data_is_zero_padded);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(mrtd_suite)

#include "loader/parse.h"
#include "tests/unit/test.h"

START_TEST(sizes)
{
	uint64_t v;

	ck_assert_int_eq(parse__size("512M", &v), 0);
	ck_assert_uint_eq(v, 512ull << 20);
	ck_assert_int_eq(parse__size("4G", &v), 0);
	ck_assert_uint_eq(v, 4ull << 30);
	ck_assert_int_eq(parse__size("2GiB", &v), 0);
	ck_assert_uint_eq(v, 2ull << 30);
	ck_assert_int_eq(parse__size("0x1000", &v), 0);
	ck_assert_uint_eq(v, 0x1000);
	ck_assert_int_eq(parse__size("16k", &v), 0);
	ck_assert_uint_eq(v, 16384);
	ck_assert_int_eq(parse__size("", &v), -1);
	ck_assert_int_eq(parse__size("-1G", &v), -1);
	ck_assert_int_eq(parse__size("12Q", &v), -1);
	ck_assert_int_eq(parse__size("G", &v), -1);
	ck_assert_int_eq(parse__size("99999999999T", &v), -1);
	ck_assert_int_eq(parse__size("1Gx", &v), -1);
	/* Fractions that come out as whole bytes; decimal, never octal. */
	ck_assert_int_eq(parse__size("1.5K", &v), 0);
	ck_assert_uint_eq(v, 1536);
	ck_assert_int_eq(parse__size("010", &v), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(parse__size("1.5", &v), -1);
	ck_assert_int_eq(parse__size("1.", &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(parse__size(".5K", &v), 0);
	ck_assert_uint_eq(v, 512);
	ck_assert_int_eq(parse__size("0x1.8G", &v), -1);
	ck_assert_int_eq(parse__size("16E", &v), -1);
	ck_assert_int_eq(parse__size("15.99999999999999999999E", &v), -1);
}
END_TEST

/* QEMU's -m: a bare number is MiB, B is bytes, fractions allowed. */
START_TEST(sizes_in_mib)
{
	uint64_t v;

	ck_assert_int_eq(parse__size_mib("512", &v), 0);
	ck_assert_uint_eq(v, 512ull << 20);
	ck_assert_int_eq(parse__size_mib("1.5G", &v), 0);
	ck_assert_uint_eq(v, 3ull << 29);
	ck_assert_int_eq(parse__size_mib("1.5", &v), 0);
	ck_assert_uint_eq(v, 3ull << 19);
	ck_assert_int_eq(parse__size_mib("0.25g", &v), 0);
	ck_assert_uint_eq(v, 256ull << 20);
	ck_assert_int_eq(parse__size_mib("2GiB", &v), 0);
	ck_assert_uint_eq(v, 2ull << 30);
	ck_assert_int_eq(parse__size_mib("4096B", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(parse__size_mib("1k", &v), 0);
	ck_assert_uint_eq(v, 1024);
	ck_assert_int_eq(parse__size_mib("0x10", &v), 0);
	ck_assert_uint_eq(v, 16ull << 20);
	ck_assert_int_eq(parse__size_mib("17592186044416", &v), -1);   /* 2^44 MiB */
	ck_assert_int_eq(parse__size_mib("1.1B", &v), -1);
	ck_assert_int_eq(parse__size_mib("1,5G", &v), -1);
	ck_assert_int_eq(parse__size_mib("", &v), -1);
}
END_TEST

START_TEST(integers)
{
	uint64_t v;

	ck_assert_int_eq(parse__u64("0x21", &v), 0);
	ck_assert_uint_eq(v, 0x21);
	ck_assert_int_eq(parse__u64("17", &v), 0);
	ck_assert_uint_eq(v, 17);
	ck_assert_int_eq(parse__u64("0", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(parse__u64("0x", &v), -1);
	ck_assert_int_eq(parse__u64("12a", &v), -1);
	ck_assert_int_eq(parse__u64(" 1", &v), -1);
	ck_assert_int_eq(parse__u64("-3", &v), -1);
	ck_assert_int_eq(parse__u64("18446744073709551616", &v), -1);
}
END_TEST

static Suite *parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *t = tcase_create("core");

	tcase_add_test(t, sizes);
	tcase_add_test(t, sizes_in_mib);
	tcase_add_test(t, integers);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(parse_suite)

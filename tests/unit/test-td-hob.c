/* The TD HOB builder: q35's RAM split, accepted ranges carved out of it,
 * byte layout, and sections that do not fit. */
#include <string.h>

#include "arch/x86/td-hob.h"
#include "loader/error.h"
#include "tests/unit/test.h"

#define G (1ull << 30)

static uint64_t get(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The sections of Debian's OVMF.inteltdx.ms.fd, in its metadata order. */
static void ovmf_sections(struct tdvf *t)
{
	static const struct tdvf_section s[] = {
		{ 0x84000, 0x37c000, 0xffc84000, 0x37c000, TDVF_BFV, TDVF_ATTR_MR_EXTEND },
		{ 0, 0x84000, 0xffc00000, 0x84000, TDVF_CFV, 0 },
		{ 0, 0, 0x810000, 0x10000, TDVF_TEMP_MEM, 0 },
		{ 0, 0, 0x80b000, 0x2000, TDVF_TEMP_MEM, 0 },
		{ 0, 0, 0x809000, 0x2000, TDVF_TD_HOB, 0 },
		{ 0, 0, 0x800000, 0x6000, TDVF_TEMP_MEM, 0 },
	};

	memset(t, 0, sizeof(*t));
	t->path = "fw.fd";
	memcpy(t->sections, s, sizeof(s));
	t->nsections = 6;
}

struct range {
	uint64_t start, len;
	uint32_t type;
};

/* Checks the PHIT, the resource descriptors against WANT, and the END. */
static void check_hob(const uint8_t *h, size_t len, const struct range *want, size_t n)
{
	ck_assert_uint_eq(len, 56 + 48 * n + 8);
	ck_assert_uint_eq(get(h, 2), 1);
	ck_assert_uint_eq(get(h + 2, 2), 56);
	ck_assert_uint_eq(get(h + 8, 4), 9);
	ck_assert_uint_eq(get(h + 48, 8), 0x809000 + len);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *r = h + 56 + 48 * i;

		ck_assert_uint_eq(get(r, 2), 3);
		ck_assert_uint_eq(get(r + 2, 2), 48);
		ck_assert_mem_eq(r + 8, (uint8_t[16]){ 0 }, 16);
		ck_assert_uint_eq(get(r + 24, 4), want[i].type);
		ck_assert_uint_eq(get(r + 28, 4), 7);
		ck_assert_uint_eq(get(r + 32, 8), want[i].start);
		ck_assert_uint_eq(get(r + 40, 8), want[i].len);
	}
	ck_assert_uint_eq(get(h + len - 8, 4), 0x0008ffff);
	ck_assert_uint_eq(get(h + len - 4, 4), 0);
}

/* The HOB for MEM bytes of q35 RAM. */
static int build(const struct tdvf *t, uint64_t mem, uint8_t *buf, size_t cap, size_t *len)
{
	struct x86_ram_range r[2];
	size_t n = td_hob__q35_ram(mem, r);

	return td_hob__build(t, r, n, buf, cap, len);
}

#define U 7     /* unaccepted */
#define A 0     /* system memory, added at build time */

static const struct range low[] = {
	{ 0, 0x800000, U },          { 0x800000, 0x6000, A }, { 0x806000, 0x3000, U },
	{ 0x809000, 0x2000, A },     { 0x80b000, 0x2000, A }, { 0x80d000, 0x3000, U },
	{ 0x810000, 0x10000, A },
};

START_TEST(one_and_two_gib)
{
	uint64_t mems[] = { G, 2 * G, 0xaffff000 };
	uint8_t h[0x2000];
	struct range want[8];
	struct tdvf t;
	size_t len;

	ovmf_sections(&t);
	memcpy(want, low, sizeof(low));
	for (size_t i = 0; i < 3; i++) {
		want[7] = (struct range){ 0x820000, mems[i] - 0x820000, U };
		ck_assert_int_eq(build(&t, mems[i], h, sizeof(h), &len), 0);
		check_hob(h, len, want, 8);
	}
}
END_TEST

/* From 0xB0000000 on, q35 keeps 2 GiB below the hole and maps the rest at 4 GiB. */
START_TEST(above_4g)
{
	uint64_t mems[] = { 0xb0000000, 3 * G, 64 * G };
	uint8_t h[0x2000];
	struct range want[9];
	struct tdvf t;
	size_t len;

	ovmf_sections(&t);
	memcpy(want, low, sizeof(low));
	want[7] = (struct range){ 0x820000, 0x80000000 - 0x820000, U };
	for (size_t i = 0; i < 3; i++) {
		want[8] = (struct range){ 4 * G, mems[i] - 2 * G, U };
		ck_assert_int_eq(build(&t, mems[i], h, sizeof(h), &len), 0);
		check_hob(h, len, want, 9);
	}
	ck_assert_uint_eq(td_hob__q35_below_4g(0xb0000000 - 0x1000), 0xb0000000 - 0x1000);
	ck_assert_uint_eq(td_hob__q35_below_4g(0xb0000000), 0x80000000);
	ck_assert_uint_eq(td_hob__q35_below_4g(512ull << 20), 512ull << 20);
}
END_TEST

/* A section inside a range already accepted changes nothing (QEMU returns
 * early); one straddling it, or outside RAM, is refused. */
START_TEST(overlapping_sections)
{
	uint8_t h[0x2000], ref[0x2000];
	size_t len, ref_len;
	struct tdvf t;

	ovmf_sections(&t);
	ck_assert_int_eq(build(&t, G, ref, sizeof(ref), &ref_len), 0);
	t.sections[6] = (struct tdvf_section){ 0, 0, 0x812000, 0x1000, TDVF_TEMP_MEM, 0 };
	t.nsections = 7;
	ck_assert_int_eq(build(&t, G, h, sizeof(h), &len), 0);
	ck_assert_uint_eq(len, ref_len);
	ck_assert_mem_eq(h, ref, len);

	t.sections[6].gpa = 0x81f000;
	t.sections[6].mem_size = 0x2000;
	ck_assert_int_eq(build(&t, G, h, sizeof(h), &len), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "fw.fd: TDVF section 6 (TempMem) [0x81f000, 0x821000)"));

	/* past the end of RAM, and straddling the end of low RAM */
	t.sections[6].gpa = 2 * G;
	ck_assert_int_eq(build(&t, G, h, sizeof(h), &len), -1);
	t.sections[6].gpa = G - 0x1000;
	ck_assert_int_eq(build(&t, G, h, sizeof(h), &len), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "not inside guest RAM"));

	/* PAGE_AUG memory is the guest's to accept: it stays unaccepted. */
	t.sections[6] = (struct tdvf_section){ 0, 0, 0x900000, 0x1000, TDVF_TEMP_MEM,
					       TDVF_ATTR_PAGE_AUG };
	ck_assert_int_eq(build(&t, G, h, sizeof(h), &len), 0);
	ck_assert_uint_eq(len, ref_len);
	ck_assert_mem_eq(h, ref, len);
}
END_TEST

/* cvm-run's own map: the hole at 3 GiB, and more than two ranges refused. */
START_TEST(caller_ranges)
{
	const struct x86_ram_range r[3] = { { 0, 3 * G }, { 4 * G, 2 * G }, { 8 * G, G } };
	uint8_t h[0x2000];
	struct range want[9];
	struct tdvf t;
	size_t len;

	ovmf_sections(&t);
	memcpy(want, low, sizeof(low));
	want[7] = (struct range){ 0x820000, 3 * G - 0x820000, U };
	want[8] = (struct range){ 4 * G, 2 * G, U };
	ck_assert_int_eq(td_hob__build(&t, r, 2, h, sizeof(h), &len), 0);
	check_hob(h, len, want, 9);
	ck_assert_int_eq(td_hob__build(&t, r, 3, h, sizeof(h), &len), -1);
	ck_assert_str_eq(err__msg(), "TD HOB: 3 RAM ranges, at most 2");
}
END_TEST

START_TEST(does_not_fit)
{
	uint8_t h[0x2000];
	struct tdvf t;
	size_t len;

	ovmf_sections(&t);
	/* 8 resource descriptors: 448 bytes */
	ck_assert_int_eq(build(&t, G, h, 447, &len), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "448 bytes do not fit the 447-byte TD_HOB"));
	ck_assert_int_eq(build(&t, G, h, 448, &len), 0);

	t.sections[4].type = TDVF_TEMP_MEM;
	ck_assert_int_eq(build(&t, G, h, sizeof(h), &len), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "no TD_HOB section"));
}
END_TEST

static Suite *td_hob_suite(void)
{
	Suite *s = suite_create("td-hob");
	TCase *t = tcase_create("build");

	tcase_add_test(t, one_and_two_gib);
	tcase_add_test(t, above_4g);
	tcase_add_test(t, overlapping_sections);
	tcase_add_test(t, caller_ranges);
	tcase_add_test(t, does_not_fit);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(td_hob_suite)

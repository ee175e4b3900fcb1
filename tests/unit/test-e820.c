#include "arch/x86/e820.h"
#include "tests/unit/test.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static void expect(const struct x86_e820 *m, unsigned int i, uint64_t start, uint64_t end,
		   uint32_t type)
{
	ck_assert_uint_lt(i, m->n);
	ck_assert_uint_eq(m->e[i].addr, start);
	ck_assert_uint_eq(m->e[i].addr + m->e[i].size, end);
	ck_assert_uint_eq(m->e[i].type, type);
}

static void expect_low(const struct x86_e820 *m, uint64_t low_end)
{
	expect(m, 0, 0, 0x9fc00, E820_TYPE_RAM);
	expect(m, 1, 0x9fc00, 0xa0000, E820_TYPE_RESERVED);
	expect(m, 2, 0xf0000, 0x100000, E820_TYPE_RESERVED);
	expect(m, 3, 0x100000, low_end, E820_TYPE_RAM);
}

START_TEST(small_guest)
{
	struct x86_e820 m;

	x86__e820_build(&m, 2 * MiB);
	ck_assert_uint_eq(m.n, 4);
	expect_low(&m, 2 * MiB);
}
END_TEST

START_TEST(up_to_the_hole)
{
	struct x86_e820 m;

	x86__e820_build(&m, 3 * GiB);
	ck_assert_uint_eq(m.n, 4);
	expect_low(&m, 3 * GiB);
}
END_TEST

START_TEST(past_the_hole)
{
	struct x86_e820 m;

	x86__e820_build(&m, 3 * GiB + 0x1000);
	ck_assert_uint_eq(m.n, 5);
	expect_low(&m, 3 * GiB);
	expect(&m, 4, 4 * GiB, 4 * GiB + 0x1000, E820_TYPE_RAM);

	x86__e820_build(&m, 8 * GiB);
	ck_assert_uint_eq(m.n, 5);
	expect(&m, 4, 4 * GiB, 9 * GiB, E820_TYPE_RAM);
	ck_assert_uint_eq(x86__e820_ram_end(&m), 9 * GiB);
	x86__e820_build(&m, 3 * GiB);
	ck_assert_uint_eq(x86__e820_ram_end(&m), 3 * GiB);
}
END_TEST

START_TEST(ram_adds_up)
{
	static const uint64_t sizes[] = { 2 * MiB, 255 * MiB, 1 * GiB, 3 * GiB, 5 * GiB };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct x86_e820 m;
		uint64_t ram = 0;

		x86__e820_build(&m, sizes[s]);
		for (unsigned int i = 0; i < m.n; i++) {
			if (i)
				ck_assert_uint_le(m.e[i - 1].addr + m.e[i - 1].size, m.e[i].addr);
			if (m.e[i].type == E820_TYPE_RAM)
				ram += m.e[i].size;
		}
		/* Only the 384 KiB + 1 KiB below 1 MiB is not handed out as RAM. */
		ck_assert_uint_eq(ram, sizes[s] - (0x100000 - 0x9fc00));
	}
}
END_TEST

START_TEST(high_ram_checks)
{
	struct x86_e820 m;

	x86__e820_build(&m, 6 * GiB);
	ck_assert(x86__e820_is_high_ram(&m, MiB, 0x1000));
	ck_assert(x86__e820_is_high_ram(&m, 3 * GiB - 0x1000, 0x1000));
	ck_assert(!x86__e820_is_high_ram(&m, 3 * GiB - 0x1000, 0x2000));   /* into the hole */
	ck_assert(!x86__e820_is_high_ram(&m, 0x10000, 0x1000));              /* RAM, below 1 MiB */
	ck_assert(!x86__e820_is_high_ram(&m, MiB - 0x1000, 0x2000));
	ck_assert(!x86__e820_is_high_ram(&m, MiB, 0));
	ck_assert(x86__e820_is_high_ram(&m, 4 * GiB, 3 * GiB));
	ck_assert(!x86__e820_is_high_ram(&m, 4 * GiB, 3 * GiB + 1));
	ck_assert(!x86__e820_is_high_ram(&m, 2 * GiB, 3 * GiB));             /* spans the hole */
	ck_assert(!x86__e820_is_high_ram(&m, ~0ull - 0xfff, 0x2000));        /* wraps */
}
END_TEST

static Suite *e820_suite(void)
{
	Suite *s = suite_create("e820");
	TCase *t = tcase_create("core");

	tcase_add_test(t, small_guest);
	tcase_add_test(t, up_to_the_hole);
	tcase_add_test(t, past_the_hole);
	tcase_add_test(t, ram_adds_up);
	tcase_add_test(t, high_ram_checks);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(e820_suite)

#include <string.h>

#include "arch/x86/mptable.h"
#include "loader/error.h"
#include "tests/unit/test.h"

/* Offsets from the Intel MP spec 1.4, chapter 4, not from mptable.c. */

static uint8_t sum(const uint8_t *b, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

static uint32_t le32(const uint8_t *b)
{
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint16_t le16(const uint8_t *b)
{
	return b[0] | b[1] << 8;
}

static void check_table(uint32_t n)
{
	unsigned int cpus = 0, buses = 0, ioapics = 0, ints = 0, lints = 0;
	uint8_t pin_of_irq[16];
	const uint8_t *b, *t, *at, *end;
	struct plan p;

	plan__init(&p);
	ck_assert_int_eq(x86__mptable_add(&p, n), 0);
	ck_assert_uint_eq(p.nops, 1);
	ck_assert_int_eq(p.ops[0].kind, PLAN_LOAD);
	ck_assert_uint_eq(p.ops[0].gpa, 0x9fc00);
	ck_assert_uint_le(p.ops[0].gpa + p.ops[0].len, 0xa0000);
	b = p.ops[0].data;

	/* Floating pointer. */
	ck_assert_int_eq(memcmp(b, "_MP_", 4), 0);
	ck_assert_uint_eq(le32(b + 4), 0x9fc10);
	ck_assert_uint_eq(b[8], 1);
	ck_assert_uint_eq(b[9], 4);
	ck_assert_uint_eq(sum(b, 16), 0);
	ck_assert_uint_eq(b[11], 0);            /* feature 1: a table follows, no default config */

	/* Configuration table header. */
	t = b + 16;
	ck_assert_int_eq(memcmp(t, "PCMP", 4), 0);
	ck_assert_uint_eq(le16(t + 4), p.ops[0].len - 16);
	ck_assert_uint_eq(t[6], 4);
	ck_assert_uint_eq(sum(t, le16(t + 4)), 0);
	ck_assert_uint_eq(le16(t + 34), n + 1 + 1 + 15 + 2);
	ck_assert_uint_eq(le32(t + 36), 0xfee00000);

	memset(pin_of_irq, 0xff, sizeof(pin_of_irq));
	end = t + le16(t + 4);
	for (at = t + 44; at < end;) {
		switch (at[0]) {
		case 0:         /* processor */
			ck_assert_uint_eq(at[1], cpus);
			ck_assert_uint_eq(at[3] & 1, 1);
			ck_assert_uint_eq(!!(at[3] & 2), cpus == 0);
			cpus++;
			at += 20;
			break;
		case 1:
			ck_assert_uint_eq(at[1], 0);
			ck_assert_int_eq(memcmp(at + 2, "ISA   ", 6), 0);
			buses++;
			at += 8;
			break;
		case 2:
			ck_assert_uint_eq(at[1], n);
			ck_assert_uint_eq(at[2], 0x11);
			ck_assert_uint_eq(at[3] & 1, 1);
			ck_assert_uint_eq(le32(at + 4), 0xfec00000);
			ioapics++;
			at += 8;
			break;
		case 3:
			ck_assert_uint_eq(at[1], 0);            /* INT */
			ck_assert_uint_eq(at[4], 0);            /* the ISA bus */
			ck_assert_uint_lt(at[5], 16);
			ck_assert_uint_eq(at[6], n);            /* the IOAPIC */
			ck_assert_uint_eq(pin_of_irq[at[5]], 0xff);
			pin_of_irq[at[5]] = at[7];
			ints++;
			at += 8;
			break;
		case 4:
			ck_assert_uint_eq(at[6], 0xff);         /* every local APIC */
			ck_assert_uint_eq(at[1], lints == 0 ? 3 : 1);   /* ExtINT, then NMI */
			ck_assert_uint_eq(at[7], lints);        /* LINT0, LINT1 */
			lints++;
			at += 8;
			break;
		default:
			ck_abort_msg("entry type %u", at[0]);
		}
	}
	ck_assert_ptr_eq(at, end);
	ck_assert_uint_eq(cpus, n);
	ck_assert_uint_eq(buses, 1);
	ck_assert_uint_eq(ioapics, 1);
	ck_assert_uint_eq(ints, 15);
	ck_assert_uint_eq(lints, 2);
	ck_assert_uint_eq(pin_of_irq[0], 2);
	ck_assert_uint_eq(pin_of_irq[2], 0xff);
	for (int irq = 1; irq < 16; irq++)
		if (irq != 2)
			ck_assert_uint_eq(pin_of_irq[irq], irq);
	plan__exit(&p);
}

START_TEST(one_cpu)
{
	check_table(1);
}
END_TEST

START_TEST(four_cpus)
{
	check_table(4);
}
END_TEST

START_TEST(most_cpus)
{
	ck_assert_uint_eq(X86_MPTABLE_MAX_CPUS, 40);
	check_table(X86_MPTABLE_MAX_CPUS);
}
END_TEST

START_TEST(cpu_count_limits)
{
	struct plan p;

	plan__init(&p);
	ck_assert_int_eq(x86__mptable_add(&p, 0), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "vcpus: 0"));
	ck_assert_int_eq(x86__mptable_add(&p, X86_MPTABLE_MAX_CPUS + 1), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "vcpus: 41 is not within 1..40"));
	ck_assert_uint_eq(p.nops, 0);
	plan__exit(&p);
}
END_TEST

static Suite *mptable_suite(void)
{
	Suite *s = suite_create("mptable");
	TCase *t = tcase_create("core");

	tcase_add_test(t, one_cpu);
	tcase_add_test(t, four_cpus);
	tcase_add_test(t, most_cpus);
	tcase_add_test(t, cpu_count_limits);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(mptable_suite)

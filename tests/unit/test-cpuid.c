#include <stdbool.h>
#include <string.h>

#include "arch/x86/cpuid.h"
#include "loader/error.h"
#include "tests/unit/test.h"

/* Bit positions below are from the Intel SDM / AMD APM tables, written out
 * independently of cpuid.c's name table. */
static const struct {
	const char *name;
	enum x86_cpuid_word word;
	unsigned int bit;
} known[] = {
	{ "apic", CPUID_1_EDX, 9 },           { "ht", CPUID_1_EDX, 28 },
	{ "sse2", CPUID_1_EDX, 26 },          { "pcid", CPUID_1_ECX, 17 },
	{ "x2apic", CPUID_1_ECX, 21 },        { "tsc_deadline_timer", CPUID_1_ECX, 24 },
	{ "rdrand", CPUID_1_ECX, 30 },        { "hypervisor", CPUID_1_ECX, 31 },
	{ "fsgsbase", CPUID_7_0_EBX, 0 },     { "smep", CPUID_7_0_EBX, 7 },
	{ "rdseed", CPUID_7_0_EBX, 18 },      { "smap", CPUID_7_0_EBX, 20 },
	{ "sha_ni", CPUID_7_0_EBX, 29 },      { "umip", CPUID_7_0_ECX, 2 },
	{ "la57", CPUID_7_0_ECX, 16 },        { "rdpid", CPUID_7_0_ECX, 22 },
	{ "md_clear", CPUID_7_0_EDX, 10 },    { "serialize", CPUID_7_0_EDX, 14 },
	{ "lahf_lm", CPUID_8000_0001_ECX, 0 }, { "svm", CPUID_8000_0001_ECX, 2 },
	{ "nx", CPUID_8000_0001_EDX, 20 },    { "pdpe1gb", CPUID_8000_0001_EDX, 26 },
	{ "rdtscp", CPUID_8000_0001_EDX, 27 }, { "lm", CPUID_8000_0001_EDX, 29 },
};

static bool bit(const struct x86_cpuid_policy *pol, enum x86_cpuid_word w, unsigned int b)
{
	return pol->clear[w] & (1u << b);
}

static unsigned int bits_set(const struct x86_cpuid_policy *pol)
{
	unsigned int n = 0;

	for (int w = 0; w < X86_CPUID_WORDS; w++)
		n += __builtin_popcount(pol->clear[w]);
	return n;
}

START_TEST(names_map_to_bits)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		struct x86_cpuid_policy pol = { 0 };

		ck_assert_int_eq(x86__cpuid_parse_disable(known[i].name, &pol), 0);
		ck_assert_msg(bit(&pol, known[i].word, known[i].bit), "%s", known[i].name);
		ck_assert_uint_eq(bits_set(&pol), 1);
	}
}
END_TEST

START_TEST(lists_and_case)
{
	struct x86_cpuid_policy pol = { 0 };

	ck_assert_int_eq(x86__cpuid_parse_disable("SMEP,,smap,", &pol), 0);
	ck_assert_int_eq(x86__cpuid_parse_disable("la57", &pol), 0);     /* accumulates */
	ck_assert(bit(&pol, CPUID_7_0_EBX, 7));
	ck_assert(bit(&pol, CPUID_7_0_EBX, 20));
	ck_assert(bit(&pol, CPUID_7_0_ECX, 16));
	ck_assert_uint_eq(bits_set(&pol), 3);
}
END_TEST

START_TEST(unknown_name)
{
	struct x86_cpuid_policy pol = { 0 };

	ck_assert_int_eq(x86__cpuid_parse_disable("avx2,foo,bar", &pol), -1);
	ck_assert_str_eq(err__msg(), "--cpuid-disable: unknown feature 'foo'");
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
	ck_assert_int_eq(x86__cpuid_parse_disable("avx", &pol), 0);
	ck_assert_int_eq(x86__cpuid_parse_disable("avx2x", &pol), -1);      /* no prefix match */
	ck_assert_int_eq(x86__cpuid_parse_disable("av", &pol), -1);
}
END_TEST

START_TEST(xsave_takes_avx_along)
{
	struct x86_cpuid_policy pol = { 0 };

	ck_assert_int_eq(x86__cpuid_parse_disable("xsave", &pol), 0);
	ck_assert(bit(&pol, CPUID_1_ECX, 26));          /* xsave */
	ck_assert(bit(&pol, CPUID_1_ECX, 27));          /* osxsave */
	ck_assert(bit(&pol, CPUID_1_ECX, 28));          /* avx */
	ck_assert(bit(&pol, CPUID_1_ECX, 12));          /* fma */
	ck_assert(bit(&pol, CPUID_1_ECX, 29));          /* f16c */
	ck_assert(bit(&pol, CPUID_7_0_EBX, 5));         /* avx2 */
	ck_assert(bit(&pol, CPUID_7_0_EBX, 16));        /* avx512f */
	ck_assert(bit(&pol, CPUID_7_0_EBX, 31));        /* avx512vl */
	ck_assert(bit(&pol, CPUID_7_0_EDX, 23));        /* avx512_fp16, via avx512bw */
	ck_assert(bit(&pol, CPUID_7_0_EDX, 25));        /* amx_int8, via amx_tile */
	ck_assert(!bit(&pol, CPUID_1_EDX, 25));         /* sse stays */
	ck_assert(!bit(&pol, CPUID_1_ECX, 17));         /* pcid stays */
	ck_assert(!bit(&pol, CPUID_7_0_EBX, 7));        /* smep stays */

	memset(&pol, 0, sizeof(pol));
	ck_assert_int_eq(x86__cpuid_parse_disable("avx512f", &pol), 0);
	ck_assert(bit(&pol, CPUID_7_0_ECX, 11));        /* avx512_vnni */
	ck_assert(!bit(&pol, CPUID_7_0_EBX, 5));        /* avx2 stays */
	ck_assert(!bit(&pol, CPUID_1_ECX, 28));         /* avx stays */
}
END_TEST

/* A KVM_GET_SUPPORTED_CPUID-like array from a host with 2 threads per core:
 * leaf 0xB sub-leaf 0 only, leaf 0x1F absent from the array. */
static int host(struct kvm_cpuid_entry2 *e, uint32_t max_leaf)
{
	int n = 0;

#define E(fn, idx, fl, a, b, c, d) \
	e[n++] = (struct kvm_cpuid_entry2){ .function = fn, .index = idx, .flags = fl, \
					    .eax = a, .ebx = b, .ecx = c, .edx = d }
	E(0, 0, 0, max_leaf, 0x756e6547, 0x6c65746e, 0x49656e69);
	E(1, 0, 0, 0x906ea, 0x07100800 | 0x00020000, 0x7ffafbff, 0xbfebfbff);
	E(4, 0, 1, 0x1c004121, 0, 0, 0);        /* L1d, 2 threads share */
	E(4, 1, 1, 0x1c004122, 0, 0, 0);        /* L1i */
	E(4, 2, 1, 0x1c004143, 0, 0, 0);        /* L2 */
	E(4, 3, 1, 0x1c03c163, 0, 0, 0);        /* L3, 16 share */
	E(4, 4, 1, 0, 0, 0, 0);
	E(7, 0, 1, 0, 0xffffffff, 0xffffffff, 0xffffffff);
	E(0xb, 0, 1, 1, 2, 0x100, 7);
	E(0xb, 2, 1, 4, 8, 0x202, 7);           /* a stale extra level */
	E(0x80000001, 0, 0, 0, 0, 0xffffffff, 0xffffffff);
	E(0x80000008, 0, 0, 0x3030, 0, 0x7007, 0);
	E(0x8000001e, 0, 0, 9, 0x0103, 0x0101, 0);
#undef E
	return n;
}

static const struct kvm_cpuid_entry2 *find(const struct kvm_cpuid_entry2 *e, int n, uint32_t fn,
					   uint32_t idx)
{
	for (int i = 0; i < n; i++)
		if (e[i].function == fn && e[i].index == idx)
			return &e[i];
	ck_abort_msg("no leaf %#x.%u", fn, idx);
	return NULL;
}

START_TEST(topology_of_six_cores)
{
	struct x86_cpuid_policy pol = { 0 };
	struct kvm_cpuid_entry2 e[32];
	const struct kvm_cpuid_entry2 *x;
	int n = host(e, 0x1f), m;

	m = x86__cpuid_apply(&pol, e, n, 32, 3, 6);
	ck_assert_int_eq(m, n + 3);             /* 0xB.1, 0x1F.0, 0x1F.1 appended */

	x = find(e, m, 1, 0);
	ck_assert_uint_eq(x->ebx >> 24, 3);     /* initial APIC id */
	ck_assert_uint_eq((x->ebx >> 16) & 0xff, 6);
	ck_assert_uint_eq(x->ebx & 0xffff, 0x0800);
	ck_assert(x->edx & (1u << 28));         /* HTT */
	ck_assert(x->ecx & (1u << 31));         /* hypervisor */

	for (uint32_t leaf = 0xb; leaf <= 0x1f; leaf += 0x1f - 0xb) {
		x = find(e, m, leaf, 0);
		ck_assert_uint_eq(x->eax, 0);
		ck_assert_uint_eq(x->ebx, 1);
		ck_assert_uint_eq(x->ecx, 0x100);       /* SMT level */
		ck_assert_uint_eq(x->edx, 3);
		x = find(e, m, leaf, 1);
		ck_assert_uint_eq(x->eax, 3);           /* 6 cores: 3 APIC id bits */
		ck_assert_uint_eq(x->ebx, 6);
		ck_assert_uint_eq(x->ecx, 0x201);       /* core level */
		ck_assert_uint_eq(x->edx, 3);
		ck_assert_uint_eq(x->flags, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	}
	x = find(e, m, 0xb, 2);
	ck_assert_uint_eq(x->ecx, 2);                   /* level type 0: the end */
	ck_assert_uint_eq(x->ebx, 0);

	ck_assert_uint_eq(find(e, m, 4, 0)->eax, 5u << 26 | 0x121);
	ck_assert_uint_eq(find(e, m, 4, 2)->eax, 5u << 26 | 0x143);
	ck_assert_uint_eq(find(e, m, 4, 3)->eax, 5u << 26 | 5u << 14 | 0x163);
	ck_assert_uint_eq(find(e, m, 4, 4)->eax, 0);

	ck_assert_uint_eq(find(e, m, 0x80000008, 0)->ecx, 0x3005);
	ck_assert_uint_eq(find(e, m, 0x8000001e, 0)->eax, 3);
	ck_assert_uint_eq(find(e, m, 0x8000001e, 0)->ebx, 3);
}
END_TEST

START_TEST(apic_id_bits)
{
	static const uint32_t shift[][2] = {
		{ 1, 0 }, { 2, 1 }, { 3, 2 }, { 4, 2 }, { 5, 3 }, { 8, 3 }, { 9, 4 }, { 40, 6 },
	};

	for (size_t i = 0; i < sizeof(shift) / sizeof(shift[0]); i++) {
		struct x86_cpuid_policy pol = { 0 };
		struct kvm_cpuid_entry2 e[32];
		int m = x86__cpuid_apply(&pol, e, host(e, 0xd), 32, shift[i][0] - 1, shift[i][0]);

		ck_assert_uint_eq(find(e, m, 0xb, 1)->eax, shift[i][1]);
		ck_assert_uint_eq(find(e, m, 0xb, 1)->edx, shift[i][0] - 1);
		ck_assert_uint_eq(!!(find(e, m, 1, 0)->edx & (1u << 28)), shift[i][0] > 1);
	}
}
END_TEST

START_TEST(disabled_features_are_cleared)
{
	struct x86_cpuid_policy pol = { 0 };
	struct kvm_cpuid_entry2 e[32];
	int m;

	ck_assert_int_eq(x86__cpuid_parse_disable("xsave,la57,pcid,nx,svm,hypervisor", &pol), 0);
	m = x86__cpuid_apply(&pol, e, host(e, 0xd), 32, 0, 1);
	ck_assert_uint_eq(find(e, m, 1, 0)->ecx, 0x7ffafbff & ~(1u << 17 | 1u << 26 | 1u << 27 |
								1u << 28 | 1u << 12 | 1u << 29));
	ck_assert_uint_eq(find(e, m, 7, 0)->ecx, ~(1u << 16 | 1u << 9 | 1u << 10 | 1u << 1 |
						   1u << 6 | 1u << 11 | 1u << 12 | 1u << 14));
	ck_assert(!(find(e, m, 7, 0)->ebx & (1u << 5)));
	ck_assert(find(e, m, 7, 0)->ebx & (1u << 7));
	ck_assert_uint_eq(find(e, m, 0x80000001, 0)->edx, ~(1u << 20));
	ck_assert_uint_eq(find(e, m, 0x80000001, 0)->ecx, ~(1u << 2 | 1u << 11 | 1u << 16));
}
END_TEST

START_TEST(no_topology_leaf_below_max)
{
	struct x86_cpuid_policy pol = { 0 };
	struct kvm_cpuid_entry2 e[32];
	int n = host(e, 0xa);

	/* The guest never reads 0xB: nothing is appended, the stale one stays
	 * consistent anyway. */
	ck_assert_int_eq(x86__cpuid_apply(&pol, e, n, n, 1, 2), n);
	ck_assert_uint_eq(find(e, n, 0xb, 0)->edx, 1);
}
END_TEST

START_TEST(room_and_arguments)
{
	struct x86_cpuid_policy pol = { 0 };
	struct kvm_cpuid_entry2 e[32];
	int n = host(e, 0x1f);

	ck_assert_int_eq(x86__cpuid_apply(&pol, e, n, n + 2, 0, 2), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "no room"));
	ck_assert_int_eq(x86__cpuid_apply(&pol, e, n, 32, 2, 2), -1);
	ck_assert_int_eq(x86__cpuid_apply(&pol, e, n, 32, 0, 0), -1);
}
END_TEST

static Suite *cpuid_suite(void)
{
	Suite *s = suite_create("cpuid");
	TCase *t = tcase_create("core");

	tcase_add_test(t, names_map_to_bits);
	tcase_add_test(t, lists_and_case);
	tcase_add_test(t, unknown_name);
	tcase_add_test(t, xsave_takes_avx_along);
	tcase_add_test(t, topology_of_six_cores);
	tcase_add_test(t, apic_id_bits);
	tcase_add_test(t, disabled_features_are_cleared);
	tcase_add_test(t, no_topology_leaf_below_max);
	tcase_add_test(t, room_and_arguments);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(cpuid_suite)

#include <string.h>

#include "arch/x86/vmsa.h"
#include "tests/unit/test.h"

static uint64_t get(const uint8_t *page, size_t off, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)page[off + i] << (8 * i);
	return v;
}

/* Segment at OFF: selector, attributes, limit, base. */
static void expect_seg(const uint8_t *page, size_t off, unsigned sel, unsigned attr,
		       uint32_t limit, uint64_t base)
{
	ck_assert_msg(get(page, off, 2) == sel, "selector at %#zx", off);
	ck_assert_msg(get(page, off + 2, 2) == attr, "attrib at %#zx: %#llx", off,
		      (unsigned long long)get(page, off + 2, 2));
	ck_assert_msg(get(page, off + 4, 4) == limit, "limit at %#zx", off);
	ck_assert_msg(get(page, off + 8, 8) == base, "base at %#zx", off);
}

/* The bytes outside the listed fields stay zero. */
static void expect_rest_zero(const uint8_t *page)
{
	static const struct {
		size_t off, len;
	} fields[] = {
		{ 0, 0xa0 }, { 0xd0, 8 }, { 0x148, 8 }, { 0x158, 0x28 }, { 0x268, 8 },
		{ 0x310, 8 }, { 0x3b0, 8 }, { 0x3e8, 8 }, { 0x408, 4 }, { 0x410, 2 },
	};
	uint8_t copy[VMSA_SIZE];

	memcpy(copy, page, VMSA_SIZE);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		memset(copy + fields[i].off, 0, fields[i].len);
	for (size_t i = 0; i < VMSA_SIZE; i++)
		ck_assert_msg(!copy[i], "byte %#zx set", i);
}

START_TEST(qemu_bsp_and_ap)
{
	uint8_t page[VMSA_SIZE];
	struct vmsa_params v = {
		.vmm = SEV_VMM_QEMU, .era = VMSA_ERA_INIT2, .eip = VMSA_BSP_EIP,
		.sev_features = 0x21, .vcpu_sig = 0x800f12,
	};

	vmsa__build(page, &v);
	expect_seg(page, 0x00, 0, 0x93, 0xffff, 0);
	expect_seg(page, 0x10, 0xf000, 0x9b, 0xffff, 0xffff0000);
	expect_seg(page, 0x20, 0, 0x93, 0xffff, 0);
	expect_seg(page, 0x50, 0, 0x93, 0xffff, 0);
	expect_seg(page, 0x60, 0, 0, 0xffff, 0);
	expect_seg(page, 0x70, 0, 0x82, 0xffff, 0);
	expect_seg(page, 0x80, 0, 0, 0xffff, 0);
	expect_seg(page, 0x90, 0, 0x8b, 0xffff, 0);
	ck_assert_uint_eq(get(page, 0xd0, 8), 0x1000);
	ck_assert_uint_eq(get(page, 0x148, 8), 0x40);
	ck_assert_uint_eq(get(page, 0x158, 8), 0x10);
	ck_assert_uint_eq(get(page, 0x160, 8), 0x400);
	ck_assert_uint_eq(get(page, 0x168, 8), 0xffff0ff0);
	ck_assert_uint_eq(get(page, 0x170, 8), 0x2);
	ck_assert_uint_eq(get(page, 0x178, 8), 0xfff0);
	ck_assert_uint_eq(get(page, 0x268, 8), 0x0007040600070406ull);
	ck_assert_uint_eq(get(page, 0x310, 8), 0x800f12);
	ck_assert_uint_eq(get(page, 0x3b0, 8), 0x21);
	ck_assert_uint_eq(get(page, 0x3e8, 8), 1);
	ck_assert_uint_eq(get(page, 0x408, 4), 0x1f80);
	ck_assert_uint_eq(get(page, 0x410, 2), 0x37f);
	expect_rest_zero(page);

	v.eip = 0x80b004;
	vmsa__build(page, &v);
	expect_seg(page, 0x10, 0xf000, 0x9b, 0xffff, 0x800000);
	ck_assert_uint_eq(get(page, 0x178, 8), 0xb004);

	v.era = VMSA_ERA_LEGACY;
	vmsa__build(page, &v);
	ck_assert_uint_eq(get(page, 0x408, 4), 0);
	ck_assert_uint_eq(get(page, 0x410, 2), 0);
}
END_TEST

START_TEST(cloud_vmms)
{
	uint8_t page[VMSA_SIZE];
	struct vmsa_params v = {
		.vmm = SEV_VMM_EC2, .era = VMSA_ERA_LEGACY, .eip = VMSA_BSP_EIP,
		.sev_features = 1, .vcpu_sig = 0x800f12,
	};

	vmsa__build(page, &v);
	expect_seg(page, 0x10, 0xf000, 0x9a, 0xffff, 0xffff0000);
	expect_seg(page, 0x20, 0, 0x92, 0xffff, 0);
	expect_seg(page, 0x90, 0, 0x83, 0xffff, 0);
	ck_assert_uint_eq(get(page, 0x310, 8), 0x600);
	ck_assert_uint_eq(get(page, 0x268, 8), 0x0007040600070406ull);
	expect_rest_zero(page);
	v.eip = 0x80b004;
	vmsa__build(page, &v);
	expect_seg(page, 0x10, 0xf000, 0x9b, 0xffff, 0x800000);

	v.vmm = SEV_VMM_GCE;
	v.eip = VMSA_BSP_EIP;
	vmsa__build(page, &v);
	expect_seg(page, 0x10, 0xf000, 0x9b, 0xffff, 0xffff0000);
	expect_seg(page, 0x20, 0, 0x93, 0xffff, 0);
	expect_seg(page, 0x90, 0, 0x8b, 0xffff, 0);
	ck_assert_uint_eq(get(page, 0x268, 8), 0x00070106);
	ck_assert_uint_eq(get(page, 0x310, 8), 0x600);
	ck_assert_uint_eq(get(page, 0x408, 4), 0);
}
END_TEST

START_TEST(svsm_entry)
{
	uint8_t page[VMSA_SIZE];

	vmsa__build_svsm(page, 0xffa5e000, 0xa00f11);
	expect_seg(page, 0x00, 0x10, 0xc93, 0xffffffff, 0);
	expect_seg(page, 0x10, 0x08, 0xc9b, 0xffffffff, 0);
	expect_seg(page, 0x20, 0x10, 0xc93, 0xffffffff, 0);
	expect_seg(page, 0x40, 0x10, 0xc93, 0xffffffff, 0);
	expect_seg(page, 0x50, 0, 0x93, 0xffff, 0);
	ck_assert_uint_eq(get(page, 0x158, 8), 0x11);
	ck_assert_uint_eq(get(page, 0x178, 8), 0xffa5e000);
	ck_assert_uint_eq(get(page, 0x310, 8), 0xa00f11);
	ck_assert_uint_eq(get(page, 0x3b0, 8), 1);
	ck_assert_uint_eq(get(page, 0x408, 4), 0x1f80);
	ck_assert_uint_eq(get(page, 0x410, 2), 0);     /* the FCW quirk */
	expect_rest_zero(page);
}
END_TEST

START_TEST(cpu_models)
{
	static const struct {
		const char *name;
		uint32_t sig;
	} want[] = {
		{ "EPYC", 0x800f12 }, { "EPYC-v4", 0x800f12 }, { "EPYC-IBPB", 0x800f12 },
		{ "EPYC-Rome", 0x830f10 }, { "EPYC-Rome-v3", 0x830f10 },
		{ "EPYC-Milan", 0xa00f11 }, { "EPYC-Milan-v2", 0xa00f11 },
		{ "EPYC-Genoa", 0xa10f10 }, { "EPYC-Genoa-v1", 0xa10f10 },
		{ "EPYC-Turin", 0xb00f00 },
	};
	const struct vcpu_model *m;
	size_t n;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		m = vcpu__find(want[i].name);
		ck_assert_ptr_nonnull(m);
		ck_assert_uint_eq(vcpu__sig(m->family, m->model, m->stepping), want[i].sig);
	}
	ck_assert_ptr_null(vcpu__find("epyc"));
	ck_assert_ptr_null(vcpu__find("EPYC-v5"));
	vcpu__models(&n);
	ck_assert_uint_eq(n, 16);
	/* Family below 0xf has no extended part; model and stepping wrap. */
	ck_assert_uint_eq(vcpu__sig(6, 0x1a, 0x13), 0x106a3);
}
END_TEST

START_TEST(vmm_names)
{
	enum sev_vmm v;

	ck_assert_int_eq(sev_vmm__parse("ec2", &v), 0);
	ck_assert_int_eq(v, SEV_VMM_EC2);
	ck_assert_int_eq(sev_vmm__parse("gce", &v), 0);
	ck_assert_str_eq(sev_vmm__name(v), "gce");
	/* Any case: a superset of sev-snp-measure's spellings. */
	ck_assert_int_eq(sev_vmm__parse("qemu", &v), 0);
	ck_assert_int_eq(v, SEV_VMM_QEMU);
	ck_assert_int_eq(sev_vmm__parse("EC2", &v), 0);
	ck_assert_int_eq(v, SEV_VMM_EC2);
	ck_assert_int_eq(sev_vmm__parse("kvm", &v), -1);
	ck_assert_int_eq(vmsa__default_era(SEV_VMM_QEMU), VMSA_ERA_INIT2);
	ck_assert_int_eq(vmsa__default_era(SEV_VMM_GCE), VMSA_ERA_LEGACY);
}
END_TEST

static Suite *vmsa_suite(void)
{
	Suite *s = suite_create("vmsa");
	TCase *t = tcase_create("page");

	tcase_add_test(t, qemu_bsp_and_ap);
	tcase_add_test(t, cloud_vmms);
	tcase_add_test(t, svsm_entry);
	tcase_add_test(t, cpu_models);
	tcase_add_test(t, vmm_names);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(vmsa_suite)

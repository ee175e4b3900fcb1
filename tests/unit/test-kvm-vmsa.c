/* arch/x86/kvm-vmsa.c: a VMSA page as the KVM registers that rebuild it,
 * and the pages no register setting can reproduce. */
#include <string.h>

#include "arch/x86/kvm-vmsa.h"
#include "arch/x86/vmsa.h"
#include "loader/error.h"
#include "tests/unit/test.h"

static uint8_t page[VMSA_SIZE];

static void qemu_vmsa(uint32_t eip)
{
	struct vmsa_params p = { .vmm = SEV_VMM_QEMU, .era = VMSA_ERA_INIT2, .eip = eip,
				 .sev_features = 0x21, .vcpu_sig = 0x800f12 };

	vmsa__build(page, &p);
}

START_TEST(qemu_reset_state_as_registers)
{
	struct vmsa_regs r = { 0 };

	qemu_vmsa(0x80b004);
	ck_assert_int_eq(vmsa__to_regs(page, &r), 0);
	ck_assert_uint_eq(r.sregs.cs.selector, 0xf000);
	ck_assert_uint_eq(r.sregs.cs.base, 0x800000);
	ck_assert_uint_eq(r.sregs.cs.limit, 0xffff);
	ck_assert_uint_eq(r.sregs.cs.type, 0xb);
	ck_assert(r.sregs.cs.present && r.sregs.cs.s && !r.sregs.cs.unusable);
	ck_assert_uint_eq(r.sregs.ss.type, 3);
	ck_assert_uint_eq(r.sregs.tr.type, 0xb);
	ck_assert(!r.sregs.tr.s && r.sregs.tr.present);
	ck_assert_uint_eq(r.sregs.ldt.type, 2);
	ck_assert_uint_eq(r.sregs.gdt.limit, 0xffff);
	ck_assert_uint_eq(r.sregs.idt.limit, 0xffff);
	/* What KVM adds itself is left out: SVME, the host's CR4.MCE. */
	ck_assert_uint_eq(r.sregs.efer, 0);
	ck_assert_uint_eq(r.sregs.cr4, 0);
	ck_assert_uint_eq(r.sregs.cr0, 0x10);
	ck_assert_uint_eq(r.regs.rip, 0xb004);
	ck_assert_uint_eq(r.regs.rflags, 2);
	ck_assert_uint_eq(r.regs.rdx, 0x800f12);
	ck_assert_uint_eq(r.fpu.fcw, 0x37f);
	ck_assert_uint_eq(r.fpu.mxcsr, 0x1f80);
	ck_assert_uint_eq(r.xcr0, 1);
	ck_assert_uint_eq(r.pat, 0x0007040600070406ull);
	ck_assert_uint_eq(r.sev_features, 0x21);

	/* The SVSM's 32-bit entry state converts too. */
	vmsa__build_svsm(page, 0x1234, 0xa00f11);
	ck_assert_int_eq(vmsa__to_regs(page, &r), 0);
	ck_assert_uint_eq(r.sregs.cs.g, 1);
	ck_assert_uint_eq(r.sregs.cs.db, 1);
	ck_assert_uint_eq(r.sregs.cr0, 0x11);
	ck_assert_uint_eq(r.regs.rip, 0x1234);
}
END_TEST

static void put(size_t off, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		page[off + i] = v >> (8 * i);
}

START_TEST(what_kvm_would_not_reproduce_is_refused)
{
	static const struct { size_t off; uint64_t v; size_t n; const char *msg; } cases[] = {
		{ 0x240, 1, 8, "VMSA byte 0x240 is 0x1" },                      /* CR2 */
		{ 0x180, 5, 8, "VMSA byte 0x180 is 0x5" },                      /* DR0 */
		{ VMSA_EFER, 0, 8, "KVM always sets SVME" },
		{ VMSA_CR4, 0, 8, "KVM always adds the host's CR4.MCE" },
		{ VMSA_CR0, 0x60000010, 8, "KVM clears CD and NW" },
		{ VMSA_DR7, 0x401, 8, "DR7 = 0x400" },
		{ VMSA_DR6, 0, 8, "VMSA DR6" },
		{ VMSA_RFLAGS, 0, 8, "bit 1 is always one" },
		{ VMSA_CPL, 3, 1, "CPL differs from SS.DPL" },
		{ VMSA_CS + 2, 0x109b, 2, "VMSA CS: attribute 0x109b" },
		{ VMSA_GDTR + 4, 0x10000, 4, "VMSA GDTR: only a 16-bit limit" },
		{ VMSA_X87_FTW, 0x100, 2, "abridged 8-bit tag word" },
		{ 0x570, 1, 1, "VMSA byte 0x570" },                             /* YMM */
	};
	struct vmsa_regs r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		qemu_vmsa(VMSA_BSP_EIP);
		put(cases[i].off, cases[i].v, cases[i].n);
		ck_assert_int_eq(vmsa__to_regs(page, &r), -1);
		ck_assert_msg(strstr(err__msg(), cases[i].msg), "case %zu: '%s' lacks '%s'", i,
			      err__msg(), cases[i].msg);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("kvm-vmsa");
	TCase *tc = tcase_create("inverse");

	tcase_add_test(tc, qemu_reset_state_as_registers);
	tcase_add_test(tc, what_kvm_would_not_reproduce_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(suite)

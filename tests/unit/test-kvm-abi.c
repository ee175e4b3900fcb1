#include <stddef.h>
#include <string.h>

#include "tests/unit/test.h"
#include "arch/arm64/kvm-abi.h"
#include "arch/x86/kvm-abi.h"

/* The values of KVM-UAPI.md section 1.1, computed there independently of
 * this header: a wrong struct size or direction changes the number. */
START_TEST(ioctl_numbers_match_reference)
{
	static const struct {
		const char *name;
		unsigned long got, want;
	} t[] = {
		{ "KVM_CREATE_VM", KVM_CREATE_VM, 0xAE01 },
		{ "KVM_CHECK_EXTENSION", KVM_CHECK_EXTENSION, 0xAE03 },
		{ "KVM_CREATE_VCPU", KVM_CREATE_VCPU, 0xAE41 },
		{ "KVM_SET_USER_MEMORY_REGION2", KVM_SET_USER_MEMORY_REGION2, 0x40A0AE49 },
		{ "KVM_RUN", KVM_RUN, 0xAE80 },
		{ "KVM_SET_CPUID2", KVM_SET_CPUID2, 0x4008AE90 },
		{ "KVM_SET_TSC_KHZ", KVM_SET_TSC_KHZ, 0xAEA2 },
		{ "KVM_ENABLE_CAP", KVM_ENABLE_CAP, 0x4068AEA3 },
		{ "KVM_MEMORY_ENCRYPT_OP", KVM_MEMORY_ENCRYPT_OP, 0xC008AEBA },
		{ "KVM_MEMORY_ENCRYPT_REG_REGION", KVM_MEMORY_ENCRYPT_REG_REGION, 0x8010AEBB },
		{ "KVM_MEMORY_ENCRYPT_UNREG_REGION", KVM_MEMORY_ENCRYPT_UNREG_REGION, 0x8010AEBC },
		{ "KVM_SET_MEMORY_ATTRIBUTES", KVM_SET_MEMORY_ATTRIBUTES, 0x4020AED2 },
		{ "KVM_CREATE_GUEST_MEMFD", KVM_CREATE_GUEST_MEMFD, 0xC040AED4 },
		{ "KVM_PRE_FAULT_MEMORY", KVM_PRE_FAULT_MEMORY, 0xC040AED5 },
		{ "KVM_GET_DEVICE_ATTR", KVM_GET_DEVICE_ATTR, 0x4018AEE2 },
		{ "KVM_HAS_DEVICE_ATTR", KVM_HAS_DEVICE_ATTR, 0x4018AEE3 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(t[i].got == t[i].want, "%s = %#lx, reference %#lx", t[i].name,
			      t[i].got, t[i].want);
}
END_TEST

START_TEST(numbers_match_reference)
{
	ck_assert_int_eq(KVM_CAP_USER_MEMORY2, 231);
	ck_assert_int_eq(KVM_CAP_GUEST_MEMFD, 234);
	ck_assert_int_eq(KVM_CAP_VM_TYPES, 235);
	ck_assert_int_eq(KVM_CAP_GUEST_MEMFD_FLAGS, 244);
	ck_assert_int_eq(KVM_EXIT_MEMORY_FAULT, 39);
	ck_assert_int_eq(KVM_EXIT_TDX, 40);
	ck_assert_int_eq(KVM_SEV_INIT2, 22);
	/* KVM_SEV_INIT2 is the enumerator after the last one 6.1 knows. */
	ck_assert_int_eq(KVM_SEV_INIT2, KVM_SEV_SEND_CANCEL + 1);
	ck_assert_int_eq(KVM_SEV_SNP_LAUNCH_FINISH, 102);
	ck_assert_int_eq(KVM_TDX_GET_CPUID, 5);
	ck_assert_int_eq(KVM_X86_TDX_VM, 5);
	ck_assert_uint_eq(KVM_VM_TYPE_ARM_PROTECTED, 0x80000000UL);
	ck_assert_uint_eq(KVM_VM_TYPE_ARM_REALM & KVM_VM_TYPE_ARM_PROTECTED, 0);
	ck_assert_uint_eq(KVM_VM_TYPE_ARM_REALM & KVM_VM_TYPE_ARM_IPA_SIZE_MASK, 0);
	ck_assert_uint_eq(KVM_MAP_GPA_RANGE_ENCRYPTED, 0x10);
}
END_TEST

/* Payload offsets inside struct kvm_run, as the kernel writes them: fill
 * raw bytes at the documented offsets, read them back through the header. */
START_TEST(run_payload_offsets)
{
	static struct kvm_run run;
	uint8_t *raw = (uint8_t *)&run;
	uint64_t v;

	ck_assert_uint_eq(offsetof(struct kvm_run, hypercall), 32);
	ck_assert_uint_eq(offsetof(struct kvm_run, hypercall.ret), 88);

	v = 0x1234000;
	memcpy(raw + 40, &v, 8);
	ck_assert_uint_eq(kvm_run__memory_fault(&run)->gpa, 0x1234000);
	ck_assert_uint_eq(run.hypercall.args[0], 0x1234000);
	v = KVM_MEMORY_EXIT_FLAG_PRIVATE;
	memcpy(raw + 32, &v, 8);
	ck_assert_uint_eq(kvm_run__memory_fault(&run)->flags, KVM_MEMORY_EXIT_FLAG_PRIVATE);
	v = 0x2000;
	memcpy(raw + 48, &v, 8);
	ck_assert_uint_eq(kvm_run__memory_fault(&run)->size, 0x2000);

	kvm_run__tdx(&run)->get_quote.size = 0x5000;
	memcpy(&v, raw + 64, 8);
	ck_assert_uint_eq(v, 0x5000);

	run.hypercall.ret = 0xfeed;
	memcpy(&v, raw + 88, 8);
	ck_assert_uint_eq(v, 0xfeed);

	v = KVM_EXIT_HYPERCALL_LONG_MODE | (1ULL << 40);
	memcpy(raw + 96, &v, 8);
	ck_assert_uint_eq(kvm_run__hypercall_flags(&run), v);
}
END_TEST

static Suite *kvm_abi_suite(void)
{
	Suite *s = suite_create("kvm-abi");
	TCase *t = tcase_create("core");

	tcase_add_test(t, ioctl_numbers_match_reference);
	tcase_add_test(t, numbers_match_reference);
	tcase_add_test(t, run_payload_offsets);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(kvm_abi_suite)

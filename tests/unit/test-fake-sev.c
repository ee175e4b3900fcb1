/* The fake SEV kernel itself, against KERNEL-RULES.md 4, 5 and 7 (items 2,
 * 3 and 6): call order, LAUNCH_UPDATE's first-page errors and partial
 * progress, the CPUID copy-back, LAUNCH_FINISH's VMSA rules, the PSC
 * answers KVM accepts, the golden reset VMSA and the legacy SEV commands. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/x86/kvm-abi.h"
#include "tests/unit/fake/fake-sev.h"
#include "tests/unit/test.h"

#define PAGE	4096ull
#define RAM	(16ull << 20)

static int kvm_fd, vm_fd, sev_fd, gmem_fd;
static uint8_t *src;    /* four source pages, page-aligned and writable */

static void setup(void)
{
	fake__install();
	fake__host_sev();
	kvm_fd = sys->open("/dev/kvm", O_RDWR);
	sev_fd = sys->open("/dev/sev", O_RDWR);
	ck_assert_int_ge(kvm_fd, 0);
	ck_assert_int_ge(sev_fd, 0);
	src = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(src, MAP_FAILED);
	gmem_fd = vm_fd = -1;
}

static void teardown(void)
{
	munmap(src, 4 * PAGE);
	fake__uninstall();
}

static void expect_errno(long r, int err)
{
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(errno, err);
}

static long op(uint32_t id, void *data, uint32_t *error)
{
	struct kvm_sev_cmd c = { .id = id, .data = (uintptr_t)data, .sev_fd = sev_fd };
	long r = sys__ioctl(vm_fd, KVM_MEMORY_ENCRYPT_OP, &c);

	if (error)
		*error = c.error;
	return r;
}

static long init2(uint64_t features)
{
	struct kvm_sev_init i = { .vmsa_features = features };

	return op(KVM_SEV_INIT2, &i, NULL);
}

static void vm(unsigned long type)
{
	vm_fd = sys__ioctl(kvm_fd, KVM_CREATE_VM, type);
	ck_assert_int_ge(vm_fd, 0);
}

/* An SNP VM with 16 MiB of RAM on guest_memfd, INIT2 done. */
static void snp_vm(void)
{
	struct kvm_create_guest_memfd g = { .size = RAM };
	struct kvm_userspace_memory_region2 r = { .flags = KVM_MEM_GUEST_MEMFD,
						  .memory_size = RAM };

	vm(KVM_X86_SNP_VM);
	ck_assert_int_eq(init2(0), 0);
	gmem_fd = sys__ioctl(vm_fd, KVM_CREATE_GUEST_MEMFD, &g);
	ck_assert_int_ge(gmem_fd, 0);
	r.guest_memfd = gmem_fd;
	r.userspace_addr = (uintptr_t)src;      /* never touched by the fake */
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION2, &r), 0);
}

static void private(uint64_t gpa, uint64_t len)
{
	struct kvm_memory_attributes a = { .address = gpa, .size = len,
					   .attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE };

	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_SET_MEMORY_ATTRIBUTES, &a), 0);
}

static long start(uint64_t policy, uint32_t *error)
{
	struct kvm_sev_snp_launch_start s = { .policy = policy };

	return op(KVM_SEV_SNP_LAUNCH_START, &s, error);
}

static long update(struct kvm_sev_snp_launch_update *u, uint64_t gpa, uint64_t len, uint8_t type,
		   uint32_t *error)
{
	*u = (struct kvm_sev_snp_launch_update){ .gfn_start = gpa / PAGE, .len = len,
						 .type = type };
	if (type != KVM_SEV_SNP_PAGE_TYPE_ZERO)
		u->uaddr = (uintptr_t)src;
	return op(KVM_SEV_SNP_LAUNCH_UPDATE, u, error);
}

static long finish(uint32_t *error)
{
	struct kvm_sev_snp_launch_finish f = { 0 };

	return op(KVM_SEV_SNP_LAUNCH_FINISH, &f, error);
}

START_TEST(snp_call_order)
{
	struct kvm_sev_snp_launch_update u;
	uint32_t e;
	int vcpu;

	vm(KVM_X86_SNP_VM);
	/* Before INIT2: START is not an SNP guest's, UPDATE has no context. */
	expect_errno(start(0x30000, NULL), ENOTTY);
	expect_errno(update(&u, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &e), EINVAL);
	/* INIT2 after a vCPU exists is refused; on a fresh VM it works once. */
	vcpu = sys__ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	ck_assert_int_ge(vcpu, 0);
	expect_errno(init2(0), EINVAL);
	vm(KVM_X86_SNP_VM);
	expect_errno(init2(1ull << 9 | 1ull << 3), EINVAL);       /* not offered */
	ck_assert_int_eq(init2(FAKE_SEV_FEATURES), 0);
	expect_errno(init2(0), EPERM);          /* every id < 100 now */
	expect_errno(op(KVM_SEV_LAUNCH_START, NULL, NULL), EPERM);
	expect_errno(update(&u, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &e), EINVAL);
	/* Policy: RSVD_MBO needed, MIGRATE_MA never; the firmware wants SMT. */
	expect_errno(start(0x10000, NULL), EINVAL);
	expect_errno(start(0x70000, NULL), EINVAL);
	expect_errno(start(0x20000, &e), EIO);
	ck_assert_uint_eq(e, SEV_RET_POLICY_FAILURE);
	/* A sev_fd that is no /dev/sev. */
	sev_fd = kvm_fd;
	expect_errno(start(0x30000, NULL), EBADF);
	sev_fd = sys->open("/dev/sev", O_RDWR);
	ck_assert_int_eq(start(0x30000, NULL), 0);
	expect_errno(start(0x30000, NULL), EINVAL);
	/* The certificate exit only before vCPUs. */
	ck_assert_int_eq(op(KVM_SEV_SNP_ENABLE_REQ_CERTS, NULL, NULL), 0);
	sys->close(vcpu);
}
END_TEST

START_TEST(snp_launch_update_errors_and_progress)
{
	struct kvm_sev_snp_launch_update u;
	uint32_t e;

	snp_vm();
	ck_assert_int_eq(start(0x30000, NULL), 0);
	memset(src, 0xab, 4 * PAGE);
	/* Argument checks. */
	expect_errno(update(&u, 0x10000, 100, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &e), EINVAL);
	expect_errno(update(&u, 0x10000, PAGE, 2, &e), EINVAL);         /* VMSA is KVM's */
	expect_errno(update(&u, RAM, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &e), EINVAL);
	/* A first page that is not private: -EIO and no firmware error. */
	e = 0xff;
	expect_errno(update(&u, 0x10000, 2 * PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &e), EIO);
	ck_assert_uint_eq(e, 0);
	/* A later one: 0, and the progress written back. */
	private(0x10000, PAGE);
	ck_assert_int_eq(update(&u, 0x10000, 2 * PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &e), 0);
	ck_assert_uint_eq(u.gfn_start, 0x11);
	ck_assert_uint_eq(u.len, PAGE);
	ck_assert_uint_eq(u.uaddr, (uintptr_t)src + PAGE);
	/* Already launched: the first page fails. */
	expect_errno(update(&u, 0x10000, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &e), EIO);
	/* A firmware error on page 2 of 3: two done, then the error. */
	private(0x20000, 3 * PAGE);
	fake_sev__fail_page(0x22000, SEV_RET_INVALID_ADDRESS, 0);
	ck_assert_int_eq(update(&u, 0x20000, 3 * PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &e), 0);
	ck_assert_uint_eq(u.gfn_start, 0x22);
	expect_errno(op(KVM_SEV_SNP_LAUNCH_UPDATE, &u, &e), EIO);
	ck_assert_uint_eq(e, SEV_RET_INVALID_ADDRESS);
	/* ZERO pages need no source, and uaddr does not move. */
	private(0x30000, 2 * PAGE);
	ck_assert_int_eq(update(&u, 0x30000, 2 * PAGE, KVM_SEV_SNP_PAGE_TYPE_ZERO, &e), 0);
	ck_assert_uint_eq(u.len, 0);
	ck_assert_uint_eq(u.uaddr, 0);
	/* A read-only source: fine for NORMAL, not for CPUID (FOLL_WRITE). */
	private(0x40000, 2 * PAGE);
	mprotect(src, PAGE, PROT_READ);
	ck_assert_int_eq(update(&u, 0x40000, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &e), 0);
	expect_errno(update(&u, 0x41000, PAGE, KVM_SEV_SNP_PAGE_TYPE_CPUID, &e), EIO);
	mprotect(src, PAGE, PROT_READ | PROT_WRITE);
}
END_TEST

START_TEST(snp_cpuid_rejection_writes_the_table_back)
{
	struct cvm_snp_cpuid_table *t = (struct cvm_snp_cpuid_table *)src;
	struct kvm_sev_snp_launch_update u;
	uint32_t e;

	snp_vm();
	ck_assert_int_eq(start(0x30000, NULL), 0);
	private(0x80000, PAGE);
	memset(src, 0, PAGE);
	t->count = 1;
	t->fn[0].eax_in = 7;
	t->fn[0].ebx = 0xff;
	fake_sev__cpuid_clear(7, 0, 1, 0x0f);
	expect_errno(update(&u, 0x80000, PAGE, KVM_SEV_SNP_PAGE_TYPE_CPUID, &e), EIO);
	ck_assert_uint_eq(e, SEV_RET_INVALID_PARAM);
	ck_assert_uint_eq(t->fn[0].ebx, 0xf0);          /* corrected in the source */
	ck_assert_int_eq(op(KVM_SEV_SNP_LAUNCH_UPDATE, &u, &e), 0);     /* and accepted */
}
END_TEST

/* KERNEL-RULES 7.6: a vCPU nobody touched, on an INIT2 SNP VM. */
START_TEST(snp_finish_builds_the_golden_vmsa)
{
	static const struct { unsigned off, len; uint64_t v; } want[] = {
		/* ES, CS, SS, DS, FS, GS: {selector, attrib, limit, base} */
		{ 0x02, 2, 0x92 }, { 0x04, 4, 0xffff },
		{ 0x10, 2, 0xf000 }, { 0x12, 2, 0x9a }, { 0x14, 4, 0xffff }, { 0x18, 8, 0xffff0000 },
		{ 0x22, 2, 0x92 }, { 0x24, 4, 0xffff }, { 0x32, 2, 0x92 }, { 0x34, 4, 0xffff },
		{ 0x42, 2, 0x92 }, { 0x44, 4, 0xffff }, { 0x52, 2, 0x92 }, { 0x54, 4, 0xffff },
		/* GDTR, LDTR, IDTR, TR */
		{ 0x64, 4, 0xffff }, { 0x72, 2, 0x82 }, { 0x74, 4, 0xffff }, { 0x84, 4, 0xffff },
		{ 0x92, 2, 0x83 }, { 0x94, 4, 0xffff },
		/* EFER, CR4, CR0, DR7, DR6, RFLAGS, RIP, RDX, G_PAT, XCR0 */
		{ 0xd0, 8, 0x1000 }, { 0x148, 8, 0x40 }, { 0x158, 8, 0x10 }, { 0x160, 8, 0x400 },
		{ 0x168, 8, 0xffff0ff0 }, { 0x170, 8, 2 }, { 0x178, 8, 0xfff0 },
		{ 0x310, 8, 0x600 }, { 0x268, 8, 0x0007040600070406ull }, { 0x3e8, 8, 1 },
		/* SEV_FEATURES, MXCSR, FCW */
		{ 0x3b0, 8, 1 }, { 0x408, 4, 0x1f80 }, { 0x410, 2, 0x37f },
	};
	uint8_t expect[4096] = { 0 };
	const uint8_t *v;
	uint32_t e;
	int vcpu;

	snp_vm();
	vcpu = sys__ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	ck_assert_int_ge(start(0x30000, NULL), 0);
	ck_assert_int_eq(finish(&e), 0);
	v = fake_sev__vmsa(0);
	ck_assert_ptr_nonnull(v);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		for (unsigned b = 0; b < want[i].len; b++)
			expect[want[i].off + b] = want[i].v >> (8 * b);
	for (size_t i = 0; i < sizeof(expect); i++)
		ck_assert_msg(v[i] == expect[i], "VMSA byte %#zx: %#x, want %#x", i, v[i], expect[i]);
	/* Encrypted now: registers are gone, FINISH cannot run again. */
	expect_errno(sys__ioctl(vcpu, KVM_GET_REGS, &(struct kvm_regs){ 0 }), EINVAL);
	expect_errno(finish(&e), EINVAL);
	sys->close(vcpu);
}
END_TEST

START_TEST(vmsa_needs_dr7_0x400_and_no_guest_debug)
{
	struct kvm_debugregs d = { .dr7 = 0x401, .dr6 = 0xffff0ff0 };
	uint32_t e;
	int vcpu;

	snp_vm();
	vcpu = sys__ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	ck_assert_int_eq(sys__ioctl(vcpu, KVM_SET_DEBUGREGS, &d), 0);
	ck_assert_int_eq(start(0x30000, NULL), 0);
	expect_errno(finish(&e), EINVAL);
	sys->close(vcpu);
}
END_TEST

static void psc_step(void)
{
	fake__step(0, KVM_EXIT_HYPERCALL)->run.hypercall.nr = KVM_HC_MAP_GPA_RANGE;
}

/* KERNEL-RULES 7.3: the VMM's PSC answer must be 0, EAGAIN or EINVAL. */
START_TEST(snp_run_gates)
{
	struct kvm_run *run;
	uint32_t e;
	int vcpu;

	snp_vm();
	vcpu = sys__ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	run = mmap(NULL, FAKE_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ck_assert_ptr_ne(run, MAP_FAILED);
	psc_step();
	psc_step();
	expect_errno(sys__ioctl(vcpu, KVM_RUN, 0), EINVAL);      /* no VMSA yet */
	ck_assert_int_eq(start(0x30000, NULL), 0);
	ck_assert_int_eq(finish(&e), 0);
	ck_assert_int_eq(sys__ioctl(vcpu, KVM_RUN, 0), 0);
	run->hypercall.ret = EAGAIN;
	ck_assert_int_eq(sys__ioctl(vcpu, KVM_RUN, 0), 0);
	run->hypercall.ret = -1ull;
	expect_errno(sys__ioctl(vcpu, KVM_RUN, 0), EINVAL);
	munmap(run, FAKE_RUN_SIZE);
	sys->close(vcpu);
}
END_TEST

/* SEV-ES: START (policy ES), UPDATE_DATA in place, UPDATE_VMSA, MEASURE,
 * FINISH, in the firmware's states; read-only slots refused. */
START_TEST(sev_es_commands)
{
	struct kvm_sev_launch_start st = { .policy = 1 };
	struct kvm_sev_launch_update_data ud = { .uaddr = (uintptr_t)src, .len = 100 };
	struct kvm_sev_launch_measure m = { .uaddr = (uintptr_t)src + 2 * PAGE, .len = 16 };
	struct kvm_userspace_memory_region ro = { .flags = KVM_MEM_READONLY, .memory_size = PAGE,
						  .userspace_addr = (uintptr_t)src };
	uint32_t e;
	size_t n;
	int vcpu;

	vm(KVM_X86_SEV_ES_VM);
	expect_errno(sys__ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &ro), EINVAL);
	expect_errno(op(KVM_SEV_LAUNCH_START, &st, &e), ENOTTY);        /* INIT2 first */
	ck_assert_int_eq(init2(0), 0);
	expect_errno(init2(0), EINVAL);                 /* not SNP: EINVAL, not EPERM */
	expect_errno(op(KVM_SEV_SNP_LAUNCH_START, &st, &e), ENOTTY);
	vcpu = sys__ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	expect_errno(op(KVM_SEV_LAUNCH_START, &st, &e), EIO);           /* ES policy */
	ck_assert_uint_eq(e, SEV_RET_POLICY_FAILURE);
	st.policy = 5;
	ck_assert_int_eq(op(KVM_SEV_LAUNCH_START, &st, &e), 0);
	ck_assert_uint_eq(st.handle, 1);
	expect_errno(op(KVM_SEV_LAUNCH_FINISH, NULL, &e), EIO);          /* not measured */
	ck_assert_uint_eq(e, SEV_RET_INVALID_GUEST_STATE);
	memset(src, 0x11, 100);
	ck_assert_int_eq(op(KVM_SEV_LAUNCH_UPDATE_DATA, &ud, &e), 0);
	ck_assert_uint_eq(src[0], 0x11 ^ 0xa5);         /* encrypted in place */
	ck_assert_int_eq(op(KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, &e), 0);
	ck_assert_ptr_nonnull(fake_sev__vmsa(0));
	expect_errno(op(KVM_SEV_LAUNCH_MEASURE, &m, &e), EIO);
	ck_assert_uint_eq(e, SEV_RET_INVALID_LEN);
	ck_assert_uint_eq(m.len, 48);
	ck_assert_int_eq(op(KVM_SEV_LAUNCH_MEASURE, &m, &e), 0);
	ck_assert_int_eq(op(KVM_SEV_LAUNCH_FINISH, NULL, &e), 0);
	fake_sev__digest(&n);
	ck_assert_uint_eq(n, 32);
	/* The source must be writable: the firmware encrypts in place. */
	mprotect(src, PAGE, PROT_READ);
	expect_errno(op(KVM_SEV_LAUNCH_UPDATE_DATA, &ud, &e), ENOMEM);
	mprotect(src, PAGE, PROT_READ | PROT_WRITE);
	sys->close(vcpu);
}
END_TEST

START_TEST(sev_type_rules)
{
	struct kvm_userspace_memory_region ro = { .flags = KVM_MEM_READONLY, .memory_size = PAGE,
						  .userspace_addr = (uintptr_t)src };
	struct kvm_sev_init i = { .ghcb_version = 1 };

	vm(KVM_X86_SEV_VM);
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &ro), 0);
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MEMORY_ATTRIBUTES), 0);
	expect_errno(op(KVM_SEV_INIT2, &i, NULL), EINVAL);       /* SEV: ghcb 0 only */
	expect_errno(init2(FAKE_SEV_FEATURES), EINVAL);           /* SEV: no features */
	expect_errno(op(KVM_SEV_INIT, NULL, NULL), EINVAL);       /* legacy init: default VMs */
	ck_assert_int_eq(init2(0), 0);
	expect_errno(op(KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, NULL), ENOTTY);
	ck_assert_uint_eq(fake_sev__count(KVM_SEV_INIT2), 3);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fake-sev");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, snp_call_order);
	tcase_add_test(tc, snp_launch_update_errors_and_progress);
	tcase_add_test(tc, snp_cpuid_rejection_writes_the_table_back);
	tcase_add_test(tc, snp_finish_builds_the_golden_vmsa);
	tcase_add_test(tc, vmsa_needs_dr7_0x400_and_no_guest_debug);
	tcase_add_test(tc, snp_run_gates);
	tcase_add_test(tc, sev_es_commands);
	tcase_add_test(tc, sev_type_rules);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(suite)

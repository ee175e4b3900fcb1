/* The fake realm answers as ARM64.md's v14 call order and the series' rmi.c
 * say (the fake decides the rest, fake-realm.c says where), and its RMM's
 * RIM, computed from the bytes each populate reads, is the one measure/
 * replays for the same calls: the realm tests of cvm-run are only as good
 * as this.  arm64 only, as the fake kernel is arm64's there. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/arm64/kvm-abi.h"
#include "measure/rim.h"
#include "tests/unit/fake/fake-arm64.h"
#include "tests/unit/test.h"

#define PAGE    4096ull
#define RAM_GPA 0x40000000ull
#define RAM     (4ull << 20)
#define IPA     33

static int kvm_fd, vm_fd, gmem_fd, vcpu_fd[2];
static uint8_t *shared, *src;

static void expect_errno(long r, int err)
{
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(errno, err);
}

static void setup(void)
{
	fake__install();
	fake__host_realm();
	kvm_fd = sys->open("/dev/kvm", O_RDWR | O_CLOEXEC);
	vm_fd = sys__ioctl(kvm_fd, KVM_CREATE_VM, KVM_VM_TYPE_ARM_REALM | IPA);
	ck_assert_int_ge(vm_fd, 0);
	shared = src = NULL;
	vcpu_fd[0] = vcpu_fd[1] = -1;
}

static void teardown(void)
{
	if (shared)
		munmap(shared, RAM);
	if (src)
		munmap(src, 4 * PAGE);
	fake__uninstall();
}

/* RAM on a private guest_memfd at RAM_GPA; the source pages hold 0x11.. */
static void memory(bool private)
{
	struct kvm_create_guest_memfd g = { .size = RAM };
	struct kvm_userspace_memory_region2 r = { .guest_phys_addr = RAM_GPA, .memory_size = RAM,
						  .flags = KVM_MEM_GUEST_MEMFD };
	struct kvm_memory_attributes a = { .address = RAM_GPA, .size = RAM,
					   .attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE };

	gmem_fd = sys__ioctl(vm_fd, KVM_CREATE_GUEST_MEMFD, &g);
	ck_assert_int_ge(gmem_fd, 0);
	shared = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	src = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(shared != MAP_FAILED && src != MAP_FAILED);
	for (size_t i = 0; i < 4 * PAGE; i++)
		src[i] = (uint8_t)(0x11 + i * 3);
	r.userspace_addr = (uintptr_t)shared;
	r.guest_memfd = gmem_fd;
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION2, &r), 0);
	if (private)
		ck_assert_int_eq(sys__ioctl(vm_fd, KVM_SET_MEMORY_ATTRIBUTES, &a), 0);
}

static long populate(uint64_t gpa, uint64_t size, const void *from, uint32_t flags,
		     struct kvm_arm_rmi_populate *out)
{
	struct kvm_arm_rmi_populate p = { .base = gpa, .size = size,
					  .source_uaddr = (uintptr_t)from, .flags = flags };
	long r = sys__ioctl(vm_fd, KVM_ARM_RMI_POPULATE, &p);

	if (out)
		*out = p;
	return r;
}

static void gic(bool init)
{
	struct kvm_create_device d = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = 0x08000000, redist = 0x080a0000;
	struct kvm_device_attr a = { .group = KVM_DEV_ARM_VGIC_GRP_ADDR,
				     .attr = KVM_VGIC_V3_ADDR_TYPE_DIST, .addr = (uintptr_t)&dist };

	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_CREATE_DEVICE, &d), 0);
	ck_assert_int_eq(sys__ioctl(d.fd, KVM_SET_DEVICE_ATTR, &a), 0);
	a.attr = KVM_VGIC_V3_ADDR_TYPE_REDIST;
	a.addr = (uintptr_t)&redist;
	ck_assert_int_eq(sys__ioctl(d.fd, KVM_SET_DEVICE_ATTR, &a), 0);
	a = (struct kvm_device_attr){ .group = KVM_DEV_ARM_VGIC_GRP_CTRL,
				      .attr = KVM_DEV_ARM_VGIC_CTRL_INIT };
	if (init)
		ck_assert_int_eq(sys__ioctl(d.fd, KVM_SET_DEVICE_ATTR, &a), 0);
}

static void set_reg(int fd, uint64_t id, uint64_t v, int err)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&v };
	long ret = sys__ioctl(fd, KVM_SET_ONE_REG, &r);

	if (err)
		expect_errno(ret, err);
	else
		ck_assert_int_eq(ret, 0);
}

#define CORE(f) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(f))

/* vCPU I with PSCI 0.2 (unless not), PC and x0 set on vCPU 0. */
static void vcpu(unsigned i, bool psci)
{
	struct kvm_vcpu_init init = { .target = KVM_ARM_TARGET_GENERIC_V8 };

	vcpu_fd[i] = sys__ioctl(vm_fd, KVM_CREATE_VCPU, i);
	ck_assert_int_ge(vcpu_fd[i], 0);
	set_reg(vcpu_fd[i], CORE(regs.pc), 0, ENOEXEC);         /* before VCPU_INIT */
	init.features[0] = (psci ? 1u << KVM_ARM_VCPU_PSCI_0_2 : 0) |
			   (i ? 1u << KVM_ARM_VCPU_POWER_OFF : 0);
	ck_assert_int_eq(sys__ioctl(vcpu_fd[i], KVM_ARM_VCPU_INIT, &init), 0);
	if (!i) {
		set_reg(vcpu_fd[i], CORE(regs.pc), RAM_GPA, 0);
		set_reg(vcpu_fd[i], CORE(regs.regs[0]), RAM_GPA + 0x2000, 0);
	}
}

/* KVM_RUN of vCPU I until the guest's first exit (an interrupt). */
static long run(unsigned i)
{
	fake__step(i, KVM_EXIT_INTR);
	return sys__ioctl(vcpu_fd[i], KVM_RUN, 0);
}

START_TEST(types_and_caps)
{
	const struct fake_realm *realm;

	ck_assert_int_eq(sys__ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_RMI), 1);
	ck_assert_uint_eq(KVM_ARM_RMI_POPULATE, 0xc020aed7);    /* _IOWR(0xAE, 0xd7, 32 bytes) */
	expect_errno(sys__ioctl(kvm_fd, KVM_CREATE_VM, KVM_VM_TYPE_ARM_REALM |
				KVM_VM_TYPE_ARM_PROTECTED | IPA), EINVAL);
	expect_errno(sys__ioctl(kvm_fd, KVM_CREATE_VM, KVM_VM_TYPE_ARM_REALM | 49), EINVAL);
	realm = fake_realm__get();
	ck_assert_ptr_nonnull(realm);
	ck_assert(!realm->created);
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MEMORY_ATTRIBUTES),
			 KVM_MEMORY_ATTRIBUTE_PRIVATE);
	fake__set_cap(KVM_CAP_ARM_RMI, 0);                      /* a host without the series */
	expect_errno(sys__ioctl(kvm_fd, KVM_CREATE_VM, KVM_VM_TYPE_ARM_REALM | IPA), EINVAL);
	ck_assert_int_ge(sys__ioctl(kvm_fd, KVM_CREATE_VM, IPA), 0);
}
END_TEST

/* kvm_arm_rmi_populate()'s argument checks, then kvm_gmem_populate's. */
START_TEST(populate_refuses)
{
	struct kvm_arm_rmi_populate p = { .base = RAM_GPA, .size = PAGE, .reserved = 1 };

	memory(false);
	p.source_uaddr = (uintptr_t)src;
	expect_errno(sys__ioctl(vm_fd, KVM_ARM_RMI_POPULATE, &p), EINVAL);
	expect_errno(populate(RAM_GPA, PAGE, src, 2, NULL), EINVAL);
	expect_errno(populate(RAM_GPA + 0x800, PAGE, src, 1, NULL), EINVAL);
	expect_errno(populate(RAM_GPA, 0x800, src, 1, NULL), EINVAL);
	expect_errno(populate(RAM_GPA, PAGE, src + 8, 1, NULL), EINVAL);
	ck_assert(!fake_realm__get()->created);
	/* The realm exists from here: the private attribute is missing. */
	expect_errno(populate(RAM_GPA, PAGE, src, 1, NULL), EINVAL);
	ck_assert(fake_realm__get()->created);
	expect_errno(populate(RAM_GPA + RAM, PAGE, src, 1, NULL), EINVAL);     /* no slot */
}
END_TEST

START_TEST(populate_is_once_and_before_the_run)
{
	struct kvm_arm_rmi_populate out;

	memory(true);
	ck_assert_int_eq(populate(RAM_GPA, 2 * PAGE, src, 1, &out), 0);
	ck_assert_uint_eq(out.size, 0);
	ck_assert_uint_eq(out.base, RAM_GPA + 2 * PAGE);
	ck_assert_uint_eq(out.source_uaddr, (uintptr_t)src + 2 * PAGE);
	expect_errno(populate(RAM_GPA + PAGE, PAGE, src, 1, NULL), ENXIO);     /* mapped */
	/* A call that meets a mapped granule returns what it did before it. */
	ck_assert_int_eq(populate(RAM_GPA + 5 * PAGE, PAGE, src, 0, &out), 0);
	ck_assert_int_eq(populate(RAM_GPA + 4 * PAGE, 2 * PAGE, src, 0, &out), 0);
	ck_assert_uint_eq(out.size, PAGE);
	ck_assert_uint_eq(out.base, RAM_GPA + 5 * PAGE);
	expect_errno(populate(out.base, out.size, src, 0, NULL), ENXIO);
	vcpu(0, true);
	gic(true);
	ck_assert_int_eq(run(0), 0);
	ck_assert(fake_realm__get()->active);
	expect_errno(populate(RAM_GPA + 16 * PAGE, PAGE, src, 1, NULL), EBUSY);
	expect_errno(sys__ioctl(vm_fd, KVM_CREATE_VCPU, 1), EBUSY);
	set_reg(vcpu_fd[0], CORE(regs.pc), 0, EPERM);
}
END_TEST

/* The first KVM_RUN needs VCPU_INIT, an in-kernel vGIC, PSCI 0.2 on every
 * vCPU; a failed activation leaves the realm dead. */
START_TEST(activation_needs)
{
	memory(true);
	vcpu(0, true);
	vcpu_fd[1] = sys__ioctl(vm_fd, KVM_CREATE_VCPU, 1);
	expect_errno(run(1), ENOEXEC);
	expect_errno(run(0), EOPNOTSUPP);
	ck_assert(!fake_realm__get()->active);
	gic(false);
	{
		struct kvm_vcpu_init init = { .target = KVM_ARM_TARGET_GENERIC_V8 };

		ck_assert_int_eq(sys__ioctl(vcpu_fd[1], KVM_ARM_VCPU_INIT, &init), 0);
	}
	expect_errno(run(0), EINVAL);                           /* vCPU 1 without PSCI */
	expect_errno(run(0), ENXIO);
	expect_errno(populate(RAM_GPA, PAGE, src, 1, NULL), ENXIO);
}
END_TEST

/* The RMM's RIM is measure/'s for the same calls: create, DATA granules
 * (measured, unmeasured), REC 0 runnable at its registers, REC 1 not. */
START_TEST(rim_is_measures)
{
	static const struct plan_realm params = { .rmm = PLAN_RMM_2_0, .hash = PLAN_REALM_SHA256,
						  .s2sz = IPA };
	const struct plan_realm_rec rec = { .flags = PLAN_REC_RUNNABLE, .pc = RAM_GPA,
					    .gprs = { RAM_GPA + 0x2000 } };
	uint8_t want[RIM_MAX], content[RIM_MAX];
	const struct fake_realm *r;
	uint64_t size;
	const uint8_t *g;

	memory(true);
	vcpu(0, true);
	vcpu(1, true);
	gic(true);
	fake_realm__populate_chunk(1);
	ck_assert_int_eq(populate(RAM_GPA, 2 * PAGE, src, 1, NULL), 0);         /* one of two */
	ck_assert_int_eq(populate(RAM_GPA + PAGE, PAGE, src + PAGE, 1, NULL), 0);
	ck_assert_int_eq(populate(RAM_GPA + 0x2000, PAGE, src + 2 * PAGE, 0, NULL), 0);
	ck_assert_int_eq(run(0), 0);
	r = fake_realm__get();
	ck_assert(r->active);
	ck_assert_uint_eq(r->s2sz, IPA);

	ck_assert_int_eq(rim__create(&params, want), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(rim__data(PLAN_REALM_SHA256, want, RAM_GPA + i * PAGE, i < 2,
					   src + i * PAGE, PAGE, content), 0);
	ck_assert_int_eq(rim__rec(PLAN_REALM_SHA256, want, &rec, content), 0);
	ck_assert_mem_eq(r->rim, want, 32);

	/* The calls: create, 3 DATA, REC 0 measured, REC 1 not, RIPAS, activate. */
	ck_assert_uint_eq(r->ncalls, 8);
	ck_assert_int_eq(r->calls[0].op, FAKE_RMI_REALM_CREATE);
	ck_assert(r->calls[3].op == FAKE_RMI_DATA_CREATE && !r->calls[3].measured);
	ck_assert(r->calls[4].op == FAKE_RMI_REC_CREATE && r->calls[4].measured &&
		  r->calls[4].pc == RAM_GPA && r->calls[4].x0 == RAM_GPA + 0x2000);
	ck_assert(r->calls[5].op == FAKE_RMI_REC_CREATE && r->calls[5].vcpu == 1 &&
		  !r->calls[5].measured);
	ck_assert(r->calls[6].op == FAKE_RMI_INIT_RIPAS && r->calls[6].ipa == RAM_GPA &&
		  r->calls[6].top == RAM_GPA + RAM);
	ck_assert_int_eq(r->calls[7].op, FAKE_RMI_REALM_ACTIVATE);
	/* The bytes are the realm's now, in its guest_memfd. */
	g = fake__guest_memory(&size);
	ck_assert_uint_eq(size, RAM);
	ck_assert_mem_eq(g, src, 3 * PAGE);
}
END_TEST

START_TEST(stall_and_failure)
{
	struct kvm_arm_rmi_populate out;

	memory(true);
	fake_realm__populate_stall(1);
	fake_realm__populate_fails(RAM_GPA + 2 * PAGE, EIO);
	ck_assert_int_eq(populate(RAM_GPA, PAGE, src, 1, &out), 0);
	ck_assert_int_eq(populate(RAM_GPA + PAGE, PAGE, src, 1, &out), 0);     /* stalls */
	ck_assert_uint_eq(out.size, PAGE);
	ck_assert_int_eq(populate(RAM_GPA + PAGE, 3 * PAGE, src, 1, &out), 0);
	ck_assert_uint_eq(out.size, 2 * PAGE);                  /* stopped before the failure */
	expect_errno(populate(out.base, out.size, src, 1, NULL), EIO);
	ck_assert_uint_eq(fake_realm__get()->populates, 3);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fake-realm");
	TCase *t = tcase_create("rmm");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 30);
	tcase_add_test(t, types_and_caps);
	tcase_add_test(t, populate_refuses);
	tcase_add_test(t, populate_is_once_and_before_the_run);
	tcase_add_test(t, activation_needs);
	tcase_add_test(t, rim_is_measures);
	tcase_add_test(t, stall_and_failure);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(suite)

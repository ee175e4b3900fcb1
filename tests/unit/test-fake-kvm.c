/* The fake KVM itself answers as KVM-UAPI.md sections 1 and 7 say the real
 * one does: the VMM tests are only as good as these answers. */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/unit/fake/fake-kvm.h"
#include "tests/unit/test.h"

#define PAGE 4096ull

static int kvm_fd, vm_fd;

static void setup(void)
{
	fake__install();
	kvm_fd = sys->open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(kvm_fd, 0);
	vm_fd = sys__ioctl(kvm_fd, KVM_CREATE_VM, KVM_X86_DEFAULT_VM);
	ck_assert_int_ge(vm_fd, 0);
}

static void teardown(void)
{
	fake__uninstall();
}

/* -1 with errno ERR. */
static void expect_errno(long r, int err)
{
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(errno, err);
}

static int gmem(uint64_t size, uint64_t flags)
{
	struct kvm_create_guest_memfd g = { .size = size, .flags = flags };

	return sys__ioctl(vm_fd, KVM_CREATE_GUEST_MEMFD, &g);
}

static int slot(uint32_t id, uint64_t gpa, uint64_t size, int fd, uint64_t off)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = id, .flags = fd >= 0 ? KVM_MEM_GUEST_MEMFD : 0, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = 0x7f0000000000ull + gpa,
		.guest_memfd = fd, .guest_memfd_offset = off,
	};

	return sys__ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION2, &r);
}

START_TEST(system_ioctls)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[64];
	} c = { .hdr.nent = 2 };

	ck_assert_int_eq(sys__ioctl(kvm_fd, KVM_GET_API_VERSION, 0), 12);
	ck_assert_int_eq(sys__ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS), 3);
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXIT_HYPERCALL), 4096);
	ck_assert_int_eq(sys__ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MEMORY_ATTRIBUTES), 0);
	ck_assert_int_eq(sys__ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS), 288);
	ck_assert_int_eq(sys__ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0), FAKE_RUN_SIZE);
	for (int type = KVM_X86_SW_PROTECTED_VM; type <= KVM_X86_TDX_VM; type++)
		expect_errno(sys__ioctl(kvm_fd, KVM_CREATE_VM, type), EINVAL);
	expect_errno(sys__ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, &c), E2BIG);
	ck_assert_uint_eq(c.hdr.nent, 2);
	c.hdr.nent = 64;
	ck_assert_int_eq(sys__ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, &c), 0);
	ck_assert_uint_gt(c.hdr.nent, 2);
	ck_assert_uint_lt(c.hdr.nent, 64);
	ck_assert_uint_eq(c.e[0].function, 0);
	expect_errno(sys__ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, NULL), EFAULT);

	/* Types the host offers but the fake does not model are refused. */
	fake__set_cap(KVM_CAP_VM_TYPES, 1 << 6 | 1);
	expect_errno(sys__ioctl(kvm_fd, KVM_CREATE_VM, 6), EINVAL);
	expect_errno(sys__ioctl(kvm_fd, KVM_CREATE_VM, 32), EINVAL);
}
END_TEST

/* KERNEL-RULES 2.2: attributes and gmem flags are answered per VM type. */
START_TEST(sw_protected_answers_per_type)
{
	struct kvm_create_guest_memfd g = { .size = PAGE, .flags = GUEST_MEMFD_FLAG_MMAP |
							     GUEST_MEMFD_FLAG_INIT_SHARED };
	int prot;

	expect_errno(sys__ioctl(kvm_fd, KVM_CREATE_VM, KVM_X86_SW_PROTECTED_VM), EINVAL);
	fake__host_sw_protected();
	prot = sys__ioctl(kvm_fd, KVM_CREATE_VM, KVM_X86_SW_PROTECTED_VM);
	ck_assert_int_ge(prot, 0);
	ck_assert_int_eq(sys__ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MEMORY_ATTRIBUTES), 8);
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MEMORY_ATTRIBUTES), 0);
	ck_assert_int_eq(sys__ioctl(prot, KVM_CHECK_EXTENSION, KVM_CAP_MEMORY_ATTRIBUTES), 8);
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS), 3);
	ck_assert_int_eq(sys__ioctl(prot, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS), 1);
	/* INIT_SHARED is for VMs without private memory. */
	expect_errno(sys__ioctl(prot, KVM_CREATE_GUEST_MEMFD, &g), EINVAL);
	g.flags = 0;
	ck_assert_int_ge(sys__ioctl(prot, KVM_CREATE_GUEST_MEMFD, &g), 0);
}
END_TEST

static int set_attrs(int vm, uint64_t gpa, uint64_t size, uint64_t attrs, uint64_t flags)
{
	struct kvm_memory_attributes a = { .address = gpa, .size = size, .attributes = attrs,
					   .flags = flags };

	return sys__ioctl(vm, KVM_SET_MEMORY_ATTRIBUTES, &a);
}

/* KERNEL-RULES 2.5, in the kernel's order; the attribute store splits and
 * rejoins ranges as a real xarray would answer. */
START_TEST(memory_attribute_rules)
{
	const uint64_t P = KVM_MEMORY_ATTRIBUTE_PRIVATE;
	int prot;

	fake__host_sw_protected();
	prot = sys__ioctl(kvm_fd, KVM_CREATE_VM, KVM_X86_SW_PROTECTED_VM);
	/* The default VM takes only attributes 0. */
	expect_errno(set_attrs(vm_fd, 0, PAGE, P, 0), EINVAL);
	ck_assert_int_eq(set_attrs(vm_fd, 0, PAGE, 0, 0), 0);
	expect_errno(set_attrs(prot, 0, PAGE, P, 1), EINVAL);
	expect_errno(set_attrs(prot, 0, PAGE, 1 << 2, 0), EINVAL);
	expect_errno(set_attrs(prot, 0, 0, P, 0), EINVAL);
	expect_errno(set_attrs(prot, -PAGE, 2 * PAGE, P, 0), EINVAL);
	expect_errno(set_attrs(prot, 1, PAGE, P, 0), EINVAL);
	expect_errno(set_attrs(prot, 0, PAGE + 1, P, 0), EINVAL);
	ck_assert_int_eq(set_attrs(prot, 4 * PAGE, 8 * PAGE, P, 0), 0);
	ck_assert_uint_eq(fake__attributes(3 * PAGE), 0);
	ck_assert_uint_eq(fake__attributes(4 * PAGE), P);
	ck_assert_uint_eq(fake__attributes(11 * PAGE), P);
	ck_assert_uint_eq(fake__attributes(12 * PAGE), 0);
	ck_assert_int_eq(set_attrs(prot, 6 * PAGE, 2 * PAGE, 0, 0), 0);
	ck_assert_uint_eq(fake__attributes(5 * PAGE), P);
	ck_assert_uint_eq(fake__attributes(6 * PAGE), 0);
	ck_assert_uint_eq(fake__attributes(7 * PAGE), 0);
	ck_assert_uint_eq(fake__attributes(8 * PAGE), P);
	ck_assert_int_eq(set_attrs(prot, 0, 64 * PAGE, P, 0), 0);
	for (uint64_t g = 0; g < 64; g++)
		ck_assert_uint_eq(fake__attributes(g * PAGE), P);
	ck_assert_int_eq(set_attrs(prot, 0, 64 * PAGE, 0, 0), 0);
	ck_assert_uint_eq(fake__attributes(30 * PAGE), 0);
}
END_TEST

/* guest_memfd.c 266-287: only hole punches with KEEP_SIZE, page-aligned;
 * the punched pages read as zeros again. */
START_TEST(guest_memfd_hole_punch)
{
	const int punch = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	int fd = gmem(4 * PAGE, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	uint8_t *p = sys->mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	uint64_t size;
	const uint8_t *mem;

	ck_assert_ptr_ne(p, MAP_FAILED);
	memset(p, 0xab, 4 * PAGE);
	expect_errno(sys->fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, PAGE), EOPNOTSUPP);
	expect_errno(sys->fallocate(fd, punch | FALLOC_FL_ZERO_RANGE, 0, PAGE), EOPNOTSUPP);
	expect_errno(sys->fallocate(fd, punch, 1, PAGE), EINVAL);
	expect_errno(sys->fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 5 * PAGE), EINVAL);
	ck_assert_int_eq(sys->fallocate(fd, punch, PAGE, PAGE), 0);
	ck_assert_int_eq(sys->fallocate(fd, punch, 3 * PAGE, 8 * PAGE), 0);  /* past EOF: fine */
	mem = fake__guest_memory(&size);
	ck_assert_uint_eq(mem[0], 0xab);
	ck_assert_uint_eq(mem[PAGE], 0);
	ck_assert_uint_eq(mem[2 * PAGE], 0xab);
	ck_assert_uint_eq(mem[3 * PAGE], 0);
	ck_assert_int_eq(sys->munmap(p, 4 * PAGE), 0);
}
END_TEST

START_TEST(guest_memfd_rules)
{
	int fd;
	void *p;

	expect_errno(gmem(PAGE, 4), EINVAL);
	expect_errno(gmem(PAGE, 8), EINVAL);
	expect_errno(gmem(0, 0), EINVAL);
	expect_errno(gmem(PAGE + 1, 0), EINVAL);
	expect_errno(gmem(-PAGE, 0), EINVAL);

	/* No MMAP flag: no mapping. */
	fd = gmem(PAGE, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_eq(sys->mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0), MAP_FAILED);
	ck_assert_int_eq(errno, ENODEV);

	/* MMAP: shared only; the mapping is the file the fake shows. */
	fd = gmem(2 * PAGE, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_eq(sys->mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0), MAP_FAILED);
	ck_assert_int_eq(errno, EINVAL);
	p = sys->mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	memcpy((char *)p + PAGE, "guest", 6);
	{
		uint64_t size;
		const uint8_t *mem = fake__guest_memory(&size);

		ck_assert_uint_eq(size, 2 * PAGE);
		ck_assert_str_eq((const char *)mem + PAGE, "guest");
	}
	ck_assert_int_eq(sys->munmap(p, 2 * PAGE), 0);
	ck_assert_uint_eq(fake__open_fds(), 4);
	ck_assert_int_eq(sys->close(fd), 0);
	ck_assert_uint_eq(fake__open_fds(), 3);
}
END_TEST

START_TEST(memslot_rules)
{
	int g = gmem(16 * PAGE, GUEST_MEMFD_FLAG_MMAP), other_vm, foreign;
	struct kvm_create_guest_memfd cg = { .size = PAGE };

	ck_assert_int_eq(slot(0, 0, 4 * PAGE, g, 0), 0);
	/* The same request again changes nothing; anything else is refused. */
	ck_assert_int_eq(slot(0, 0, 4 * PAGE, g, 0), 0);
	expect_errno(slot(0, 0, 8 * PAGE, g, 0), EINVAL);
	/* GPA overlap with another slot. */
	expect_errno(slot(1, 2 * PAGE, 4 * PAGE, -1, 0), EEXIST);
	/* Overlapping ranges of one guest_memfd (ERRATA row 1). */
	expect_errno(slot(1, 16 * PAGE, 4 * PAGE, g, 2 * PAGE), EEXIST);
	ck_assert_int_eq(slot(1, 16 * PAGE, 4 * PAGE, g, 4 * PAGE), 0);
	/* Past the end of the file, unaligned, not a guest_memfd. */
	expect_errno(slot(2, 32 * PAGE, 4 * PAGE, g, 14 * PAGE), EINVAL);
	expect_errno(slot(2, 32 * PAGE, 4 * PAGE, g, 100), EINVAL);
	expect_errno(slot(2, 32 * PAGE, PAGE + 1, -1, 0), EINVAL);
	expect_errno(slot(2, 32 * PAGE, PAGE, kvm_fd, 0), EINVAL);
	/* Another VM's guest_memfd. */
	other_vm = sys__ioctl(kvm_fd, KVM_CREATE_VM, 0);
	foreign = sys__ioctl(other_vm, KVM_CREATE_GUEST_MEMFD, &cg);
	ck_assert_int_ge(foreign, 0);
	expect_errno(slot(2, 32 * PAGE, PAGE, foreign, 0), EINVAL);
	/* Delete, then the GPA range is free again. */
	ck_assert_int_eq(slot(1, 16 * PAGE, 0, g, 4 * PAGE), 0);
	expect_errno(slot(1, 16 * PAGE, 0, g, 4 * PAGE), EINVAL);
	ck_assert_int_eq(slot(2, 16 * PAGE, 4 * PAGE, -1, 0), 0);

	fake__set_cap(KVM_CAP_USER_MEMORY2, 0);
	expect_errno(slot(3, 64 * PAGE, PAGE, -1, 0), ENOTTY);
}
END_TEST

START_TEST(vm_call_order)
{
	struct kvm_irq_level irq = { .irq = 4, .level = 1 };
	uint64_t idmap = 0xfffbc000;
	int vcpu;

	expect_errno(sys__ioctl(vm_fd, KVM_IRQ_LINE, &irq), ENXIO);
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0), 0);
	expect_errno(sys__ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0), EEXIST);
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_IRQ_LINE, &irq), 0);
	vcpu = sys__ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	ck_assert_int_ge(vcpu, 0);
	expect_errno(sys__ioctl(vm_fd, KVM_CREATE_VCPU, 0), EEXIST);
	expect_errno(sys__ioctl(vm_fd, KVM_CREATE_VCPU, 288), EINVAL);
	/* Too late once a vCPU exists. */
	expect_errno(sys__ioctl(vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap), EEXIST);
	ck_assert_int_eq(fake__count(FAKE_ANY, KVM_CREATE_VCPU), 3);
}
END_TEST

START_TEST(enable_cap_and_routing)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_EXIT_HYPERCALL, .args[0] = 1 << 12 };
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[2];
	} r = { .hdr.nr = 2, .e = {
		{ .gsi = 0, .type = KVM_IRQ_ROUTING_IRQCHIP, .u.irqchip = { KVM_IRQCHIP_IOAPIC, 2 } },
		{ .gsi = 0, .type = KVM_IRQ_ROUTING_IRQCHIP, .u.irqchip = { KVM_IRQCHIP_PIC_MASTER, 0 } },
	} };

	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_ENABLE_CAP, &cap), 0);
	cap.args[0] = 1 << 13;
	expect_errno(sys__ioctl(vm_fd, KVM_ENABLE_CAP, &cap), EINVAL);
	cap.cap = KVM_CAP_PRE_FAULT_MEMORY;
	expect_errno(sys__ioctl(vm_fd, KVM_ENABLE_CAP, &cap), EINVAL);

	expect_errno(sys__ioctl(vm_fd, KVM_SET_GSI_ROUTING, &r), EINVAL);       /* no irqchip */
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0), 0);
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_SET_GSI_ROUTING, &r), 0);
	r.e[1].u.irqchip = (struct kvm_irq_routing_irqchip){ KVM_IRQCHIP_IOAPIC, 0 };
	expect_errno(sys__ioctl(vm_fd, KVM_SET_GSI_ROUTING, &r), EINVAL);       /* twice on one chip */
	r.e[1] = (struct kvm_irq_routing_entry){ .gsi = 1, .type = KVM_IRQ_ROUTING_IRQCHIP,
						 .u.irqchip = { KVM_IRQCHIP_PIC_SLAVE, 8 } };
	expect_errno(sys__ioctl(vm_fd, KVM_SET_GSI_ROUTING, &r), EINVAL);       /* PIC pin 8 */
}
END_TEST

START_TEST(vcpu_state_and_run)
{
	struct kvm_sregs s;
	struct kvm_regs regs;
	struct kvm_run *run;
	int vcpu;

	fake__out(0, 0x80, 0x42);
	fake__error(0, EINTR, 0);
	vcpu = sys__ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	expect_errno(sys__ioctl(vcpu, KVM_GET_LAPIC, &(struct kvm_lapic_state){ 0 }), EINVAL);
	ck_assert_ptr_eq(sys->mmap(NULL, FAKE_RUN_SIZE + PAGE, PROT_READ, MAP_SHARED, vcpu, 0),
			 MAP_FAILED);
	run = sys->mmap(NULL, FAKE_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ck_assert_ptr_ne(run, MAP_FAILED);

	/* Reset state; SET then GET; inconsistent long-mode bits refused. */
	ck_assert_int_eq(sys__ioctl(vcpu, KVM_GET_SREGS, &s), 0);
	ck_assert_uint_eq(s.cs.selector, 0xf000);
	ck_assert_uint_eq(s.cs.base, 0xffff0000);
	s.cs.l = 1;
	expect_errno(sys__ioctl(vcpu, KVM_SET_SREGS, &s), EINVAL);
	s.cs.l = 0;
	s.efer = 0x500;
	s.cr0 = 0x80000011;
	expect_errno(sys__ioctl(vcpu, KVM_SET_SREGS, &s), EINVAL);              /* no PAE */
	s.cr4 = 0x20;
	ck_assert_int_eq(sys__ioctl(vcpu, KVM_SET_SREGS, &s), 0);
	ck_assert_int_eq(sys__ioctl(vcpu, KVM_GET_REGS, &regs), 0);
	ck_assert_uint_eq(regs.rip, 0xfff0);
	regs.rip = 0x1234;
	ck_assert_int_eq(sys__ioctl(vcpu, KVM_SET_REGS, &regs), 0);
	memset(&regs, 0, sizeof(regs));
	ck_assert_int_eq(sys__ioctl(vcpu, KVM_GET_REGS, &regs), 0);
	ck_assert_uint_eq(regs.rip, 0x1234);

	/* The script, then a pending kick, then a guest that does not exit. */
	expect_errno(sys__ioctl(vcpu, KVM_RUN, 1), EINVAL);
	ck_assert_int_eq(sys__ioctl(vcpu, KVM_RUN, 0), 0);
	ck_assert_uint_eq(run->exit_reason, KVM_EXIT_IO);
	ck_assert_uint_eq(run->io.port, 0x80);
	ck_assert_uint_eq(((uint8_t *)run)[run->io.data_offset], 0x42);
	expect_errno(sys__ioctl(vcpu, KVM_RUN, 0), EINTR);
	run->immediate_exit = 1;
	expect_errno(sys__ioctl(vcpu, KVM_RUN, 0), EINTR);
	ck_assert_uint_eq(fake__played(0), 2);
	ck_assert_int_eq(sys->munmap(run, FAKE_RUN_SIZE), 0);
	ck_assert_int_eq(sys->close(vcpu), 0);
}
END_TEST

START_TEST(other_fds_pass_through_and_everything_is_logged)
{
	size_t n;
	const struct fake_call *c;
	int fd = sys->open("/dev/null", O_RDONLY), flags;

	ck_assert_int_ge(fd, 0);
	expect_errno(sys__ioctl(fd, KVM_GET_API_VERSION, 0), ENOTTY);
	ck_assert_int_eq(sys->close(fd), 0);
	c = fake__calls(&n);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(c[0].op, FAKE_OPEN);
	ck_assert_int_eq(c[0].kind, FAKE_KVM);
	ck_assert_int_eq(c[0].fd, kvm_fd);
	ck_assert_str_eq(c[0].data, "/dev/kvm");
	ck_assert_int_eq(c[1].op, FAKE_IOCTL);
	ck_assert_uint_eq(c[1].req, KVM_CREATE_VM);
	ck_assert_int_eq(c[1].ret, vm_fd);
	ck_assert_int_eq(c[2].kind, FAKE_REAL);
	ck_assert_int_eq(c[3].err, ENOTTY);
	ck_assert_int_eq(c[4].op, FAKE_CLOSE);

	/* After uninstall nothing is faked: the fake fds are gone too. */
	fake__uninstall();
	ck_assert_ptr_eq(sys, &sys_libc);
	flags = fcntl(vm_fd, F_GETFD);
	ck_assert_int_eq(flags, -1);
	fake__install();
}
END_TEST

START_TEST(open_and_answers)
{
	fake__open_fails(EACCES);
	expect_errno(sys->open("/dev/kvm", O_RDWR), EACCES);
	fake__answer(KVM_CHECK_EXTENSION, 1, 99, 0);
	ck_assert_int_eq(sys__ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP), 1);
	ck_assert_int_eq(sys__ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP), 99);
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD), 99);
}
END_TEST

static Suite *fake_kvm_suite(void)
{
	Suite *s = suite_create("fake-kvm");
	TCase *tc = tcase_create("uapi");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, system_ioctls);
	tcase_add_test(tc, guest_memfd_rules);
	tcase_add_test(tc, memslot_rules);
	tcase_add_test(tc, sw_protected_answers_per_type);
	tcase_add_test(tc, memory_attribute_rules);
	tcase_add_test(tc, guest_memfd_hole_punch);
	tcase_add_test(tc, vm_call_order);
	tcase_add_test(tc, enable_cap_and_routing);
	tcase_add_test(tc, vcpu_state_and_run);
	tcase_add_test(tc, other_fds_pass_through_and_everything_is_logged);
	tcase_add_test(tc, open_and_answers);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(fake_kvm_suite)

/* The fake TDX answers as KERNEL-RULES section 6 says the 7.3 kernel does
 * (its section 7, item 4 and 5 list), and its module's MRTD is the one
 * measure/ computes for the same pages: the TDX tests of cvm-run are only
 * as good as this. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "loader/plan.h"
#include "measure/mrtd.h"
#include "tests/unit/fake/fake-kvm.h"
#include "tests/unit/fake/fake-tdx.h"
#include "tests/unit/test.h"

#define PAGE    4096ull
#define RAM     (16ull << 20)
#define SHARED  (1ull << 47)
#define X2APIC  (1u << 21)

static int kvm_fd, vm_fd, gmem_fd;
static uint8_t *shared_ram;             /* the slot's shared side */

static struct {
	struct kvm_tdx_init_vm iv;
	struct kvm_cpuid_entry2 e[257];
} init;

static void expect_errno(long r, int err)
{
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(errno, err);
}

static long cmd(int fd, uint32_t id, uint32_t flags, const void *data, uint64_t *hw)
{
	struct kvm_tdx_cmd c = { .id = id, .flags = flags, .data = (uintptr_t)data,
				 .hw_error = hw ? *hw : 0 };
	long r = sys__ioctl(fd, KVM_MEMORY_ENCRYPT_OP, &c);

	if (hw)
		*hw = c.hw_error;
	return r;
}

static void cap(int fd, uint32_t which, uint64_t arg, int err)
{
	struct kvm_enable_cap c = { .cap = which, .args[0] = arg };
	long r = sys__ioctl(fd, KVM_ENABLE_CAP, &c);

	if (err)
		expect_errno(r, err);
	else
		ck_assert_int_eq(r, 0);
}

static void setup(void)
{
	fake__install();
	fake__host_tdx();
	kvm_fd = sys->open("/dev/kvm", O_RDWR | O_CLOEXEC);
	vm_fd = sys__ioctl(kvm_fd, KVM_CREATE_VM, KVM_X86_TDX_VM);
	ck_assert_int_ge(vm_fd, 0);
	memset(&init, 0, sizeof(init));
	init.iv.attributes = 1ull << 28;
	init.iv.xfam = 0x7;
	init.iv.cpuid.nent = 2;
	init.e[0] = (struct kvm_cpuid_entry2){ .function = 0x80000008, .eax = 48 << 16 };
	init.e[1] = (struct kvm_cpuid_entry2){ .function = 7, .flags = 1, .ebx = 1 };
	shared_ram = NULL;
}

static struct kvm_run *run_area;

static void teardown(void)
{
	if (shared_ram)
		munmap(shared_ram, RAM);
	if (run_area)
		sys->munmap(run_area, FAKE_RUN_SIZE);
	run_area = NULL;
	fake__uninstall();
}

/* INIT_VM, RAM (private) in one gmem slot, a split irqchip. */
static void td_init(void)
{
	struct kvm_create_guest_memfd g = { .size = RAM };
	struct kvm_userspace_memory_region2 r = { .flags = KVM_MEM_GUEST_MEMFD, .memory_size = RAM };
	struct kvm_memory_attributes a = { .size = RAM, .attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE };

	cap(vm_fd, KVM_CAP_SPLIT_IRQCHIP, 24, 0);
	ck_assert_int_eq(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, NULL), 0);
	gmem_fd = sys__ioctl(vm_fd, KVM_CREATE_GUEST_MEMFD, &g);
	ck_assert_int_ge(gmem_fd, 0);
	shared_ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(shared_ram, MAP_FAILED);
	r.userspace_addr = (uintptr_t)shared_ram;
	r.guest_memfd = gmem_fd;
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION2, &r), 0);
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_SET_MEMORY_ATTRIBUTES, &a), 0);
}

static int set_cpuid(int vcpu, uint32_t ecx1)
{
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[1];
	} c = { .c.nent = 1, .e[0] = { .function = 1, .ecx = ecx1 } };

	return sys__ioctl(vcpu, KVM_SET_CPUID2, &c);
}

/* A vCPU through SET_CPUID2 (x2APIC) and INIT_VCPU. */
static int td_vcpu(unsigned id)
{
	int v = sys__ioctl(vm_fd, KVM_CREATE_VCPU, id);

	ck_assert_int_ge(v, 0);
	ck_assert_int_eq(set_cpuid(v, X2APIC), 0);
	ck_assert_int_eq(cmd(v, KVM_TDX_INIT_VCPU, 0, (void *)0x809000, NULL), 0);
	return v;
}

static long add(int vcpu, const void *src, uint64_t gpa, uint64_t pages, uint32_t flags,
		struct kvm_tdx_init_mem_region *wb)
{
	struct kvm_tdx_init_mem_region r = { (uintptr_t)src, gpa, pages };
	long ret = cmd(vcpu, KVM_TDX_INIT_MEM_REGION, flags, &r, NULL);

	if (wb)
		*wb = r;
	return ret;
}

START_TEST(capabilities)
{
	struct {
		struct kvm_tdx_capabilities c;
		struct kvm_cpuid_entry2 e[16];
	} caps;
	uint64_t hw = 1;

	memset(&caps, 0xaa, sizeof(caps));
	caps.c.cpuid.nent = 9;
	expect_errno(cmd(vm_fd, KVM_TDX_CAPABILITIES, 0, &caps, NULL), E2BIG);
	ck_assert_uint_eq(caps.c.cpuid.nent, 9);                /* nothing written */
	ck_assert_uint_eq(caps.c.supported_attrs, 0xaaaaaaaaaaaaaaaaull);
	caps.c.cpuid.nent = 16;
	expect_errno(cmd(vm_fd, KVM_TDX_CAPABILITIES, 1, &caps, NULL), EINVAL);
	expect_errno(cmd(vm_fd, KVM_TDX_CAPABILITIES, 0, &caps, &hw), EINVAL);
	ck_assert_int_eq(cmd(vm_fd, KVM_TDX_CAPABILITIES, 0, &caps, NULL), 0);
	ck_assert_uint_eq(caps.c.cpuid.nent, 10);
	ck_assert_uint_eq(caps.c.supported_attrs, 1ull << 28);
	ck_assert_uint_eq(caps.c.supported_xfam, 0x2e7);
	ck_assert_uint_eq(caps.c.user_tdvmcallinfo_1_r11, 2);
	ck_assert_uint_eq(caps.c.kernel_tdvmcallinfo_1_r11, 0);
	ck_assert_uint_eq(caps.e[9].function, 0x80000008);
	ck_assert_uint_eq(caps.e[9].eax & 0xff0000, 0xff0000);
	ck_assert_uint_eq(caps.e[3].ebx & 0x810, 0);            /* no TSX */
	ck_assert_uint_eq(caps.e[3].ecx & 0x20, 0);             /* no WAITPKG */
	fake_tdx__caps(0, 0x2e7);
	expect_errno(cmd(vm_fd, KVM_TDX_CAPABILITIES, 0, &caps, NULL), EIO);
}
END_TEST

START_TEST(init_vm_rules)
{
	uint64_t hw = 0;

	init.iv.cpuid.nent = 257;
	expect_errno(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, NULL), E2BIG);
	init.iv.cpuid.nent = 1;
	init.e[0].function = 0x80000007;                        /* no 0x80000008 */
	expect_errno(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, NULL), EINVAL);
	init.e[0] = (struct kvm_cpuid_entry2){ .function = 0x80000008, .eax = 50 << 16 };
	expect_errno(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, NULL), EINVAL);
	init.e[0].eax = 52 << 16;                               /* no 5-level EPT */
	expect_errno(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, NULL), EINVAL);
	init.e[0].eax = 48 << 16;
	init.iv.cpuid.nent = 2;
	init.e[1] = (struct kvm_cpuid_entry2){ .function = 7, .ebx = 1 << 11 };        /* RTM */
	expect_errno(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, NULL), EINVAL);
	init.e[1] = (struct kvm_cpuid_entry2){ .function = 0x99 };                    /* unknown */
	expect_errno(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, NULL), EINVAL);
	init.iv.cpuid.nent = 1;
	init.iv.attributes = 1;                                 /* DEBUG */
	expect_errno(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, NULL), EINVAL);
	init.iv.attributes = 1ull << 28;
	init.iv.reserved[3] = 1;
	expect_errno(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, NULL), EINVAL);
	init.iv.reserved[3] = 0;
	expect_errno(cmd(vm_fd, KVM_TDX_INIT_VM, 1, &init, NULL), EINVAL);
	hw = 5;
	expect_errno(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, &hw), EINVAL);
	/* TDH.MNG.INIT's OPERAND_INVALID: -EINVAL with the status written back. */
	fake_tdx__init_vm_fails(EINVAL, TDX_OPERAND_INVALID, 1);
	hw = 0;
	expect_errno(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, &hw), EINVAL);
	ck_assert_uint_eq(hw, TDX_OPERAND_INVALID);
	ck_assert_int_eq(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, NULL), 0);
	ck_assert_uint_eq(fake_tdx__td()->gpaw, 48);
	ck_assert_uint_eq(fake_tdx__td()->xfam, 0x7);
	/* Once only; and (step 7's -EBUSY cannot be reached: vCPUs need
	 * INIT_VM first) after a vCPU it is still the state that refuses. */
	expect_errno(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, NULL), EINVAL);
	cap(vm_fd, KVM_CAP_SPLIT_IRQCHIP, 24, 0);
	ck_assert_int_ge(sys__ioctl(vm_fd, KVM_CREATE_VCPU, 0), 0);
	expect_errno(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, NULL), EINVAL);
	expect_errno(cmd(vm_fd, 9, 0, &init, NULL), EINVAL);
}
END_TEST

START_TEST(vcpu_rules)
{
	struct kvm_regs regs;
	int v;

	expect_errno(sys__ioctl(vm_fd, KVM_CREATE_VCPU, 0), EIO);       /* before INIT_VM */
	ck_assert_int_eq(cmd(vm_fd, KVM_TDX_INIT_VM, 0, &init, NULL), 0);
	expect_errno(sys__ioctl(vm_fd, KVM_CREATE_VCPU, 0), EINVAL);    /* no split irqchip */
	cap(vm_fd, KVM_CAP_X86_APIC_BUS_CYCLES_NS, 40, ENXIO);          /* no irqchip yet */
	cap(vm_fd, KVM_CAP_SPLIT_IRQCHIP, 49, EINVAL);
	cap(vm_fd, KVM_CAP_SPLIT_IRQCHIP, 24, 0);
	cap(vm_fd, KVM_CAP_SPLIT_IRQCHIP, 24, EEXIST);
	cap(vm_fd, KVM_CAP_X86_APIC_BUS_CYCLES_NS, 40, 0);
	expect_errno(sys__ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0), EEXIST);
	v = sys__ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	ck_assert_int_ge(v, 0);
	cap(vm_fd, KVM_CAP_X86_APIC_BUS_CYCLES_NS, 40, EINVAL);         /* vCPUs exist */
	/* INIT_VCPU before SET_CPUID2 (ERRATA row 15), or without x2APIC. */
	expect_errno(cmd(v, KVM_TDX_INIT_VCPU, 0, NULL, NULL), EINVAL);
	ck_assert_int_eq(set_cpuid(v, 0), 0);
	expect_errno(cmd(v, KVM_TDX_INIT_VCPU, 0, NULL, NULL), EINVAL);
	ck_assert_int_eq(set_cpuid(v, X2APIC), 0);
	expect_errno(cmd(v, KVM_TDX_INIT_VCPU, 1, NULL, NULL), EINVAL);
	ck_assert_int_eq(cmd(v, KVM_TDX_INIT_VCPU, 0, (void *)0x1234, NULL), 0);
	expect_errno(cmd(v, KVM_TDX_INIT_VCPU, 0, NULL, NULL), EINVAL);  /* twice */
	ck_assert_uint_eq(fake_tdx__td()->vcpu_rcx[0], 0x1234);
	/* Protected state, and no KVM_RUN before FINALIZE. */
	expect_errno(sys__ioctl(v, KVM_GET_REGS, &regs), EINVAL);
	expect_errno(sys__ioctl(v, KVM_SET_REGS, &regs), EINVAL);
	expect_errno(sys__ioctl(v, KVM_RUN, 0), EINVAL);
	expect_errno(cmd(v, KVM_TDX_FINALIZE_VM, 0, NULL, NULL), EINVAL);       /* VM-scope id */
}
END_TEST

START_TEST(init_mem_region_rules)
{
	static uint8_t src[4 * PAGE] __attribute__((aligned(4096)));
	struct kvm_memory_attributes a = { .address = 2 * PAGE, .size = 2 * PAGE };
	struct kvm_tdx_init_mem_region wb;
	const struct fake_tdx_td *td;
	uint64_t size;
	int v, v1;

	td_init();
	cap(vm_fd, KVM_CAP_X86_APIC_BUS_CYCLES_NS, 40, 0);
	v1 = sys__ioctl(vm_fd, KVM_CREATE_VCPU, 1);
	expect_errno(add(v1, src, 0, 1, 0, NULL), EINVAL);     /* before INIT_VCPU */
	v = td_vcpu(0);
	expect_errno(add(v, NULL, 0, 1, 0, NULL), EINVAL);     /* source 0 */
	expect_errno(add(v, src + 8, 0, 1, 0, NULL), EINVAL);
	expect_errno(add(v, src, 0x800, 1, 0, NULL), EINVAL);
	expect_errno(add(v, src, 0, 0, 0, NULL), EINVAL);
	expect_errno(add(v, src, SHARED, 1, 0, NULL), EINVAL);
	expect_errno(add(v, src, 0, 1, 2, NULL), EINVAL);
	expect_errno(add(v, src, RAM, 1, 0, NULL), EINVAL);    /* no gmem slot */
	/* Pages 2-3 shared: two pages go in, the third fails, the write-back
	 * says where. */
	ck_assert_int_eq(sys__ioctl(vm_fd, KVM_SET_MEMORY_ATTRIBUTES, &a), 0);
	memset(src, 0x5a, sizeof(src));
	expect_errno(add(v, src, 0, 4, 1, &wb), EINVAL);
	ck_assert_uint_eq(wb.nr_pages, 2);
	ck_assert_uint_eq(wb.gpa, 2 * PAGE);
	ck_assert_uint_eq(wb.source_addr, (uintptr_t)src + 2 * PAGE);
	ck_assert_uint_eq(fake__guest_memory(&size)[PAGE + 7], 0x5a);   /* now private memory */
	expect_errno(add(v, src, PAGE, 1, 0, NULL), EIO);      /* added already */
	/* A signal: -EINTR with the progress written back. */
	fake_tdx__signal_at_page(4);
	expect_errno(add(v, src, 4 * PAGE, 4, 0, &wb), EINTR);
	ck_assert_uint_eq(wb.nr_pages, 2);
	ck_assert_uint_eq(wb.gpa, 6 * PAGE);
	ck_assert_int_eq(add(v, (void *)(uintptr_t)wb.source_addr, wb.gpa, wb.nr_pages, 0, &wb), 0);
	ck_assert_uint_eq(wb.nr_pages, 0);
	td = fake_tdx__td();
	ck_assert_uint_eq(td->pages_added, 6);
	ck_assert_uint_eq(td->pages_extended, 2);
	ck_assert_uint_eq(td->nregions, 5);     /* the argument checks come before */
	ck_assert_int_eq(td->regions[0].err, EINVAL);
	ck_assert_uint_eq(td->regions[1].pages_done, 2);
	ck_assert_int_eq(td->regions[2].err, EIO);
	ck_assert_int_eq(td->regions[3].err, EINTR);
	ck_assert_int_eq(td->regions[4].err, 0);
}
END_TEST

/* The module's MRTD is measure/'s for the same pages; FINALIZE closes the
 * launch to INIT_*, vCPUs and itself. */
START_TEST(mrtd_and_finalize)
{
	static uint8_t src[2 * PAGE] __attribute__((aligned(4096)));
	uint8_t want[48];
	uint64_t hw = 0;
	struct plan p;
	int v;

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 31 + 7);
	td_init();
	v = td_vcpu(0);
	ck_assert_int_eq(add(v, src, 0x10000, 2, 1, NULL), 0);
	ck_assert_int_eq(add(v, src, 0x20000, 1, 0, NULL), 0);
	fake_tdx__finalize_fails(0x8000000000000123ull);
	expect_errno(cmd(vm_fd, KVM_TDX_FINALIZE_VM, 0, NULL, &hw), EIO);
	ck_assert_uint_eq(hw, 0x8000000000000123ull);
	hw = 0;
	ck_assert_int_eq(cmd(vm_fd, KVM_TDX_FINALIZE_VM, 0, NULL, &hw), 0);
	ck_assert_uint_eq(hw, 0);
	plan__init(&p);
	plan__add(&p, PLAN_TDX_EXTEND, 0x10000, 2 * PAGE, src, "a");
	plan__add(&p, PLAN_TDX_ADD, 0x20000, PAGE, src, "b");
	ck_assert_int_eq(mrtd__replay(&p, MRTD_SINGLE_PASS, want), 0);
	plan__exit(&p);
	ck_assert_mem_eq(fake_tdx__td()->mrtd, want, 48);
	expect_errno(cmd(vm_fd, KVM_TDX_FINALIZE_VM, 0, NULL, NULL), EINVAL);
	expect_errno(sys__ioctl(vm_fd, KVM_CREATE_VCPU, 1), EIO);
	expect_errno(add(v, src, 0x30000, 1, 0, NULL), EINVAL);
	expect_errno(cmd(v, KVM_TDX_INIT_VCPU, 0, NULL, NULL), EINVAL);
	fake_tdx__finalize_fails(TDX_OPERAND_BUSY);             /* unused: already final */
}
END_TEST

/* ---- The running TD ------------------------------------------------------ */

/* A finalized TD with vCPU 0 ready to run, MapGPA exits enabled. */
static int td_running(bool map_gpa)
{
	static uint8_t src[PAGE] __attribute__((aligned(4096)));
	int v;

	td_init();
	if (map_gpa)
		cap(vm_fd, KVM_CAP_EXIT_HYPERCALL, 1 << KVM_HC_MAP_GPA_RANGE, 0);
	v = td_vcpu(0);
	ck_assert_int_eq(add(v, src, 0, 1, 0, NULL), 0);
	ck_assert_int_eq(cmd(vm_fd, KVM_TDX_FINALIZE_VM, 0, NULL, NULL), 0);
	run_area = sys->mmap(NULL, FAKE_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, v, 0);
	ck_assert_ptr_ne(run_area, MAP_FAILED);
	return v;
}

static void run_exit(int v, uint32_t reason)
{
	ck_assert_int_eq(sys__ioctl(v, KVM_RUN, 0), 0);
	ck_assert_uint_eq(run_area->exit_reason, reason);
}

START_TEST(map_gpa_exits)
{
	struct fake_tdx_call *ok, *again, *bad, *wild, *odd, *straddle;
	int v = td_running(true);

	ok = fake_tdx__call(0, TDVMCALL_MAP_GPA, SHARED | 0x200000, 4ull << 20);
	again = fake_tdx__call(0, TDVMCALL_MAP_GPA, 0x200000, 4ull << 20);
	bad = fake_tdx__call(0, TDVMCALL_MAP_GPA, 0x200000, PAGE);
	odd = fake_tdx__call(0, TDVMCALL_MAP_GPA, 0x200800, PAGE);
	straddle = fake_tdx__call(0, TDVMCALL_MAP_GPA, SHARED - PAGE, 2 * PAGE);
	wild = fake_tdx__call(0, TDVMCALL_MAP_GPA, 0, PAGE);
	fake__out(0, 0xf4, 1);

	/* 4 MiB to shared: two 2 MiB exits, the shared bit cleared. */
	run_exit(v, KVM_EXIT_HYPERCALL);
	ck_assert_uint_eq(run_area->hypercall.nr, KVM_HC_MAP_GPA_RANGE);
	ck_assert_uint_eq(run_area->hypercall.args[0], 0x200000);
	ck_assert_uint_eq(run_area->hypercall.args[1], 512);
	ck_assert_uint_eq(run_area->hypercall.args[2], 0);
	ck_assert_uint_eq(kvm_run__hypercall_flags(run_area), KVM_EXIT_HYPERCALL_LONG_MODE);
	run_area->hypercall.ret = 0;
	run_exit(v, KVM_EXIT_HYPERCALL);
	ck_assert_uint_eq(run_area->hypercall.args[0], 0x400000);
	run_area->hypercall.ret = 0;
	/* done; back to private: EAGAIN on the first chunk is RETRY there */
	run_exit(v, KVM_EXIT_HYPERCALL);
	ck_assert(ok->done);
	ck_assert_uint_eq(ok->out_r10, TDVMCALL_STATUS_SUCCESS);
	ck_assert_uint_eq(ok->exits, 2);
	ck_assert_uint_eq(run_area->hypercall.args[2], KVM_MAP_GPA_RANGE_ENCRYPTED);
	run_area->hypercall.ret = EAGAIN;
	run_exit(v, KVM_EXIT_HYPERCALL);
	ck_assert_uint_eq(again->out_r10, TDVMCALL_STATUS_RETRY);
	ck_assert_uint_eq(again->out_r11, 0x200000);
	run_area->hypercall.ret = EINVAL;
	/* EINVAL: INVALID_OPERAND; the next two never leave the kernel */
	run_exit(v, KVM_EXIT_HYPERCALL);
	ck_assert_uint_eq(bad->out_r10, TDVMCALL_STATUS_INVALID_OPERAND);
	ck_assert_uint_eq(odd->out_r10, TDVMCALL_STATUS_ALIGN_ERROR);
	ck_assert_uint_eq(odd->out_r11, 0x200800);
	ck_assert_uint_eq(straddle->out_r10, TDVMCALL_STATUS_INVALID_OPERAND);
	ck_assert(!odd->exited && !straddle->exited);
	/* anything but 0, EAGAIN, EINVAL fails KVM_RUN (ERRATA row 5) */
	run_area->hypercall.ret = (uint64_t)-1;
	expect_errno(sys__ioctl(v, KVM_RUN, 0), EINVAL);
	ck_assert_int_eq(wild->run_err, EINVAL);
}
END_TEST

START_TEST(map_gpa_without_the_cap)
{
	struct fake_tdx_call *c;
	int v = td_running(false);

	c = fake_tdx__call(0, TDVMCALL_MAP_GPA, 0, PAGE);
	fake__out(0, 0xf4, 1);
	run_exit(v, KVM_EXIT_IO);
	ck_assert_uint_eq(c->out_r10, TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED);
}
END_TEST

START_TEST(other_tdvmcalls)
{
	struct fake_tdx_call *fatal, *quote, *priv, *notify, *low, *info0, *info1, *info2, *unk,
			     *hc;
	struct cvm_tdx_exit *t;
	int v = td_running(true);

	quote = fake_tdx__call(0, TDVMCALL_GET_QUOTE, SHARED | 0x3000, 0x2000);
	priv = fake_tdx__call(0, TDVMCALL_GET_QUOTE, 0x3000, 0x2000);
	low = fake_tdx__call(0, TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT, 31, 0);
	notify = fake_tdx__call(0, TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT, 32, 0);
	info0 = fake_tdx__call(0, TDVMCALL_GET_TD_VM_CALL_INFO, 0, 0);
	info2 = fake_tdx__call(0, TDVMCALL_GET_TD_VM_CALL_INFO, 2, 0);
	info1 = fake_tdx__call(0, TDVMCALL_GET_TD_VM_CALL_INFO, 1, 0);
	unk = fake_tdx__call(0, 0x10042, 0, 0);
	hc = fake_tdx__call(0, SHARED | 0x5000, 3, 0);   /* r11, r12 */
	hc->r10 = KVM_HC_MAP_GPA_RANGE;
	fatal = fake_tdx__call(0, TDVMCALL_REPORT_FATAL_ERROR, 0, 0);
	for (int i = 0; i < 16; i++)
		fatal->regs[i] = 0x100 + i;

	/* GetQuote: ret preset to SUBFUNC_UNSUPPORTED (ERRATA row 17). */
	run_exit(v, KVM_EXIT_TDX);
	t = kvm_run__tdx(run_area);
	ck_assert_uint_eq(t->nr, TDVMCALL_GET_QUOTE);
	ck_assert_uint_eq(t->get_quote.ret, TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED);
	ck_assert_uint_eq(t->get_quote.gpa, 0x3000);
	ck_assert_uint_eq(t->get_quote.size, 0x2000);
	t->get_quote.ret = 0;
	run_exit(v, KVM_EXIT_TDX);
	ck_assert_uint_eq(quote->out_r10, 0);
	ck_assert_uint_eq(priv->out_r10, TDVMCALL_STATUS_INVALID_OPERAND);     /* no exit */
	ck_assert_uint_eq(low->out_r10, TDVMCALL_STATUS_INVALID_OPERAND);
	ck_assert_uint_eq(t->nr, TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT);
	ck_assert_uint_eq(t->setup_event_notify.ret, TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED);
	ck_assert_uint_eq(t->setup_event_notify.vector, 32);
	/* leaving the preset fails the call */
	run_exit(v, KVM_EXIT_TDX);
	ck_assert_uint_eq(notify->out_r10, TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED);
	ck_assert_uint_eq(info0->out_r10, 0);
	ck_assert(!info0->exited);
	ck_assert_uint_eq(info2->out_r10, TDVMCALL_STATUS_INVALID_OPERAND);
	ck_assert_uint_eq(t->nr, TDVMCALL_GET_TD_VM_CALL_INFO);
	ck_assert_uint_eq(t->get_tdvmcall_info.leaf, 1);
	ck_assert_uint_eq(t->get_tdvmcall_info.ret, 0);
	t->get_tdvmcall_info.r11 = 2;
	t->get_tdvmcall_info.r13 = 7;
	/* unknown leaves: answered in the kernel; r10 != 0: the generic
	 * hypercall, arguments raw */
	run_exit(v, KVM_EXIT_HYPERCALL);
	ck_assert_uint_eq(info1->out_r11, 2);
	ck_assert_uint_eq(info1->out_r13, 7);
	ck_assert_uint_eq(unk->out_r10, TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED);
	ck_assert_uint_eq(run_area->hypercall.args[0], SHARED | 0x5000);
	ck_assert_uint_eq(run_area->hypercall.args[1], 3);
	run_area->hypercall.ret = 22;
	/* ReportFatalError: 16 GPRs, the code in data[12] (ERRATA row 18) */
	run_exit(v, KVM_EXIT_SYSTEM_EVENT);
	ck_assert_uint_eq(hc->out_r10, 22);
	ck_assert_uint_eq(run_area->system_event.type, KVM_SYSTEM_EVENT_TDX_FATAL);
	ck_assert_uint_eq(run_area->system_event.ndata, 16);
	ck_assert_uint_eq(run_area->system_event.data[12], 0x10c);
	ck_assert_uint_eq(run_area->system_event.data[13], 0x10d);
	ck_assert_uint_eq(run_area->system_event.data[4], 0);   /* RSP */
	ck_assert(fatal->exited);
}
END_TEST

static Suite *fake_tdx_suite(void)
{
	Suite *s = suite_create("fake-tdx");
	TCase *l = tcase_create("launch"), *r = tcase_create("run");

	tcase_add_checked_fixture(l, setup, teardown);
	tcase_add_test(l, capabilities);
	tcase_add_test(l, init_vm_rules);
	tcase_add_test(l, vcpu_rules);
	tcase_add_test(l, init_mem_region_rules);
	tcase_add_test(l, mrtd_and_finalize);
	suite_add_tcase(s, l);
	tcase_add_checked_fixture(r, setup, teardown);
	tcase_add_test(r, map_gpa_exits);
	tcase_add_test(r, map_gpa_without_the_cap);
	tcase_add_test(r, other_tdvmcalls);
	suite_add_tcase(s, r);
	return s;
}

TEST_SUITE(fake_tdx_suite)

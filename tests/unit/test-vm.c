/* cvm-run's VMM core end to end against the fake KVM: boot set-up, SMP,
 * memory backends, host failures and `cvm-run check`. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/x86/boot.h"
#include "arch/x86/memmap.h"
#include "arch/x86/pvh.h"
#include "loader/error.h"
#include "tests/unit/fake-kvm.h"
#include "tests/unit/test.h"
#include "tests/unit/vm-test.h"
#include "vmm/check.h"

#define MIB (1ull << 20)
#define CR0_PE 0x1ull
#define CR0_ET 0x10ull

static struct vm_test t;

static void setup(void)
{
	fake__install();
	vm_test__init(&t);
}

static void teardown(void)
{
	vm_test__exit(&t);
	fake__uninstall();
}

static const void *call_data(int vcpu, unsigned long req, unsigned nth)
{
	const struct fake_call *c = fake__find(vcpu, req, nth);

	ck_assert_msg(c, "no ioctl %#lx number %u on vCPU %d", req, nth, vcpu);
	ck_assert_msg(c->ret >= 0, "ioctl %#lx failed: %s", req, strerror(c->err));
	ck_assert_ptr_nonnull(c->data);
	return c->data;
}

/* The MMAP call of FD (the first), or NULL. */
static const struct fake_call *mmap_of(int fd, int flags)
{
	size_t n;
	const struct fake_call *c = fake__calls(&n);

	for (size_t i = 0; i < n; i++)
		if (c[i].op == FAKE_MMAP && c[i].ret == 0 &&
		    (flags ? (c[i].flags & flags) == flags : c[i].fd == fd))
			return &c[i];
	return NULL;
}

static const struct kvm_cpuid_entry2 *cpuid_entry(const struct kvm_cpuid2 *c, uint32_t fn,
						    uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == index)
			return &c->entries[i];
	ck_abort_msg("no CPUID leaf %#x.%u", fn, index);
	return NULL;
}

static uint32_t lapic_reg(const struct kvm_lapic_state *l, int reg)
{
	uint32_t v;

	memcpy(&v, &l->regs[reg], 4);
	return v;
}

START_TEST(pvh_boot_end_to_end)
{
	const struct fake_call *c, *gm, *map;
	const struct kvm_userspace_memory_region2 *slot;
	const struct kvm_create_guest_memfd *g;
	const struct kvm_regs *regs;
	const struct kvm_sregs *sregs;
	const struct kvm_cpuid2 *cpuid;
	const struct kvm_lapic_state *lapic;
	const struct kvm_enable_cap *cap;
	const struct hvm_start_info *si;
	const struct hvm_modlist_entry *mod;
	const uint8_t *mem;
	uint64_t size;

	fake__io(0, true, 0x3f8, 1, 3, "hi\n");
	fake__out(0, 0xf4, 7);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "256M", "-p", "console=ttyS0 quiet"), 7);
	ck_assert_str_eq(t.out, "hi\n");
	ck_assert_str_eq(t.err, "");
	ck_assert_uint_eq(fake__played(0), 2);

	c = fake__find(FAKE_ANY, KVM_CREATE_VM, 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->arg, KVM_X86_DEFAULT_VM);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VM), 1);

	/* RAM: one guest_memfd, mapped shared, bound to the one memslot. */
	gm = fake__find(FAKE_ANY, KVM_CREATE_GUEST_MEMFD, 0);
	ck_assert_ptr_nonnull(gm);
	g = gm->data;
	ck_assert_uint_eq(g->size, 256 * MIB);
	ck_assert_uint_eq(g->flags, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	map = mmap_of(gm->ret, 0);
	ck_assert_ptr_nonnull(map);
	ck_assert_int_ne(map->flags & MAP_SHARED, 0);
	ck_assert_uint_eq(map->arg, 256 * MIB);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_SET_USER_MEMORY_REGION2), 1);
	slot = call_data(FAKE_ANY, KVM_SET_USER_MEMORY_REGION2, 0);
	ck_assert_uint_eq(slot->slot, 0);
	ck_assert_uint_eq(slot->flags, KVM_MEM_GUEST_MEMFD);
	ck_assert_uint_eq(slot->guest_phys_addr, 0);
	ck_assert_uint_eq(slot->memory_size, 256 * MIB);
	ck_assert_int_eq(slot->guest_memfd, gm->ret);
	ck_assert_uint_eq(slot->guest_memfd_offset, 0);
	ck_assert_uint_eq(slot->userspace_addr, map->addr);

	/* What the plan put in RAM, read back through the guest_memfd. */
	mem = fake__guest_memory(&size);
	ck_assert_ptr_nonnull(mem);
	ck_assert_uint_eq(size, 256 * MIB);
	ck_assert_mem_eq(mem + VM_TEST_LOAD, t.image, VM_TEST_KERNEL_LEN);
	for (size_t i = 0; i < 4096; i++)
		ck_assert_uint_eq(mem[VM_TEST_LOAD + VM_TEST_KERNEL_LEN + i], 0);
	ck_assert_str_eq((const char *)mem + X86_CMDLINE_ADDR, "console=ttyS0 quiet");
	si = (const struct hvm_start_info *)(mem + X86_START_INFO_ADDR);
	ck_assert_uint_eq(si->magic, XEN_HVM_START_MAGIC_VALUE);
	ck_assert_uint_eq(si->version, 1);
	ck_assert_uint_eq(si->cmdline_paddr, X86_CMDLINE_ADDR);
	ck_assert_uint_eq(si->nr_modules, 1);
	ck_assert_uint_lt(si->modlist_paddr, 256 * MIB);
	mod = (const struct hvm_modlist_entry *)(mem + si->modlist_paddr);
	ck_assert_uint_eq(mod->size, VM_TEST_INITRD_LEN);
	ck_assert_uint_le(mod->paddr + mod->size, 256 * MIB);
	ck_assert_mem_eq(mem + mod->paddr, t.initrd_data, VM_TEST_INITRD_LEN);
	ck_assert_uint_gt(si->memmap_entries, 0);

	/* The BSP enters the PVH way: 32-bit flat, paging off, %ebx. */
	regs = call_data(0, KVM_SET_REGS, 0);
	ck_assert_uint_eq(regs->rip, VM_TEST_ENTRY);
	ck_assert_uint_eq(regs->rbx, X86_START_INFO_ADDR);
	ck_assert_uint_eq(regs->rflags, 2);
	sregs = call_data(0, KVM_SET_SREGS, 0);
	ck_assert_uint_eq(sregs->cs.selector, X86_SEL_CS32);
	ck_assert_uint_eq(sregs->cs.db, 1);
	ck_assert_uint_eq(sregs->cs.l, 0);
	ck_assert_uint_eq(sregs->cs.base, 0);
	ck_assert_uint_eq(sregs->cs.limit, 0xffffffff);
	ck_assert_uint_eq(sregs->ds.selector, X86_SEL_DS);
	ck_assert_uint_eq(sregs->cr0, CR0_PE | CR0_ET);
	ck_assert_uint_eq(sregs->cr4, 0);
	ck_assert_uint_eq(sregs->efer, 0);
	ck_assert_uint_eq(sregs->gdt.base, X86_GDT_ADDR);

	cpuid = call_data(0, KVM_SET_CPUID2, 0);
	ck_assert_uint_eq(cpuid_entry(cpuid, 1, 0)->ebx >> 24, 0);
	ck_assert_uint_ne(cpuid_entry(cpuid, 1, 0)->ecx & (1u << 31), 0);
	ck_assert_uint_eq(cpuid_entry(cpuid, 0xb, 1)->edx, 0);
	lapic = call_data(0, KVM_SET_LAPIC, 0);
	ck_assert_uint_eq(lapic_reg(lapic, 0x350), 0x700);     /* LVT0: ExtINT, unmasked */
	ck_assert_uint_eq(lapic_reg(lapic, 0x360), 0x400);     /* LVT1: NMI */

	cap = call_data(FAKE_ANY, KVM_ENABLE_CAP, 0);
	ck_assert_uint_eq(cap->cap, KVM_CAP_EXIT_HYPERCALL);
	ck_assert_uint_eq(cap->args[0], 1ull << KVM_HC_MAP_GPA_RANGE);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_IRQCHIP), 1);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_PIT2), 1);
}
END_TEST

static Suite *vm_suite(void)
{
	Suite *s = suite_create("vm");
	TCase *tc = tcase_create("boot");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pvh_boot_end_to_end);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(vm_suite)

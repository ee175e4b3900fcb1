/* cvm-run's VMM core end to end against the fake KVM: boot set-up, SMP,
 * memory backends, host failures and `cvm-run check`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/x86/boot.h"
#include "arch/x86/memmap.h"
#include "arch/x86/pvh.h"
#include "loader/error.h"
#include "tests/unit/boot-test.h"
#include "tests/unit/fake/fake-kvm.h"
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

/* The IOAPIC pin GSI is routed to. */
static uint32_t ioapic_pin_of(uint32_t gsi)
{
	const struct kvm_irq_routing *r = vm_test__arg(FAKE_ANY, KVM_SET_GSI_ROUTING, 0);

	for (uint32_t i = 0; i < r->nr; i++)
		if (r->entries[i].gsi == gsi && r->entries[i].u.irqchip.irqchip == KVM_IRQCHIP_IOAPIC)
			return r->entries[i].u.irqchip.pin;
	ck_abort_msg("GSI %u is not routed to the IOAPIC", gsi);
	return 0;
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
	const struct kvm_fpu *fpu;
	const uint64_t *idmap;
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
	slot = vm_test__arg(FAKE_ANY, KVM_SET_USER_MEMORY_REGION2, 0);
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
	regs = vm_test__arg(0, KVM_SET_REGS, 0);
	ck_assert_uint_eq(regs->rip, VM_TEST_ENTRY);
	ck_assert_uint_eq(regs->rbx, X86_START_INFO_ADDR);
	ck_assert_uint_eq(regs->rflags, 2);
	sregs = vm_test__arg(0, KVM_SET_SREGS, 0);
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

	cpuid = vm_test__arg(0, KVM_SET_CPUID2, 0);
	ck_assert_uint_eq(cpuid_entry(cpuid, 1, 0)->ebx >> 24, 0);
	ck_assert_uint_ne(cpuid_entry(cpuid, 1, 0)->ecx & (1u << 31), 0);
	ck_assert_uint_eq(cpuid_entry(cpuid, 0xb, 1)->edx, 0);
	lapic = vm_test__arg(0, KVM_SET_LAPIC, 0);
	ck_assert_uint_eq(lapic_reg(lapic, 0x350), 0x700);     /* LVT0: ExtINT, unmasked */
	ck_assert_uint_eq(lapic_reg(lapic, 0x360), 0x400);     /* LVT1: NMI */

	fpu = vm_test__arg(0, KVM_SET_FPU, 0);
	ck_assert_uint_eq(fpu->fcw, 0x37f);
	ck_assert_uint_eq(fpu->mxcsr, 0x1f80);
	/* VMX's real-mode helpers live in the MMIO hole, below any firmware. */
	ck_assert_uint_eq(fake__find(FAKE_ANY, KVM_SET_TSS_ADDR, 0)->arg, 0xfeffd000);
	idmap = vm_test__arg(FAKE_ANY, KVM_SET_IDENTITY_MAP_ADDR, 0);
	ck_assert_uint_eq(*idmap, 0xfeffc000);

	cap = vm_test__arg(FAKE_ANY, KVM_ENABLE_CAP, 0);
	ck_assert_uint_eq(cap->cap, KVM_CAP_EXIT_HYPERCALL);
	ck_assert_uint_eq(cap->args[0], 1ull << KVM_HC_MAP_GPA_RANGE);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_IRQCHIP), 1);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_PIT2), 1);
	ck_assert_uint_eq(ioapic_pin_of(0), 2);                 /* the PIT */
	ck_assert_uint_eq(ioapic_pin_of(4), 4);                 /* COM1 */
}
END_TEST

START_TEST(smp_aps_block_until_the_bsp_ends_the_vm)
{
	/* The APs wait for a SIPI that never comes; the BSP ends the VM once
	 * all four vCPU threads are inside KVM_RUN. */
	for (int v = 1; v < 4; v++)
		fake__block(v);
	fake__out(0, 0xf4, 0)->wait_running = 4;
	ck_assert_int_eq(VM_TEST_RUN(&t, "-c", "4"), 0);
	ck_assert_str_eq(t.err, "");
	for (int v = 0; v < 4; v++) {
		const struct kvm_cpuid2 *cpuid = vm_test__arg(v, KVM_SET_CPUID2, 0);
		const struct kvm_lapic_state *lapic = vm_test__arg(v, KVM_SET_LAPIC, 0);
		const struct fake_call *run = fake__find(v, KVM_RUN, 0);

		ck_assert_uint_eq(fake__count(v, KVM_SET_CPUID2), 1);
		ck_assert_uint_eq(cpuid_entry(cpuid, 1, 0)->ebx >> 24, v);
		ck_assert_uint_eq((cpuid_entry(cpuid, 1, 0)->ebx >> 16) & 0xff, 4);
		ck_assert_uint_eq(cpuid_entry(cpuid, 0xb, 0)->edx, v);
		ck_assert_uint_eq(cpuid_entry(cpuid, 0xb, 1)->edx, v);
		ck_assert_uint_eq(cpuid_entry(cpuid, 0xb, 1)->ebx, 4);
		ck_assert_uint_eq(lapic_reg(lapic, 0x350), 0x700);
		ck_assert_uint_eq(fake__count(v, KVM_SET_REGS), v == 0);
		ck_assert_ptr_nonnull(run);
		if (v) {
			/* Kicked out of a guest that never exits. */
			ck_assert_int_eq(run->ret, -1);
			ck_assert_int_eq(run->err, EINTR);
		}
	}
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VCPU), 4);
}
END_TEST

START_TEST(anonymous_memory_without_guest_memfd_mmap)
{
	const struct kvm_userspace_memory_region2 *slot;
	const struct fake_call *map;

	fake__set_cap(KVM_CAP_GUEST_MEMFD_FLAGS, 0);
	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), 0);
	ck_assert_pstr_eq(strstr(t.err, "cvm-run: no mmap-able guest_memfd"), t.err);
	ck_assert_ptr_eq(strchr(t.err, '\n'), t.err + strlen(t.err) - 1);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_GUEST_MEMFD), 0);
	map = mmap_of(-1, MAP_ANONYMOUS | MAP_PRIVATE);
	ck_assert_ptr_nonnull(map);
	ck_assert_uint_eq(map->arg, 64 * MIB);
	slot = vm_test__arg(FAKE_ANY, KVM_SET_USER_MEMORY_REGION2, 0);
	ck_assert_uint_eq(slot->flags, 0);
	ck_assert_uint_eq(slot->memory_size, 64 * MIB);
	ck_assert_uint_eq(slot->userspace_addr, map->addr);
}
END_TEST

START_TEST(old_kvm_gets_the_v1_memslot_ioctl)
{
	const struct kvm_userspace_memory_region *slot;

	fake__set_cap(KVM_CAP_USER_MEMORY2, 0);
	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), 0);
	ck_assert_ptr_nonnull(strstr(t.err, "no mmap-able guest_memfd"));
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_SET_USER_MEMORY_REGION2), 0);
	slot = vm_test__arg(FAKE_ANY, KVM_SET_USER_MEMORY_REGION, 0);
	ck_assert_uint_eq(slot->memory_size, 64 * MIB);
	ck_assert_uint_eq(slot->flags, 0);
}
END_TEST

START_TEST(guest_memfd_asked_for_by_name_is_not_replaced)
{
	fake__set_cap(KVM_CAP_GUEST_MEMFD_FLAGS, GUEST_MEMFD_FLAG_MMAP);
	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "--memory-backend", "guest-memfd"), CVM_EXIT_NOHOST);
	ck_assert_ptr_nonnull(strstr(t.err, "--memory-backend guest-memfd"));
	ck_assert_ptr_nonnull(strstr(t.err, "0x1"));
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_GUEST_MEMFD), 0);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_RUN), 0);
}
END_TEST

/* Above 3 GiB RAM continues at 4 GiB: a second memslot on the same
 * guest_memfd, at the offset where the first one ends. */
START_TEST(ram_above_the_mmio_hole)
{
	const struct kvm_userspace_memory_region2 *lo, *hi;
	const struct fake_call *gm;

	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "4G"), 0);
	gm = fake__find(FAKE_ANY, KVM_CREATE_GUEST_MEMFD, 0);
	ck_assert_uint_eq(((const struct kvm_create_guest_memfd *)gm->data)->size, 4096 * MIB);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_SET_USER_MEMORY_REGION2), 2);
	lo = vm_test__arg(FAKE_ANY, KVM_SET_USER_MEMORY_REGION2, 0);
	hi = vm_test__arg(FAKE_ANY, KVM_SET_USER_MEMORY_REGION2, 1);
	ck_assert_uint_eq(lo->guest_phys_addr, 0);
	ck_assert_uint_eq(lo->memory_size, X86_MMIO_HOLE);
	ck_assert_uint_eq(hi->slot, 1);
	ck_assert_uint_eq(hi->flags, KVM_MEM_GUEST_MEMFD);
	ck_assert_uint_eq(hi->guest_phys_addr, X86_4G);
	ck_assert_uint_eq(hi->memory_size, 4096 * MIB - X86_MMIO_HOLE);
	ck_assert_uint_eq(hi->guest_memfd_offset, X86_MMIO_HOLE);
	ck_assert_int_eq(hi->guest_memfd, gm->ret);
	ck_assert_uint_eq(hi->userspace_addr, lo->userspace_addr + X86_MMIO_HOLE);
}
END_TEST

START_TEST(memslot_refused)
{
	fake__answer(KVM_SET_USER_MEMORY_REGION2, 0, 0, EINVAL);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), CVM_EXIT_FAIL);
	ck_assert_str_eq(t.err, "cvm-run: memslot 0 [0, +0x4000000): Invalid argument\n");
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VCPU), 0);
}
END_TEST

START_TEST(bzimage_enters_in_long_mode)
{
	const char *bz = test__shared("vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64");
	const struct kvm_regs *regs;
	const struct kvm_sregs *sregs;
	const uint8_t *mem;
	uint8_t file[0x8000];
	uint64_t size, pm;
	FILE *f;

	boot_test__remove(t.kernel);
	t.kernel = strdup(bz);
	ck_assert_ptr_nonnull(t.kernel);
	fake__out(0, 0xf4, 0);
	/* vm_test__exit() unlinks the kernel: give it a copy's name back. */
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "256M"), 0);
	free(t.kernel);
	t.kernel = boot_test__file("", 0, 0);

	/* The 64-bit entry is 0x200 into the protected-mode part, which
	 * follows the setup sectors in the file. */
	f = fopen(bz, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(file, 1, sizeof(file), f), sizeof(file));
	fclose(f);
	pm = (file[0x1f1] + 1) * 512ull;
	mem = fake__guest_memory(&size);
	ck_assert_mem_eq(mem + X86_BOOT_PARAMS_ADDR + 0x202, "HdrS", 4);
	regs = vm_test__arg(0, KVM_SET_REGS, 0);
	ck_assert_uint_ge(regs->rip, X86_HIGH_MEM + 0x200);
	ck_assert_uint_lt(regs->rip + 0x1000, size);
	ck_assert_mem_eq(mem + regs->rip - 0x200, file + pm, sizeof(file) - pm);
	ck_assert_uint_eq(regs->rsi, X86_BOOT_PARAMS_ADDR);
	sregs = vm_test__arg(0, KVM_SET_SREGS, 0);
	ck_assert_uint_eq(sregs->cs.selector, X86_SEL_CS64);
	ck_assert_uint_eq(sregs->cs.l, 1);
	ck_assert_uint_eq(sregs->cs.db, 0);
	ck_assert_uint_eq(sregs->cr3, X86_PML4_ADDR);
	ck_assert_uint_eq(sregs->efer & 0x500, 0x500);                  /* LME, LMA */
	ck_assert_uint_ne(sregs->cr0 & 0x80000000u, 0);                 /* PG */
	ck_assert_uint_ne(sregs->cr4 & 0x20, 0);                        /* PAE */
}
END_TEST

START_TEST(no_dev_kvm)
{
	fake__open_fails(ENOENT);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), CVM_EXIT_NOHOST);
	ck_assert_str_eq(t.err, "cvm-run: /dev/kvm: No such file or directory\n");
}
END_TEST

START_TEST(wrong_api_version)
{
	fake__answer(KVM_GET_API_VERSION, 0, 11, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), CVM_EXIT_NOHOST);
	ck_assert_ptr_nonnull(strstr(t.err, "API version 11, need 12"));
}
END_TEST

START_TEST(vm_type_refused)
{
	fake__answer(KVM_CREATE_VM, 0, 0, EINVAL);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), CVM_EXIT_NOHOST);
	ck_assert_ptr_nonnull(strstr(t.err, "KVM_CREATE_VM(0): Invalid argument"));
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VCPU), 0);
}
END_TEST

START_TEST(too_many_vcpus_for_this_kvm)
{
	fake__set_cap(KVM_CAP_MAX_VCPUS, 2);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M", "-c", "3"), CVM_EXIT_NOHOST);
	ck_assert_ptr_nonnull(strstr(t.err, "--cpus 3: this KVM allows at most 2"));
}
END_TEST

START_TEST(no_irqchip)
{
	fake__set_cap(KVM_CAP_IRQCHIP, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), CVM_EXIT_NOHOST);
	ck_assert_ptr_nonnull(strstr(t.err, "no in-kernel irqchip"));
}
END_TEST

START_TEST(msr_refused)
{
	fake__answer(KVM_SET_MSRS, 0, 3, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), CVM_EXIT_FAIL);
	/* The fourth MSR of the VMM's list is STAR. */
	ck_assert_ptr_nonnull(strstr(t.err, "vCPU 0: KVM refused MSR 0xc0000081"));
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_RUN), 0);
}
END_TEST

/* A failure half-way through set-up tears down what was built. */
START_TEST(third_vcpu_fails)
{
	fake__answer(KVM_CREATE_VCPU, 2, 0, ENOMEM);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M", "-c", "4"), CVM_EXIT_FAIL);
	ck_assert_ptr_nonnull(strstr(t.err, "KVM_CREATE_VCPU(2): Cannot allocate memory"));
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VCPU), 3);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_RUN), 0);
}
END_TEST

/* KVM_CREATE_VCPU succeeds, mapping its run area does not (a run area
 * larger than the vCPU file): the vCPU fd is closed all the same. */
START_TEST(vcpu_run_area_unmappable)
{
	fake__answer(KVM_GET_VCPU_MMAP_SIZE, 0, FAKE_RUN_SIZE + 4096, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M", "-c", "2"), CVM_EXIT_FAIL);
	ck_assert_ptr_nonnull(strstr(t.err, "(vCPU 0): Invalid argument"));
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VCPU), 1);
}
END_TEST

/* KVM's whole table comes in one call: each retry after E2BIG walks
 * every leaf again. */
START_TEST(supported_cpuid_is_fetched_in_one_call)
{
	struct kvm_cpuid_entry2 e[200] = { { .function = 0, .eax = 0xd } };
	const struct kvm_cpuid2 *set;

	for (int i = 1; i < 200; i++)
		e[i] = (struct kvm_cpuid_entry2){ .function = 0x40000100 + i, .eax = i };
	fake__set_supported_cpuid(e, 200);
	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), 0);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_GET_SUPPORTED_CPUID), 1);
	set = vm_test__arg(0, KVM_SET_CPUID2, 0);
	ck_assert_uint_eq(set->nent, 202);              /* + leaf 0xb sub-leaves 0 and 1 */
	ck_assert_uint_eq(cpuid_entry(set, 0x400001c7, 0)->eax, 199);
}
END_TEST

/* --pit off: the irqchip alone, with KVM's default routes (COM1's IRQ 4
 * reaches IOAPIC pin 4 through them). */
START_TEST(pit_off_leaves_the_irqchip_alone)
{
	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M", "--pit", "off"), 0);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_IRQCHIP), 1);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_PIT2), 0);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_SET_GSI_ROUTING), 0);
}
END_TEST

struct check_ctx {
	int status;
};

static void run_check(void *arg)
{
	struct check_ctx *x = arg;

	x->status = check__run(false);
}

START_TEST(check_reports_this_host)
{
	struct check_ctx x;
	char out[4096], err[1024];

	vm_test__capture(run_check, &x, out, sizeof(out), err, sizeof(err));
	ck_assert_int_eq(x.status, 0);
	ck_assert_str_eq(err, "");
	ck_assert_ptr_nonnull(strstr(out, "KVM API version        12\n"));
	ck_assert_ptr_nonnull(strstr(out, "guest_memfd            yes, flags 0x3 (MMAP INIT_SHARED)\n"));
	ck_assert_ptr_nonnull(strstr(out, " default:yes sw-protected:no"));
	ck_assert_ptr_nonnull(strstr(out, "exit-hypercall         MAP_GPA_RANGE\n"));
	ck_assert_ptr_nonnull(strstr(out, "max vCPUs              288\n"));
	ck_assert_ptr_nonnull(strstr(out, "plain, guest_memfd     yes\n"));
	ck_assert_ptr_nonnull(strstr(out, "sw-protected           no: KVM here cannot create VM type 1"));
	ck_assert_ptr_nonnull(strstr(out, "tdx                    no: KVM here cannot create VM type 5"));
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VCPU), 1);
	ck_assert_uint_eq(fake__open_fds(), 0);
}
END_TEST

START_TEST(check_without_a_vm)
{
	struct check_ctx x;
	char out[4096], err[1024];

	fake__answer(KVM_CREATE_VM, 0, 0, EINVAL);
	vm_test__capture(run_check, &x, out, sizeof(out), err, sizeof(err));
	ck_assert_int_eq(x.status, CVM_EXIT_NOHOST);
	ck_assert_ptr_nonnull(strstr(err, "KVM_CREATE_VM(0): Invalid argument"));
	ck_assert_ptr_nonnull(strstr(out, "plain, anonymous       no\n"));
	ck_assert_uint_eq(fake__open_fds(), 0);

	fake__uninstall();
	fake__install();
	fake__open_fails(ENOENT);
	vm_test__capture(run_check, &x, out, sizeof(out), err, sizeof(err));
	ck_assert_int_eq(x.status, CVM_EXIT_NOHOST);
	ck_assert_str_eq(err, "cvm-run: /dev/kvm: No such file or directory\n");
	ck_assert_str_eq(out, "");
}
END_TEST

static Suite *vm_suite(void)
{
	Suite *s = suite_create("vm");
	TCase *boot = tcase_create("boot"), *host = tcase_create("host");

	tcase_add_checked_fixture(boot, setup, teardown);
	tcase_add_test(boot, pvh_boot_end_to_end);
	tcase_add_test(boot, smp_aps_block_until_the_bsp_ends_the_vm);
	tcase_add_test(boot, anonymous_memory_without_guest_memfd_mmap);
	tcase_add_test(boot, old_kvm_gets_the_v1_memslot_ioctl);
	tcase_add_test(boot, guest_memfd_asked_for_by_name_is_not_replaced);
	tcase_add_test(boot, ram_above_the_mmio_hole);
	tcase_add_test(boot, bzimage_enters_in_long_mode);
	tcase_add_test(boot, pit_off_leaves_the_irqchip_alone);
	suite_add_tcase(s, boot);
	tcase_add_checked_fixture(host, setup, teardown);
	tcase_add_test(host, no_dev_kvm);
	tcase_add_test(host, wrong_api_version);
	tcase_add_test(host, vm_type_refused);
	tcase_add_test(host, too_many_vcpus_for_this_kvm);
	tcase_add_test(host, no_irqchip);
	tcase_add_test(host, memslot_refused);
	tcase_add_test(host, msr_refused);
	tcase_add_test(host, third_vcpu_fails);
	tcase_add_test(host, vcpu_run_area_unmappable);
	tcase_add_test(host, supported_cpuid_is_fetched_in_one_call);
	tcase_add_test(host, check_reports_this_host);
	tcase_add_test(host, check_without_a_vm);
	suite_add_tcase(s, host);
	return s;
}

TEST_SUITE(vm_suite)

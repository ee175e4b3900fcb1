#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/boot.h"
#include "arch/x86/firmware.h"
#include "arch/x86/memmap.h"
#include "arch/x86/kvm-abi.h"
#include "loader/error.h"
#include "vmm/arch.h"
#include "vmm/private-mem.h"
#include "vmm/sys.h"
#include "vmm/tee.h"
#include "vmm/vm.h"

/* The routes a split irqchip reserves for a userspace IOAPIC, as QEMU's. */
#define IOAPIC_PINS 24

size_t arch__ram_ranges(uint64_t mem, struct guest_range *out)
{
	struct x86_ram_range r[2];
	size_t n = x86__ram_ranges(mem, r);

	for (size_t i = 0; i < n; i++)
		out[i] = (struct guest_range){ r[i].start, r[i].size };
	return n;
}

void x86__boot_cfg(const struct vm *vm, struct x86_boot_cfg *out)
{
	const struct vm_config *c = vm->cfg;

	*out = (struct x86_boot_cfg){ .kernel = c->kernel, .initrd = c->initrd,
				      .cmdline = c->params, .mem_size = c->mem, .vcpus = c->cpus };
}

int arch__prepare(struct vm *vm)
{
	const struct vm_config *c = vm->cfg;
	struct x86_boot_cfg boot;

	x86__boot_cfg(vm, &boot);
	if (c->cpuid_disable && x86__cpuid_parse_disable(c->cpuid_disable, &vm->arch.cpuid) < 0)
		return -1;
	if (c->firmware)
		return x86__firmware_plan(&vm->plan, c->firmware, &boot);
	return x86__build_boot_plan(&vm->plan, &boot);
}

unsigned long arch__vm_type(const struct vm *vm)
{
	(void)vm;
	return KVM_X86_DEFAULT_VM;
}

int arch__check_vm_type(const struct kvm *k, unsigned long type)
{
	/* Without KVM_CAP_VM_TYPES (before 6.10) only the default exists. */
	uint64_t types = k->caps.vm_types ? k->caps.vm_types : 1ull << KVM_X86_DEFAULT_VM;

	if (type >= 64 || !(types & (1ull << type)))
		return err__set_status(CVM_EXIT_NOHOST, "KVM here cannot create VM type %lu "
				       "(KVM_CAP_VM_TYPES = %#llx)", type,
				       (unsigned long long)k->caps.vm_types);
	return 0;
}

void arch__check_report(const struct kvm *k)
{
	static const char *const names[] = {
		[KVM_X86_DEFAULT_VM] = "default", [KVM_X86_SW_PROTECTED_VM] = "sw-protected",
		[KVM_X86_SEV_VM] = "SEV",         [KVM_X86_SEV_ES_VM] = "SEV-ES",
		[KVM_X86_SNP_VM] = "SNP",         [KVM_X86_TDX_VM] = "TDX",
	};
	uint64_t types = k->caps.vm_types ? k->caps.vm_types : 1ull << KVM_X86_DEFAULT_VM;

	printf("VM types              ");
	for (size_t t = 0; t < sizeof(names) / sizeof(names[0]); t++)
		printf(" %s:%s", names[t], types & (1ull << t) ? "yes" : "no");
	printf("\nexit-hypercall         %s\n",
	       k->caps.exit_hypercall & (1ull << KVM_HC_MAP_GPA_RANGE) ? "MAP_GPA_RANGE" : "no");
}

static int vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg, const char *name)
{
	if (sys__ioctl(vm->kvm.vm_fd, req, arg) < 0)
		return err__set_status(CVM_EXIT_FAIL, "%s: %s", name, strerror(errno));
	return 0;
}

const struct kvm_cpuid2 *x86__supported_cpuid(struct vm *vm)
{
	if (vm->arch.supported)
		return vm->arch.supported;
	/* KVM_MAX_CPUID_ENTRIES first: every KVM so far fills it in one walk of
	 * the leaves (each E2BIG costs a whole walk). */
	for (int n = 256; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c) {
			err__set_status(CVM_EXIT_FAIL, "out of memory");
			return NULL;
		}
		c->nent = n;
		if (sys__ioctl(vm->kvm.sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			vm->arch.supported = c;
			return c;
		}
		free(c);
		if (errno != E2BIG)
			break;
	}
	err__set_status(CVM_EXIT_FAIL, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	return NULL;
}

/* GSI routes as the MP table describes them: ISA IRQs on both PICs and
 * the IOAPIC, except that the PIT's IRQ 0 reaches IOAPIC pin 2 (pin 0
 * carries the 8259 cascade on a PC), as Linux's timer check expects. */
static int set_gsi_routing(struct vm *vm)
{
	enum { NPIC = 16, NIOAPIC = 24 };
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[NPIC + NIOAPIC];
	} r = { 0 };
	unsigned n = 0;

	for (unsigned gsi = 0; gsi < NPIC; gsi++)
		r.e[n++] = (struct kvm_irq_routing_entry){ .gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE,
				       gsi % 8 } };
	for (unsigned gsi = 0; gsi < NIOAPIC; gsi++) {
		if (gsi == 2)
			continue;
		r.e[n++] = (struct kvm_irq_routing_entry){ .gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { KVM_IRQCHIP_IOAPIC, gsi == 0 ? 2 : gsi } };
	}
	r.hdr.nr = n;
	return vm_ioctl(vm, KVM_SET_GSI_ROUTING, (unsigned long)&r, "KVM_SET_GSI_ROUTING");
}

static int enable_cap(struct vm *vm, uint32_t cap, uint64_t arg, const char *name)
{
	struct kvm_enable_cap c = { .cap = cap, .args[0] = arg };

	return vm_ioctl(vm, KVM_ENABLE_CAP, (unsigned long)&c, name);
}

/* The full in-kernel irqchip (PIC, IOAPIC, LAPIC) with the PIT, or only the
 * LAPIC when the backend asks (split: a TD's vCPUs need it, and the APIC
 * bus period comes after it, ERRATA row 21). */
static int create_irqchip(struct vm *vm)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	const struct tee_ops *t = vm->tee;

	if (t->split_irqchip) {
		if (enable_cap(vm, KVM_CAP_SPLIT_IRQCHIP, IOAPIC_PINS, "KVM_CAP_SPLIT_IRQCHIP") < 0)
			return -1;
		return t->apic_bus_ns ? enable_cap(vm, KVM_CAP_X86_APIC_BUS_CYCLES_NS, t->apic_bus_ns,
						   "KVM_CAP_X86_APIC_BUS_CYCLES_NS") : 0;
	}
	if (vm_ioctl(vm, KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP") < 0)
		return -1;
	/* A PIT only where the guest may tick with it (README, "The PIT"):
	 * never beside private or encrypted memory.  Its IRQ 0 is the one line
	 * that needs other routes than KVM's default ones. */
	if (t->memory != MEM_SHARED || vm->cfg->pit == 0)
		return 0;
	if (vm_ioctl(vm, KVM_CREATE_PIT2, (unsigned long)&pit, "KVM_CREATE_PIT2") < 0)
		return -1;
	return set_gsi_routing(vm);
}

int arch__vm_init(struct vm *vm)
{
	uint64_t idmap = X86_IDENTITY_MAP_ADDR;

	if (!vm->kvm.caps.irqchip)
		return err__set_status(CVM_EXIT_NOHOST, "KVM here has no in-kernel irqchip");
	if (vm_ioctl(vm, KVM_SET_TSS_ADDR, X86_TSS_ADDR, "KVM_SET_TSS_ADDR") < 0 ||
	    vm_ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, (unsigned long)&idmap,
		     "KVM_SET_IDENTITY_MAP_ADDR") < 0 ||
	    create_irqchip(vm) < 0)
		return -1;
	/* MAP_GPA_RANGE is forwarded to us where KVM offers it, so a guest's
	 * conversion request gets a real answer (refused on a VM without
	 * private memory) instead of -KVM_ENOSYS. */
	if (vm->kvm.caps.exit_hypercall & (1ull << KVM_HC_MAP_GPA_RANGE)) {
		if (enable_cap(vm, KVM_CAP_EXIT_HYPERCALL, 1ull << KVM_HC_MAP_GPA_RANGE,
			       "KVM_CAP_EXIT_HYPERCALL") < 0)
			return -1;
		vm->arch.hypercall_exits = true;
	}
	return x86__supported_cpuid(vm) ? x86__ioport_init(vm) : -1;
}

void arch__vm_exit(struct vm *vm)
{
	x86__ioport_exit(vm);
	free(vm->arch.supported);
	vm->arch.supported = NULL;
}

void arch__irq_line(struct vm *vm, unsigned irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	sys__ioctl(vm->kvm.vm_fd, KVM_IRQ_LINE, &l);
}

#define MAP_GPA_ATTRS (KVM_MAP_GPA_RANGE_ENCRYPTED | KVM_MAP_GPA_RANGE_PAGE_SZ_2M | \
		       KVM_MAP_GPA_RANGE_PAGE_SZ_1G)

/* KVM_HC_MAP_GPA_RANGE: args[0] = gpa, args[1] = 4 KiB pages, args[2] =
 * attributes.  The page-size bits are a hint; the range is what counts. */
static uint64_t map_gpa_range(struct vcpu *v)
{
	const struct kvm_run *r = v->run;
	uint64_t gpa = r->hypercall.args[0], pages = r->hypercall.args[1];
	uint64_t attrs = r->hypercall.args[2];

	if (r->hypercall.nr != KVM_HC_MAP_GPA_RANGE || attrs & ~(uint64_t)MAP_GPA_ATTRS ||
	    pages > UINT64_MAX >> 12)
		return CONVERT_REFUSED;
	return private_mem__convert(v->vm, gpa, pages << 12, attrs & KVM_MAP_GPA_RANGE_ENCRYPTED);
}

bool arch__handle_exit(struct vcpu *v, bool *more)
{
	*more = true;
	if (v->run->exit_reason != KVM_EXIT_HYPERCALL)
		return false;
	/* Only 0, EINVAL or EAGAIN: any other answer fails the next KVM_RUN
	 * on SNP and TDX (ERRATA row 5). */
	v->run->hypercall.ret = map_gpa_range(v);
	return true;
}

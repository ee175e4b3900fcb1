#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/boot.h"
#include "arch/x86/memmap.h"
#include "loader/error.h"
#include "vmm/arch.h"
#include "vmm/kvm-abi.h"
#include "vmm/vm.h"
#include "vmm/sys.h"

/* VMX needs three pages for the real-mode TSS and one for the identity map
 * of unrestricted-guest-less hosts: inside the MMIO hole, never RAM. */
#define X86_TSS_ADDR          0xfffbd000ul
#define X86_IDENTITY_MAP_ADDR 0xfffbc000ull

size_t arch__ram_ranges(uint64_t mem, struct guest_range *out)
{
	struct x86_ram_range r[2];
	size_t n = x86__ram_ranges(mem, r);

	for (size_t i = 0; i < n; i++)
		out[i] = (struct guest_range){ r[i].start, r[i].size };
	return n;
}

int arch__prepare(struct vm *vm)
{
	const struct vm_config *c = vm->cfg;
	struct x86_boot_cfg boot = {
		.kernel = c->kernel,
		.initrd = c->initrd,
		.cmdline = c->params,
		.mem_size = c->mem,
		.vcpus = c->cpus,
	};

	if (c->cpuid_disable && x86__cpuid_parse_disable(c->cpuid_disable, &vm->arch.cpuid) < 0)
		return -1;
	return x86__build_boot_plan(&vm->plan, &boot);
}

static int vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg, const char *name)
{
	if (sys__ioctl(vm->kvm.vm_fd, req, arg) < 0)
		return err__set_status(CVM_EXIT_FAIL, "%s: %s", name, strerror(errno));
	return 0;
}

static int fetch_cpuid(struct vm *vm)
{
	for (int n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c)
			return err__set_status(CVM_EXIT_FAIL, "out of memory");
		c->nent = n;
		if (sys__ioctl(vm->kvm.sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			vm->arch.supported = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			break;
	}
	return err__set_status(CVM_EXIT_FAIL, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
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

int arch__vm_init(struct vm *vm)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t idmap = X86_IDENTITY_MAP_ADDR;

	if (!vm->kvm.caps.irqchip)
		return err__set_status(CVM_EXIT_NOHOST, "KVM here has no in-kernel irqchip");
	if (vm_ioctl(vm, KVM_SET_TSS_ADDR, X86_TSS_ADDR, "KVM_SET_TSS_ADDR") < 0 ||
	    vm_ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, (unsigned long)&idmap,
		     "KVM_SET_IDENTITY_MAP_ADDR") < 0 ||
	    vm_ioctl(vm, KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP") < 0 ||
	    vm_ioctl(vm, KVM_CREATE_PIT2, (unsigned long)&pit, "KVM_CREATE_PIT2") < 0 ||
	    set_gsi_routing(vm) < 0)
		return -1;
	return fetch_cpuid(vm);
}

void arch__vm_exit(struct vm *vm)
{
	free(vm->arch.supported);
	vm->arch.supported = NULL;
}

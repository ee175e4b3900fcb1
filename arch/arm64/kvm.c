/* arm64's VM-wide hooks of vmm/arch.h: the VM type (the IPA width the RAM
 * needs), RAM at ARM64_RAM_BASE, the boot plan, the in-kernel vGICv3 and
 * the SPIs devices raise through it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arch/arm64/boot.h"
#include "arch/arm64/kvm-abi.h"
#include "arch/arm64/memmap.h"
#include "loader/error.h"
#include "vmm/arch.h"
#include "vmm/sys.h"
#include "vmm/vm.h"

/* KVM's IPA width when the VM type leaves it 0. */
#define IPA_BITS_DEFAULT 40

size_t arch__ram_ranges(uint64_t mem, struct guest_range *out)
{
	out[0] = (struct guest_range){ ARM64_RAM_BASE, mem };
	return 1;
}

int arm64__boot_cfg(const struct vm *vm, struct arm64_boot_cfg *out)
{
	const struct vm_config *c = vm->cfg;

	if (c->cpuid_disable)
		return err__set("--cpuid-disable: CPUID is x86's; an arm64 VM has none to hide");
	if (c->pit >= 0)
		return err__set("--pit: the i8254 PIT is x86's; an arm64 VM has none");
	if (c->firmware_log)
		return err__set("--firmware-log: the debug port 0x402 is x86's; an arm64 VM has none");
	if (c->firmware)
		return err__set_status(CVM_EXIT_NOHOST, "--firmware: arm64 VMs boot an Image "
				       "directly; UEFI firmware is not in this build");
	*out = (struct arm64_boot_cfg){
		.kernel = c->kernel,
		.initrd = c->initrd,
		.cmdline = c->params,
		.mem_size = c->mem,
		.vcpus = c->cpus,
	};
	return 0;
}

int arch__prepare(struct vm *vm)
{
	struct arm64_boot_cfg boot;

	return arm64__boot_cfg(vm, &boot) < 0 ? -1 : arm64__build_boot_plan(&vm->plan, &boot);
}

/* The IPA width the RAM needs; without a VM (cvm-run check) KVM's default. */
unsigned long arch__vm_type(const struct vm *vm)
{
	return vm ? KVM_VM_TYPE_ARM_IPA_SIZE(arm64__ipa_bits(vm->cfg->mem)) : 0;
}

/* arm64 reports no VM types (KVM_CAP_VM_TYPES is x86's): only the IPA
 * width can be checked beforehand; KVM answers for the other bits. */
int arch__check_vm_type(const struct kvm *k, unsigned long type)
{
	unsigned ipa = type & KVM_VM_TYPE_ARM_IPA_SIZE_MASK;
	long max = kvm__cap(k, KVM_CAP_ARM_VM_IPA_SIZE);

	if (ipa && ipa > (unsigned long)(max > 0 ? max : IPA_BITS_DEFAULT))
		return err__set_status(CVM_EXIT_NOHOST, "KVM here addresses at most %ld bits of "
				       "guest-physical space; the RAM asked for needs %u",
				       max > 0 ? max : IPA_BITS_DEFAULT, ipa);
	return 0;
}

void arch__check_report(const struct kvm *k)
{
	long ipa = kvm__cap(k, KVM_CAP_ARM_VM_IPA_SIZE);

	printf("IPA size               up to %ld bits\n", ipa > 0 ? ipa : IPA_BITS_DEFAULT);
	printf("PSCI 0.2               %s\n", kvm__cap(k, KVM_CAP_ARM_PSCI_0_2) > 0 ? "yes" : "no");
}

static int gic_attr(struct vm *vm, uint32_t group, uint64_t attr, uint64_t *val,
		    const char *name)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uintptr_t)val };

	if (sys__ioctl(vm->arch.gic_fd, KVM_SET_DEVICE_ATTR, &a) < 0)
		return err__set_status(CVM_EXIT_FAIL, "vGICv3 %s: %s", name, strerror(errno));
	return 0;
}

/* The vGICv3 at the memory map's addresses; initialized by
 * arm64__gic_init once the vCPUs exist (KVM sizes the redistributors by
 * them). */
static int create_gic(struct vm *vm)
{
	struct kvm_create_device d = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = ARM64_GIC_DIST_BASE, redist = ARM64_GIC_REDIST_BASE;

	if (sys__ioctl(vm->kvm.vm_fd, KVM_CREATE_DEVICE, &d) < 0)
		return err__set_status(errno == ENODEV ? CVM_EXIT_NOHOST : CVM_EXIT_FAIL,
				       "KVM_CREATE_DEVICE(vGICv3): %s", strerror(errno));
	vm->arch.gic_fd = d.fd;
	vm->arch.gic = true;
	return gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist,
			"distributor address") < 0 ||
	       gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist,
			"redistributor address") < 0 ? -1 : 0;
}

int arm64__gic_init(struct vm *vm)
{
	return gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL, "init");
}

/* An MMIO access without a valid syndrome (a load pair, writeback ...)
 * comes to us instead of an abort KVM would inject: cvm-run does not
 * emulate it, it stops the VM and says where. */
static int nisv_to_user(struct vm *vm)
{
	struct kvm_enable_cap c = { .cap = KVM_CAP_ARM_NISV_TO_USER };

	if (kvm__cap(&vm->kvm, KVM_CAP_ARM_NISV_TO_USER) <= 0)
		return 0;
	if (sys__ioctl(vm->kvm.vm_fd, KVM_ENABLE_CAP, &c) < 0)
		return err__set_status(CVM_EXIT_FAIL, "KVM_CAP_ARM_NISV_TO_USER: %s",
				       strerror(errno));
	return 0;
}

int arch__vm_init(struct vm *vm)
{
	return create_gic(vm) < 0 || nisv_to_user(vm) < 0 ? -1 : arm64__io_init(vm);
}

void arch__vm_exit(struct vm *vm)
{
	arm64__io_exit(vm);
	if (vm->arch.gic)
		sys->close(vm->arch.gic_fd);
	vm->arch.gic = false;
}

/* IRQ is an SPI's INTID (32 and up), as the device tree numbers it + 32. */
void arch__irq_line(struct vm *vm, unsigned irq, int level)
{
	struct kvm_irq_level l = {
		.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | irq,
		.level = level,
	};

	sys__ioctl(vm->kvm.vm_fd, KVM_IRQ_LINE, &l);
}

/* PSCI is KVM's, MMIO and system events are generic: what is left is an
 * MMIO access KVM could not decode. */
bool arch__handle_exit(struct vcpu *v, bool *more)
{
	const struct kvm_run *r = v->run;
	char where[160];

	*more = true;
	if (r->exit_reason != KVM_EXIT_ARM_NISV)
		return false;
	arch__vcpu_where(v, where, sizeof(where));
	vm__stop(v->vm, CVM_EXIT_FAIL, "vCPU %u: MMIO access at %#llx with no instruction "
		 "syndrome (ESR ISS %#llx), not emulated, at %s", v->id,
		 (unsigned long long)r->arm_nisv.fault_ipa,
		 (unsigned long long)r->arm_nisv.esr_iss, where);
	*more = false;
	return true;
}

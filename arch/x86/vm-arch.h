/* What an x86 VM keeps besides the generic state. */
#ifndef CVM_X86_VM_ARCH_H
#define CVM_X86_VM_ARCH_H

#include <stdbool.h>
#include <stdio.h>

#include "arch/x86/acpi-pm.h"
#include "arch/x86/cmos.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/debugcon.h"
#include "arch/x86/pci-host.h"
#include "vmm/fw-cfg.h"
#include "vmm/uart.h"

struct kvm_cpuid2;

struct vm_arch {
	struct x86_cpuid_policy cpuid;
	struct kvm_cpuid2 *supported;   /* KVM_GET_SUPPORTED_CPUID, fetched once */
	struct uart com1;
	bool com1_ready;
	bool hypercall_exits;           /* MAP_GPA_RANGE is forwarded to us */
	/* The i440FX + PIIX4 ports (arch/x86/ioport.c). */
	struct pci_host pci;
	struct acpi_pm pm;
	struct cmos cmos;
	bool pc_ready;
	struct fw_cfg fw_cfg;           /* serves plan.fw_cfg */
	bool fw_cfg_ready;
	struct debugcon debugcon;       /* port 0x402 into fw_log */
	FILE *fw_log;                   /* --firmware-log */
};

struct vm;
struct x86_boot_cfg;

/* The boot inputs of VM's options (arch/x86/kvm.c): what the plain, SEV
 * and TDX plans start from. */
void x86__boot_cfg(const struct vm *vm, struct x86_boot_cfg *out);

/* KVM_GET_SUPPORTED_CPUID, fetched on the first call; NULL with
 * err__set() when KVM refuses it. */
const struct kvm_cpuid2 *x86__supported_cpuid(struct vm *vm);

/* The CPUID vCPU ID gets from KVM_SET_CPUID2 (arch/x86/kvm-cpu.c; free()
 * it), or NULL with err__set(). */
struct kvm_cpuid2 *x86__vcpu_cpuid(struct vm *vm, unsigned id);

/* The port devices (arch/x86/ioport.c): registered in vm->io. */
int x86__ioport_init(struct vm *vm);
void x86__ioport_exit(struct vm *vm);

#endif

/* What an x86 VM keeps besides the generic state. */
#ifndef CVM_X86_VM_ARCH_H
#define CVM_X86_VM_ARCH_H

#include <stdbool.h>

#include "arch/x86/cpuid.h"
#include "vmm/uart.h"

struct kvm_cpuid2;

struct vm_arch {
	struct x86_cpuid_policy cpuid;
	struct kvm_cpuid2 *supported;   /* KVM_GET_SUPPORTED_CPUID, fetched once */
	struct uart com1;
	bool com1_ready;
	bool hypercall_exits;           /* MAP_GPA_RANGE is forwarded to us */
};

struct vm;

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

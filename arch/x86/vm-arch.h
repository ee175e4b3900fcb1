/* What an x86 VM keeps besides the generic state (one architecture today;
 * arm64 will bring its own vm-arch.h). */
#ifndef CVM_X86_VM_ARCH_H
#define CVM_X86_VM_ARCH_H

#include "arch/x86/cpuid.h"

struct kvm_cpuid2;

struct vm_arch {
	struct x86_cpuid_policy cpuid;
	struct kvm_cpuid2 *supported;   /* KVM_GET_SUPPORTED_CPUID, fetched once */
};

#endif

/* arm64 KVM uAPI newer than the installed 6.1 headers: the protected
 * (pKVM) VM type and Arm CCA realms.  Included by arm64 host code and
 * tests only. */
#ifndef CVM_ARM64_KVM_ABI_H
#define CVM_ARM64_KVM_ABI_H

#include "vmm/kvm-abi.h"

/* Bits 7:0 of the VM type are
 * the IPA size; 0 = the legacy 40-bit default.  PROTECTED is pKVM (7.1). */
#ifndef KVM_VM_TYPE_ARM_IPA_SIZE_MASK
#define KVM_VM_TYPE_ARM_IPA_SIZE_MASK	0xffULL
#endif
#ifndef KVM_VM_TYPE_ARM_PROTECTED
#define KVM_VM_TYPE_ARM_PROTECTED	(1UL << 31)
#endif

/* Arm CCA: from the UNMERGED "arm64: Support for Arm CCA in KVM" series,
 * v14 (2026-05-13).  Numbers have moved between versions; the populate
 * ioctl sits in the contested 0xd7 slot, so its number is left out until
 * the series is merged.  REALM together with PROTECTED is refused. */
#ifndef KVM_VM_TYPE_ARM_REALM
#define KVM_VM_TYPE_ARM_REALM		(1UL << 30)
#endif
#ifndef KVM_ARM_RMI_POPULATE_FLAGS_MEASURE
#define KVM_ARM_RMI_POPULATE_FLAGS_MEASURE	(1U << 0)
struct kvm_arm_rmi_populate {
	__u64 base;		/* the kernel advances base/source_uaddr */
	__u64 size;		/* and shrinks size: loop until 0 */
	__u64 source_uaddr;
	__u32 flags;
	__u32 reserved;
};
#endif

_Static_assert(sizeof(struct kvm_arm_rmi_populate) == 32, "kvm_arm_rmi_populate size");

#endif

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
 * v14 (2026-05-13, RMM v2.0-bet1).  POSTED, NOT MERGED: the numbers have
 * moved between versions (the cap was 247 in v12, 248 in v13) and collide
 * with mainline ones (249 is mainline's KVM_CAP_S390_HPAGE_2G), so a kernel
 * without the series answers these questions about something else: only
 * a realm VM type that KVM accepts proves the series is there.  REALM
 * together with PROTECTED is refused. */
#define KVM_CCA_SERIES_VERSION		"v14"
#define KVM_CAP_ARM_RMI			249
#ifndef KVM_VM_TYPE_ARM_REALM
#define KVM_VM_TYPE_ARM_REALM		(1UL << 30)
#endif
#ifndef KVM_ARM_RMI_POPULATE_FLAGS_MEASURE
#define KVM_ARM_RMI_POPULATE_FLAGS_MEASURE	(1U << 0)
struct kvm_arm_rmi_populate {
	__u64 base;		/* the kernel advances base/source_uaddr */
	__u64 size;		/* and shrinks size: loop until 0 */
	__u64 source_uaddr;	/* page-aligned */
	__u32 flags;
	__u32 reserved;
};
#endif
#define KVM_ARM_RMI_POPULATE		_IOWR(KVMIO, 0xd7, struct kvm_arm_rmi_populate)

_Static_assert(sizeof(struct kvm_arm_rmi_populate) == 32, "kvm_arm_rmi_populate size");
_Static_assert(offsetof(struct kvm_arm_rmi_populate, source_uaddr) == 16, "source_uaddr offset");
_Static_assert(offsetof(struct kvm_arm_rmi_populate, flags) == 24, "flags offset");

#endif

/* arm64's confidential backends (arch/arm64/kvm-tee.c lists them). */
#ifndef CVM_ARM64_KVM_TEE_H
#define CVM_ARM64_KVM_TEE_H

#include "vmm/tee.h"

/* pKVM protected VMs (arch/arm64/kvm-pkvm.c). */
extern const struct tee_ops tee_pkvm;
/* Arm CCA realms, v14 of the posted KVM series (arch/arm64/kvm-realm.c). */
extern const struct tee_ops tee_realm;

#endif

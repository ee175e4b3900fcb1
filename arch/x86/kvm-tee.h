/* What x86's confidential backends share (arch/x86/kvm-tee.c). */
#ifndef CVM_X86_KVM_TEE_H
#define CVM_X86_KVM_TEE_H

#include <stddef.h>

#include "vmm/kvm.h"
#include "vmm/tee.h"

/* Intel TDX (arch/x86/kvm-tdx.c). */
extern const struct tee_ops tee_tdx;

/* The check every private-memory backend starts with, asked on a VM of
 * TYPE: private memory attributes, guest_memfd memslots and MAP_GPA_RANGE
 * exits.  0 with *C filled and NOTE saying what was found, or -1 naming
 * TEE (the --tee value) and what is missing (status 3). */
int x86__check_private_vm(struct kvm *k, unsigned long type, const char *tee,
			  struct kvm_caps *c, char *note, size_t len);

#endif

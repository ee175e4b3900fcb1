/* A VMSA page (arch/x86/vmsa.c's model, as the launch plan holds it) turned
 * into the vCPU register state from which KVM's sev_es_sync_vmsa builds the
 * very same page at LAUNCH_UPDATE_VMSA / SNP_LAUNCH_FINISH (KERNEL-RULES 5):
 * the inverse of that function.  What KVM adds by itself is required, not
 * set: EFER.SVME, the host's CR4.MCE, DR7 = 0x400, DR6 and SEV_FEATURES as
 * INIT2 made them.  A byte no register reaches must be zero; anything else
 * is refused, naming the field, so a plan cvm-run cannot launch exactly
 * is never launched approximately. */
#ifndef CVM_X86_KVM_VMSA_H
#define CVM_X86_KVM_VMSA_H

#include <linux/kvm.h>
#include <stdint.h>

struct vcpu;

struct vmsa_regs {
	struct kvm_regs regs;
	struct kvm_sregs sregs;         /* only the fields a VMSA has are written */
	struct kvm_fpu fpu;
	uint64_t xcr0, pat;
	uint64_t sev_features;          /* what INIT2 must have produced */
};

/* R from PAGE (VMSA_SIZE bytes); R->sregs keeps what PAGE does not decide
 * (apic_base, cr8, efer's KVM-owned bits...).  -1 with err__set() naming
 * the field KVM would not reproduce. */
int vmsa__to_regs(const uint8_t *page, struct vmsa_regs *r);
/* Sets vCPU V's registers so that KVM syncs PAGE into its VMSA; -1 with
 * the reason when PAGE cannot be reproduced, when its SEV_FEATURES differ
 * from SEV_FEATURES (KVM's: INIT2's plus SNPActive on SNP), or when KVM
 * refuses a register. */
int x86__vcpu_set_vmsa(struct vcpu *v, const uint8_t *page, uint64_t sev_features);

#endif

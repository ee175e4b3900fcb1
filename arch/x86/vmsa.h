/* The SEV-ES/SNP initial VMSA page (Linux struct sev_es_save_area) as KVM
 * builds it for each vCPU, and the vCPU models whose CPUID(1).EAX signature
 * ends up in RDX (MEASUREMENT.md 2.6, 2.8). */
#ifndef CVM_X86_VMSA_H
#define CVM_X86_VMSA_H

#include <stddef.h>
#include <stdint.h>

#define VMSA_SIZE       4096
#define VMSA_BSP_EIP    0xfffffff0u

/* Which VMM set up the vCPUs: they differ in a few segment attributes,
 * RDX, G_PAT and the FPU defaults. */
enum sev_vmm {
	SEV_VMM_QEMU,
	SEV_VMM_EC2,
	SEV_VMM_GCE,
};

/* The FPU state KVM writes into the VMSA changed with KVM_SEV_INIT2
 * (host >= 6.10): MXCSR/FCW 0x1f80/0x37f instead of 0/0. */
enum vmsa_era {
	VMSA_ERA_LEGACY,
	VMSA_ERA_INIT2,
};

struct vmsa_params {
	enum sev_vmm vmm;
	enum vmsa_era era;
	uint32_t eip;           /* reset EIP: VMSA_BSP_EIP or the AP reset block */
	uint64_t sev_features;  /* 0 for SEV-ES */
	uint32_t vcpu_sig;      /* RDX under QEMU */
};

/* Fills PAGE (VMSA_SIZE bytes) with the reset state of one vCPU. */
void vmsa__build(uint8_t *page, const struct vmsa_params *v);
/* The Coconut-SVSM entry state: 32-bit flat protected mode at RIP. */
void vmsa__build_svsm(uint8_t *page, uint64_t rip, uint32_t vcpu_sig);

/* The era each VMM's VMSAs are measured with by sev-snp-measure 0.0.13. */
enum vmsa_era vmsa__default_era(enum sev_vmm vmm);
/* "QEMU", "ec2", "gce"; sev_vmm__parse takes them in any case (a superset
 * of sev-snp-measure, which takes only these spellings), -1 otherwise. */
const char *sev_vmm__name(enum sev_vmm vmm);
int sev_vmm__parse(const char *s, enum sev_vmm *out);
const char *vmsa__era_name(enum vmsa_era era);

struct vcpu_model {
	const char *name;
	unsigned family, model, stepping;
};

/* CPUID(1).EAX: extended family/model split as AMD documents it. */
uint32_t vcpu__sig(unsigned family, unsigned model, unsigned stepping);
/* The QEMU CPU model NAME, or NULL. */
const struct vcpu_model *vcpu__find(const char *name);
/* All known models, for --help; *n gets the count. */
const struct vcpu_model *vcpu__models(size_t *n);

#endif

/* The SEV-ES/SNP initial VMSA page (Linux struct sev_es_save_area) as KVM
 * builds it for each vCPU, and the vCPU models whose CPUID(1).EAX signature
 * ends up in RDX (MEASUREMENT.md 2.6, 2.8). */
#ifndef CVM_X86_VMSA_H
#define CVM_X86_VMSA_H

#include <stddef.h>
#include <stdint.h>

#define VMSA_SIZE       4096
#define VMSA_BSP_EIP    0xfffffff0u

/* Field offsets in struct sev_es_save_area: segments are {u16 selector,
 * u16 attrib, u32 limit, u64 base}; the x87/SSE area starts at X87_DP. */
enum vmsa_offset {
	VMSA_ES = 0x00, VMSA_CS = 0x10, VMSA_SS = 0x20, VMSA_DS = 0x30,
	VMSA_FS = 0x40, VMSA_GS = 0x50, VMSA_GDTR = 0x60, VMSA_LDTR = 0x70,
	VMSA_IDTR = 0x80, VMSA_TR = 0x90, VMSA_CPL = 0xcb,
	VMSA_EFER = 0xd0, VMSA_CR4 = 0x148, VMSA_CR3 = 0x150, VMSA_CR0 = 0x158,
	VMSA_DR7 = 0x160, VMSA_DR6 = 0x168, VMSA_RFLAGS = 0x170, VMSA_RIP = 0x178,
	VMSA_RSP = 0x1d8, VMSA_RAX = 0x1f8, VMSA_G_PAT = 0x268,
	VMSA_RCX = 0x308, VMSA_RDX = 0x310, VMSA_RBX = 0x318, VMSA_RBP = 0x328,
	VMSA_RSI = 0x330, VMSA_RDI = 0x338, VMSA_R8 = 0x340,     /* to R15 at 0x378 */
	VMSA_SEV_FEATURES = 0x3b0, VMSA_XCR0 = 0x3e8,
	VMSA_X87_DP = 0x400, VMSA_MXCSR = 0x408, VMSA_X87_FTW = 0x40c, VMSA_X87_FSW = 0x40e,
	VMSA_X87_FCW = 0x410, VMSA_X87_FOP = 0x412, VMSA_X87_RIP = 0x418,
	VMSA_FPREG_X87 = 0x420, VMSA_FPREG_XMM = 0x470,
};

#define VMSA_EFER_SVME  0x1000ull       /* KVM keeps SVME set */
#define VMSA_CR4_MCE    0x40ull         /* the host's CR4.MCE, which KVM adds */

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

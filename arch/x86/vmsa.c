#include <string.h>
#include <strings.h>

#include "arch/x86/vmsa.h"

#define PAT_DEFAULT     0x0007040600070406ull
#define PAT_GCE         0x0000000000070106ull
#define MXCSR_INIT      0x1f80u
#define FCW_INIT        0x37fu
#define RDX_CLOUD       0x600u          /* ec2 and gce report family 6 */

static void put(uint8_t *page, size_t off, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		page[off + i] = v >> (8 * i);
}

static void seg(uint8_t *page, size_t off, uint16_t sel, uint16_t attr, uint32_t limit,
		uint64_t base)
{
	put(page, off, sel, 2);
	put(page, off + 2, attr, 2);
	put(page, off + 4, limit, 4);
	put(page, off + 8, base, 8);
}

/* What every reset state shares: descriptor tables, control and debug
 * registers, PAT, XCR0. */
static void common(uint8_t *page, uint64_t cr0, uint64_t pat, uint16_t tr_attr)
{
	seg(page, VMSA_GDTR, 0, 0, 0xffff, 0);
	seg(page, VMSA_IDTR, 0, 0, 0xffff, 0);
	seg(page, VMSA_LDTR, 0, 0x82, 0xffff, 0);
	seg(page, VMSA_TR, 0, tr_attr, 0xffff, 0);
	put(page, VMSA_EFER, VMSA_EFER_SVME, 8);
	put(page, VMSA_CR4, VMSA_CR4_MCE, 8);
	put(page, VMSA_CR0, cr0, 8);
	put(page, VMSA_DR7, 0x400, 8);
	put(page, VMSA_DR6, 0xffff0ff0, 8);
	put(page, VMSA_RFLAGS, 0x2, 8);
	put(page, VMSA_G_PAT, pat, 8);
	put(page, VMSA_XCR0, 0x1, 8);
}

void vmsa__build(uint8_t *page, const struct vmsa_params *v)
{
	uint16_t cs_attr = 0x9b, ss_attr = 0x93, tr_attr = 0x8b;
	uint64_t rdx = v->vcpu_sig, pat = PAT_DEFAULT;

	switch (v->vmm) {
	case SEV_VMM_QEMU:
		break;
	case SEV_VMM_EC2:
		if (v->eip == VMSA_BSP_EIP)
			cs_attr = 0x9a;
		ss_attr = 0x92;
		tr_attr = 0x83;
		rdx = RDX_CLOUD;
		break;
	case SEV_VMM_GCE:
		pat = PAT_GCE;
		rdx = RDX_CLOUD;
		break;
	}

	memset(page, 0, VMSA_SIZE);
	seg(page, VMSA_ES, 0, 0x93, 0xffff, 0);
	seg(page, VMSA_CS, 0xf000, cs_attr, 0xffff, v->eip & 0xffff0000u);
	seg(page, VMSA_SS, 0, ss_attr, 0xffff, 0);
	seg(page, VMSA_DS, 0, 0x93, 0xffff, 0);
	seg(page, VMSA_FS, 0, 0x93, 0xffff, 0);
	seg(page, VMSA_GS, 0, 0x93, 0xffff, 0);
	common(page, 0x10, pat, tr_attr);
	put(page, VMSA_RIP, v->eip & 0xffff, 8);
	put(page, VMSA_RDX, rdx, 8);
	put(page, VMSA_SEV_FEATURES, v->sev_features, 8);
	if (v->era == VMSA_ERA_INIT2) {
		put(page, VMSA_MXCSR, MXCSR_INIT, 4);
		put(page, VMSA_X87_FCW, FCW_INIT, 2);
	}
}

void vmsa__build_svsm(uint8_t *page, uint64_t rip, uint32_t vcpu_sig)
{
	memset(page, 0, VMSA_SIZE);
	seg(page, VMSA_ES, 0x10, 0xc93, 0xffffffff, 0);
	seg(page, VMSA_CS, 0x08, 0xc9b, 0xffffffff, 0);
	seg(page, VMSA_SS, 0x10, 0xc93, 0xffffffff, 0);
	seg(page, VMSA_DS, 0x10, 0xc93, 0xffffffff, 0);
	seg(page, VMSA_FS, 0x10, 0xc93, 0xffffffff, 0);
	seg(page, VMSA_GS, 0, 0x93, 0xffff, 0);
	common(page, 0x11, PAT_DEFAULT, 0x8b);
	put(page, VMSA_RIP, rip, 8);
	put(page, VMSA_RDX, vcpu_sig, 8);
	put(page, VMSA_SEV_FEATURES, 0x1, 8);
	/* MXCSR is set but FCW stays 0: sev-snp-measure passes "fcw=" where
	 * the field is x87_fcw, and hardware-captured vectors agree. */
	put(page, VMSA_MXCSR, MXCSR_INIT, 4);
}

enum vmsa_era vmsa__default_era(enum sev_vmm vmm)
{
	return vmm == SEV_VMM_QEMU ? VMSA_ERA_INIT2 : VMSA_ERA_LEGACY;
}

static const char *const vmm_names[] = {
	[SEV_VMM_QEMU] = "QEMU", [SEV_VMM_EC2] = "ec2", [SEV_VMM_GCE] = "gce",
};

const char *sev_vmm__name(enum sev_vmm vmm)
{
	return vmm_names[vmm];
}

int sev_vmm__parse(const char *s, enum sev_vmm *out)
{
	for (size_t i = 0; i < sizeof(vmm_names) / sizeof(vmm_names[0]); i++) {
		if (!strcasecmp(s, vmm_names[i])) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

const char *vmsa__era_name(enum vmsa_era era)
{
	return era == VMSA_ERA_INIT2 ? "init2" : "legacy";
}

uint32_t vcpu__sig(unsigned family, unsigned model, unsigned stepping)
{
	uint32_t fam_lo = family > 0xf ? 0xf : family;
	uint32_t fam_hi = family > 0xf ? (family - 0xf) & 0xff : 0;

	return fam_hi << 20 | (model >> 4 & 0xf) << 16 | fam_lo << 8 | (model & 0xf) << 4 |
	       (stepping & 0xf);
}

/* The AMD models of QEMU's builtin_x86_defs, as sev-snp-measure lists them. */
static const struct vcpu_model models[] = {
	{ "EPYC", 23, 1, 2 },         { "EPYC-v1", 23, 1, 2 },
	{ "EPYC-v2", 23, 1, 2 },      { "EPYC-IBPB", 23, 1, 2 },
	{ "EPYC-v3", 23, 1, 2 },      { "EPYC-v4", 23, 1, 2 },
	{ "EPYC-Rome", 23, 49, 0 },   { "EPYC-Rome-v1", 23, 49, 0 },
	{ "EPYC-Rome-v2", 23, 49, 0 }, { "EPYC-Rome-v3", 23, 49, 0 },
	{ "EPYC-Milan", 25, 1, 1 },   { "EPYC-Milan-v1", 25, 1, 1 },
	{ "EPYC-Milan-v2", 25, 1, 1 }, { "EPYC-Genoa", 25, 17, 0 },
	{ "EPYC-Genoa-v1", 25, 17, 0 }, { "EPYC-Turin", 26, 0, 0 },
};

const struct vcpu_model *vcpu__find(const char *name)
{
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
		if (!strcmp(name, models[i].name))
			return &models[i];
	return NULL;
}

const struct vcpu_model *vcpu__models(size_t *n)
{
	*n = sizeof(models) / sizeof(models[0]);
	return models;
}

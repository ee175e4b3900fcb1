#include <stdio.h>
#include <string.h>

#include "loader/error.h"
#include "loader/ovmf.h"
#include "loader/sev-metadata.h"
#include "loader/sev.h"

#define PAGE      4096ull
#define FOUR_GIB  0x100000000ull

static uint32_t get_u32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

const char *sev_mode__name(enum sev_mode mode)
{
	static const char *const names[] = {
		[SEV_MODE_SEV] = "sev", [SEV_MODE_SEV_ES] = "seves",
		[SEV_MODE_SNP] = "snp", [SEV_MODE_SNP_SVSM] = "snp:svsm",
	};

	return names[mode];
}

/* A u32 footer-table entry, or -1 naming the entry when it is missing. */
static int table_u32(const struct ovmf *o, const struct guid *g, const char *name, uint32_t *out)
{
	size_t len;
	const uint8_t *d = ovmf__find(o, g, &len);

	if (!d)
		return err__set("%s: %s: no such entry in the footer table", o->path, name);
	if (len < 4)
		return err__set("%s: %s: entry has %zu bytes, need 4", o->path, name, len);
	*out = get_u32(d);
	return 0;
}

/* Adds an image that ends at END as NORMAL pages; returns its GPA. */
static int add_image(struct plan *p, const struct blob *b, uint64_t end, bool whole_pages,
		     const char *what, uint64_t *gpa)
{
	if (!b->size)
		return err__set("%s: %s image is empty", b->path, what);
	if (whole_pages && b->size % PAGE)
		return err__set("%s: size %zu is not a multiple of 4 KiB (SNP measures whole pages)",
				b->path, b->size);
	if (b->size > end)
		return err__set("%s: size %zu does not fit below %#llx", b->path, b->size,
				(unsigned long long)end);
	*gpa = end - b->size;
	return plan__add(p, PLAN_NORMAL, *gpa, b->size, b->data, what) ? 0 : -1;
}

/* The firmware below 4 GiB: NORMAL pages, and the plan's firmware window
 * (guest memory outside RAM that a VMM backs for it). */
static int add_firmware(struct plan *p, const struct sev_launch *cfg, bool whole_pages,
			uint64_t *gpa)
{
	if (add_image(p, &cfg->firmware, FOUR_GIB, whole_pages, "firmware", gpa) < 0)
		return -1;
	p->fw_gpa = *gpa;
	p->fw_size = FOUR_GIB - *gpa;
	return 0;
}

/* The SNP_KERNEL_HASHES section with a kernel: zeros with the padded table
 * at the in-page offset of SEV_HASH_TABLE_RV, measured as NORMAL. */
static int add_hashes_section(struct plan *p, const struct ovmf *o, const struct sev_section *s,
			      const struct sev_hashes *h)
{
	uint32_t rv;
	uint8_t *buf;

	if (table_u32(o, &ovmf_guid_sev_hash_table, "SEV_HASH_TABLE_RV", &rv) < 0)
		return -1;
	/* QEMU fills one page; sev-snp-measure refuses any other size too. */
	if (s->size != PAGE)
		return err__set("%s: SEV metadata SNP_KERNEL_HASHES size: %#x, a kernel's hashes need exactly one page",
				o->path, s->size);
	if ((rv & (PAGE - 1)) + SEV_HASHES_PADDED_LEN > s->size)
		return err__set("%s: SEV_HASH_TABLE_RV: offset %#llx leaves no room for the table in the %#x-byte SNP_KERNEL_HASHES section",
				o->path, (unsigned long long)(rv & (PAGE - 1)), s->size);
	buf = plan__alloc(p, s->size);
	if (!buf)
		return -1;
	sev_hashes__table(h, buf + (rv & (PAGE - 1)));
	return plan__add(p, PLAN_NORMAL, s->gpa, s->size, buf, "SNP_KERNEL_HASHES") ? 0 : -1;
}

static int add_section(struct plan *p, const struct sev_launch *cfg, const struct ovmf *o,
		       const struct sev_section *s)
{
	enum plan_kind kind = PLAN_ZERO;        /* SEC_MEM, SVSM_CAA, unused hashes */

	if (s->type == SEV_SECTION_KERNEL_HASHES && cfg->hashes)
		return add_hashes_section(p, o, s, cfg->hashes);
	if (!s->size)
		return 0;
	if (s->type == SEV_SECTION_SECRETS)
		kind = PLAN_SECRETS;
	else if (s->type == SEV_SECTION_CPUID)
		kind = PLAN_CPUID;
	else if (s->type == SEV_SECTION_SEC_MEM && cfg->vmm == SEV_VMM_GCE)
		kind = PLAN_UNMEASURED;         /* GCE copies rather than zero-validates it */
	return plan__add(p, kind, s->gpa, s->size, NULL, sev_section__name(s->type)) ? 0 : -1;
}

/* The metadata sections in table order; ec2 adds the CPUID page last. */
static int add_metadata(struct plan *p, const struct sev_launch *cfg, const struct ovmf *o,
			const struct sev_metadata *m)
{
	for (size_t i = 0; i < m->nsections; i++) {
		const struct sev_section *s = &m->sections[i];

		if (cfg->vmm == SEV_VMM_EC2 && s->type == SEV_SECTION_CPUID)
			continue;
		if (add_section(p, cfg, o, s) < 0)
			return -1;
	}
	for (size_t i = 0; cfg->vmm == SEV_VMM_EC2 && i < m->nsections; i++) {
		if (m->sections[i].type == SEV_SECTION_CPUID &&
		    add_section(p, cfg, o, &m->sections[i]) < 0)
			return -1;
	}
	return 0;
}

static int add_vmsa(struct plan *p, uint32_t vcpu, const uint8_t *page)
{
	struct plan_op *op;
	char what[16];

	snprintf(what, sizeof(what), "vmsa%u", vcpu);
	op = plan__add(p, PLAN_VMSA, 0, VMSA_SIZE, page, what);
	if (!op)
		return -1;
	op->vcpu = vcpu;
	return 0;
}

/* One VMSA per vCPU: the BSP starts at the reset vector, the APs at the
 * firmware's SEV-ES AP reset block. */
static int add_vmsas(struct plan *p, const struct sev_launch *cfg, const struct ovmf *o)
{
	struct vmsa_params v = {
		.vmm = cfg->vmm,
		.era = cfg->era,
		.eip = VMSA_BSP_EIP,
		.sev_features = cfg->mode == SEV_MODE_SNP ? cfg->guest_features : 0,
		.vcpu_sig = cfg->vcpu_sig,
	};
	uint8_t *bsp, *ap = NULL;
	uint32_t ap_eip;

	if (table_u32(o, &ovmf_guid_sev_es_reset, "SEV_ES_RESET_BLOCK", &ap_eip) < 0)
		return -1;
	bsp = plan__alloc(p, VMSA_SIZE);
	if (!bsp)
		return -1;
	vmsa__build(bsp, &v);
	if (cfg->vcpus > 1) {
		if (!ap_eip)
			return err__set("%s: SEV_ES_RESET_BLOCK: AP reset EIP is 0 with %u vCPUs",
					o->path, cfg->vcpus);
		ap = plan__alloc(p, VMSA_SIZE);
		if (!ap)
			return -1;
		v.eip = ap_eip;
		vmsa__build(ap, &v);
	}
	for (uint32_t i = 0; i < cfg->vcpus; i++)
		if (add_vmsa(p, i, i ? ap : bsp) < 0)
			return -1;
	return 0;
}

/* SEV and SEV-ES: the firmware, the bare padded hashes table at its GPA,
 * then (SEV-ES) the VMSAs. */
static int build_sev(struct plan *p, const struct sev_launch *cfg, const struct ovmf *o)
{
	uint64_t gpa;
	uint32_t rv = 0;
	uint8_t *table;

	if (add_firmware(p, cfg, false, &gpa) < 0)
		return -1;
	if (cfg->firmware_only)
		return 1;
	if (cfg->hashes) {
		if (ovmf__find(o, &ovmf_guid_sev_hash_table, NULL) &&
		    table_u32(o, &ovmf_guid_sev_hash_table, "SEV_HASH_TABLE_RV", &rv) < 0)
			return -1;
		if (!rv)
			return err__set("%s: Kernel specified but OVMF doesn't support kernel/initrd/cmdline measurement (no SEV_HASH_TABLE_RV)",
					o->path);
		table = plan__alloc(p, SEV_HASHES_PADDED_LEN);
		if (!table)
			return -1;
		sev_hashes__table(cfg->hashes, table);
		if (!plan__add(p, PLAN_NORMAL, rv, SEV_HASHES_PADDED_LEN, table, "sev-hashes"))
			return -1;
	}
	if (cfg->mode == SEV_MODE_SEV_ES && add_vmsas(p, cfg, o) < 0)
		return -1;
	return 1;
}

static int build_snp(struct plan *p, const struct sev_launch *cfg, const struct ovmf *o,
		     const struct sev_metadata *m)
{
	uint64_t gpa;

	if (cfg->hashes && !sev_metadata__has(m, SEV_SECTION_KERNEL_HASHES))
		return err__set("%s: Kernel specified but OVMF metadata doesn't include SNP_KERNEL_HASHES section",
				o->path);
	if (add_firmware(p, cfg, true, &gpa) < 0)
		return -1;
	if (cfg->firmware_only)
		return 1;
	if (add_metadata(p, cfg, o, m) < 0 || add_vmsas(p, cfg, o) < 0)
		return -1;
	return 1;
}

/* Coconut-SVSM under QEMU: OVMF at the top, the SVSM image ending where
 * the OVMF_VARS space begins, the SVSM's own metadata, and identical
 * VMSAs that enter the SVSM. */
static int build_svsm(struct plan *p, const struct sev_launch *cfg)
{
	struct sev_metadata m;
	struct ovmf svsm;
	uint64_t ovmf_gpa, svsm_gpa;
	uint32_t entry;
	uint8_t *page;

	if (cfg->vmm != SEV_VMM_QEMU)
		return err__set("--vmm-type %s: snp:svsm mode is only implemented for QEMU",
				sev_vmm__name(cfg->vmm));
	if (cfg->vars_size % PAGE)
		return err__set("--vars-size %llu: not a multiple of 4 KiB",
				(unsigned long long)cfg->vars_size);
	if (ovmf__parse(&svsm, cfg->svsm.path, cfg->svsm.data, cfg->svsm.size) < 0 ||
	    sev_metadata__parse(&m, &svsm) < 0 ||
	    table_u32(&svsm, &ovmf_guid_svsm_info, "SVSM_INFO", &entry) < 0)
		return -1;
	if (add_image(p, &cfg->firmware, FOUR_GIB, true, "firmware", &ovmf_gpa) < 0)
		return -1;
	if (cfg->vars_size > ovmf_gpa)
		return err__set("--vars-size %llu: larger than the space below the firmware",
				(unsigned long long)cfg->vars_size);
	if (add_image(p, &cfg->svsm, ovmf_gpa - cfg->vars_size, true, "svsm", &svsm_gpa) < 0)
		return -1;
	if (cfg->firmware_only)
		return 2;
	for (size_t i = 0; i < m.nsections; i++)
		if (add_section(p, cfg, &svsm, &m.sections[i]) < 0)
			return -1;
	page = plan__alloc(p, VMSA_SIZE);
	if (!page)
		return -1;
	vmsa__build_svsm(page, svsm_gpa + entry, cfg->vcpu_sig);
	for (uint32_t i = 0; i < cfg->vcpus; i++)
		if (add_vmsa(p, i, page) < 0)
			return -1;
	return 2;
}

int sev__build_plan(struct plan *p, const struct sev_launch *cfg)
{
	struct sev_metadata m;
	struct ovmf o;

	/* Every mode refuses a broken footer table or metadata, as
	 * sev-snp-measure does, even where it launches neither. */
	if (ovmf__parse(&o, cfg->firmware.path, cfg->firmware.data, cfg->firmware.size) < 0 ||
	    sev_metadata__parse(&m, &o) < 0)
		return -1;
	p->vcpus = cfg->vcpus;
	switch (cfg->mode) {
	case SEV_MODE_SEV:
	case SEV_MODE_SEV_ES:
		return build_sev(p, cfg, &o);
	case SEV_MODE_SNP:
		return build_snp(p, cfg, &o, &m);
	case SEV_MODE_SNP_SVSM:
		return build_svsm(p, cfg);
	}
	return err__set("SEV mode %d", (int)cfg->mode);
}

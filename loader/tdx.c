#include <stdio.h>
#include <string.h>

#include "arch/x86/memmap.h"
#include "arch/x86/td-hob.h"
#include "loader/error.h"
#include "loader/tdx.h"

/* 52 physical address bits: the most a TD's GPA width allows. */
#define TDX_MAX_MEM (1ull << 52)

/* td-shim sections that the VMM fills from inputs this launch does not have. */
static int check_supported(const struct tdvf *t, size_t i)
{
	const struct tdvf_section *s = &t->sections[i];

	switch (s->type) {
	case TDVF_PAYLOAD:
		if (s->raw_size)
			return 0;
		/* An empty Payload expects a payload image from the VMM. */
		/* fall through */
	case TDVF_PAYLOAD_PARAM:
	case TDVF_TD_INFO:
	case TDVF_TD_PARAMS:
		return err__set("%s: TDVF section %zu (%s): filled by the VMM for td-shim payloads, not supported",
				t->path, i, tdvf__type_name(s->type));
	}
	return 0;
}

/* The bytes a section starts with: the file's raw bytes, the TD HOB, or
 * nothing; zeros fill the rest of the op without being allocated. */
static uint64_t section_data(const struct tdx_layout *l, const struct tdvf_section *s,
			     const uint8_t **data)
{
	if (s->type == TDVF_TD_HOB) {
		*data = l->hob;
		return l->hob_len;
	}
	*data = s->raw_size ? l->firmware.data + s->data_offset : NULL;
	return s->raw_size;
}

static enum plan_kind section_kind(const struct tdvf_section *s)
{
	if (s->attributes & TDVF_ATTR_PAGE_AUG)
		return PLAN_TDX_AUG;
	return s->attributes & TDVF_ATTR_MR_EXTEND ? PLAN_TDX_EXTEND : PLAN_TDX_ADD;
}

/* The guest's RAM: the caller's map, or QEMU q35's for the memory size. */
static const struct x86_ram_range *ram_of(const struct tdx_launch *cfg,
					  struct x86_ram_range q35[2], size_t *nram)
{
	if (cfg->ram) {
		*nram = cfg->nram;
		return cfg->ram;
	}
	*nram = td_hob__q35_ram(cfg->mem_size, q35);
	return q35;
}

/* Sections that are RAM (all but the firmware volumes) lie in the guest's
 * RAM: checked before anything is allocated or hashed for them, so a
 * section claiming terabytes costs one line, not the work. */
static int check_in_ram(const struct tdvf *t, size_t i, const struct x86_ram_range *ram,
			size_t nram)
{
	const struct tdvf_section *s = &t->sections[i];
	uint64_t end = s->gpa + s->mem_size;

	if (s->type == TDVF_BFV || s->type == TDVF_CFV)
		return 0;
	for (size_t k = 0; k < nram; k++)
		if (s->gpa >= ram[k].start && end - ram[k].start <= ram[k].size)
			return 0;
	return err__set("%s: TDVF section %zu (%s) [%#llx, %#llx) is outside the guest's RAM (see --memory)",
			t->path, i, tdvf__type_name(s->type), (unsigned long long)s->gpa,
			(unsigned long long)end);
}

static int build_hob(struct plan *p, const struct x86_ram_range *ram, size_t nram,
		     struct tdx_layout *l)
{
	const struct tdvf_section *s = tdvf__find(&l->tdvf, TDVF_TD_HOB);
	uint8_t *buf;

	if (!s)
		return err__set("%s: TDVF metadata: no TD_HOB section", l->tdvf.path);
	l->below_4g = nram && ram[0].start == 0 ? ram[0].size : 0;
	/* The HOB's own bytes: the section's zeros are not allocated. */
	buf = plan__alloc(p, TD_HOB_MAX_SIZE);
	if (!buf)
		return -1;
	if (td_hob__build(&l->tdvf, ram, nram, buf,
			  s->mem_size < TD_HOB_MAX_SIZE ? s->mem_size : TD_HOB_MAX_SIZE,
			  &l->hob_len) < 0)
		return -1;
	l->hob = buf;
	l->hob_gpa = s->gpa;
	return 0;
}

/* The firmware window: where the image's volumes go, outside RAM. */
static void firmware_window(struct plan *p, const struct tdvf *t)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (size_t i = 0; i < t->nsections; i++) {
		const struct tdvf_section *s = &t->sections[i];

		if (s->type != TDVF_BFV && s->type != TDVF_CFV)
			continue;
		lo = s->gpa < lo ? s->gpa : lo;
		hi = s->gpa + s->mem_size > hi ? s->gpa + s->mem_size : hi;
	}
	if (hi) {
		p->fw_gpa = lo;
		p->fw_size = hi - lo;
	}
}

int tdx__build_plan(struct plan *p, const struct tdx_launch *cfg, struct tdx_layout *out)
{
	const struct x86_ram_range *ram;
	struct x86_ram_range q35[2];
	struct ovmf o;
	size_t i, nram;

	memset(out, 0, sizeof(*out));
	if (cfg->mem_size == 0 || cfg->mem_size & 0xfff || cfg->mem_size > TDX_MAX_MEM)
		return err__set("memory: %#llx bytes, need a non-zero multiple of 4 KiB up to 4 PiB",
				(unsigned long long)cfg->mem_size);
	if (plan__map_max(p, cfg->firmware, X86_4G, "a -bios image below 4 GiB", &out->firmware) < 0)
		return -1;
	if (ovmf__parse(&o, cfg->firmware, out->firmware.data, out->firmware.size) < 0 ||
	    tdvf__parse(&out->tdvf, &o, true) < 0)
		return -1;
	ram = ram_of(cfg, q35, &nram);
	for (i = 0; i < out->tdvf.nsections; i++)
		if (check_supported(&out->tdvf, i) < 0 || check_in_ram(&out->tdvf, i, ram, nram) < 0)
			return -1;
	if (build_hob(p, ram, nram, out) < 0)
		return -1;

	for (i = 0; i < out->tdvf.nsections; i++) {
		const struct tdvf_section *s = &out->tdvf.sections[i];
		const uint8_t *data;
		uint64_t len = section_data(out, s, &data);
		char what[32];

		snprintf(what, sizeof(what), "TDVF[%zu] %s", i, tdvf__type_name(s->type));
		if (!plan__add_part(p, section_kind(s), s->gpa, s->mem_size, data, len, what))
			return -1;
	}
	firmware_window(p, &out->tdvf);
	p->mem_size = cfg->mem_size;
	p->entry.mode = PLAN_ENTRY_NONE;
	p->entry.arg = out->hob_gpa;
	return plan__validate(p);
}

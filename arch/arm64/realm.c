#include <stdio.h>

#include "arch/arm64/memmap.h"
#include "arch/arm64/realm.h"
#include "loader/error.h"

#define GRANULE 0x1000ull

/* Each image becomes measured DATA granules; the boot plan has placed them
 * on 4 KiB boundaries (text_offset is a 4 KiB multiple, the DTB and initrd
 * sit at 2 MiB ones). */
static int measure_images(struct plan *p)
{
	for (size_t i = 0; i < p->nops; i++) {
		struct plan_op *op = &p->ops[i];

		if (op->kind != PLAN_LOAD || op->gpa % GRANULE)
			return err__set("%s: [%#llx, +%#llx) cannot be populated: a realm takes "
					"whole 4 KiB granules", op->what,
					(unsigned long long)op->gpa, (unsigned long long)op->len);
		op->kind = PLAN_REALM_DATA;
	}
	return 0;
}

/* One REC per vCPU; only vCPU 0 starts (PSCI CPU_ON starts the others). */
static int add_recs(struct plan *p)
{
	for (uint32_t i = 0; i < p->vcpus; i++) {
		struct plan_realm_rec *rec = plan__alloc(p, sizeof(*rec));
		struct plan_op *op = rec ? plan__add(p, PLAN_REALM_REC, 0, 0, NULL, "") : NULL;

		if (!op)
			return -1;
		if (i == 0) {
			rec->flags = PLAN_REC_RUNNABLE;
			rec->pc = p->entry.pc;
			rec->gprs[0] = p->entry.arg;
		}
		op->rec = rec;
		op->vcpu = i;
		snprintf(op->what, sizeof(op->what), "rec%u", i);
	}
	return 0;
}

int arm64__build_realm_plan(struct plan *p, const struct arm64_boot_cfg *cfg,
			    const struct realm_opts *o)
{
	struct plan_realm *r;

	if (o->rmm == PLAN_RMM_1_0)
		return err__set("--rmm 1.0: cvm-run's realm launch (the v14 KVM ABI) is RMM "
				"2.0's; RMM 1.0 would also measure the RIPAS initialisation KVM "
				"issues, which is not modelled");
	if (arm64__build_boot_plan(p, cfg) < 0)
		return -1;
	r = plan__alloc(p, sizeof(*r));
	if (!r || realm_opts__params(o, ARM64_RAM_BASE + cfg->mem_size, r) < 0)
		return -1;
	r->rmm = PLAN_RMM_2_0;
	p->realm = r;
	return measure_images(p) < 0 || add_recs(p) < 0 ? -1 : plan__validate(p);
}

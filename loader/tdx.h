/* The Intel TDX launch of a TDVF firmware as launch-plan ops: per TDVF
 * section, in metadata order, one PLAN_TDX_EXTEND (MR_EXTEND), PLAN_TDX_ADD
 * or PLAN_TDX_AUG (PAGE_AUG) op.  A TDX KVM backend issues each op as one
 * KVM_TDX_INIT_MEM_REGION (MEASURE flag for EXTEND ops, AUG ops skipped);
 * measure/mrtd.c replays the same ops into MRTD. */
#ifndef CVM_TDX_H
#define CVM_TDX_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86/memmap.h"
#include "loader/blob.h"
#include "loader/plan.h"
#include "loader/tdvf.h"

struct tdx_launch {
	const char *firmware;   /* TDVF image, mapped so it ends at 4 GiB (-bios) */
	uint64_t mem_size;      /* guest RAM, decides the TD HOB */
	/* Where that RAM is: NULL for QEMU q35's layout of mem_size (what
	 * cvm-measure predicts); cvm-run passes its own memory map. */
	const struct x86_ram_range *ram;
	size_t nram;
};

/* What the launch put where: what TDVF itself measures into RTMR0 comes
 * from here.  Everything points into memory the plan owns. */
struct tdx_layout {
	struct blob firmware;
	struct tdvf tdvf;
	const uint8_t *hob;     /* the TD HOB as written into the TD_HOB section */
	size_t hob_len;         /* END entry included */
	uint64_t hob_gpa;       /* also p->entry.arg: KVM_TDX_INIT_VCPU's RCX */
	uint64_t below_4g;      /* RAM below 4 GiB: QEMU's bzImage header patch */
};

/* Appends the ops to P and sets p->mem_size, p->entry.arg and the firmware
 * window p->fw_gpa/fw_size (the span of the BFV and CFV sections).  -1 with
 * err__set() on unreadable or malformed firmware, memory that cannot hold
 * the TD_HOB/TempMem sections, or td-shim sections this VMM cannot fill
 * (PayloadParam, TD_INFO, TD_PARAMS, a Payload without bytes). */
int tdx__build_plan(struct plan *p, const struct tdx_launch *cfg, struct tdx_layout *out);

#endif

/* An Arm CCA realm's launch plan, for cvm-run --tee realm and cvm-measure
 * --mode cca alike: the plain arm64 boot plan (arch/arm64/boot.c: kernel,
 * initrd, device tree) with every image populated measured, then one REC
 * per vCPU in vCPU order, as the v14 KVM ABI issues the RMI calls:
 *
 *   REALM_CREATE (first populate) -> DATA_CREATE, MEASURE, per 4 KiB of
 *   each image in plan order -> REC_CREATE of each vCPU at the first
 *   KVM_RUN, vCPU 0 runnable at the Image's entry with x0 = the DTB, the
 *   others not (unmeasured) -> RIPAS RAM over all RAM (RMM 2.0: unmeasured)
 *
 * So the RIM is RMM 2.0's; an RMM 1.0 host would measure the RIPAS
 * initialisation KVM issues at activation, which nothing here models. */
#ifndef CVM_ARM64_REALM_H
#define CVM_ARM64_REALM_H

#include "arch/arm64/boot.h"
#include "loader/plan.h"
#include "loader/realm-opts.h"

/* Fills P as arm64__build_boot_plan() does, then turns it into the realm's
 * launch with the parameters O gives for that RAM.  -1 with err__set()
 * naming the file or option; P then holds a partial plan to plan__exit(). */
int arm64__build_realm_plan(struct plan *p, const struct arm64_boot_cfg *cfg,
			    const struct realm_opts *o);

#endif

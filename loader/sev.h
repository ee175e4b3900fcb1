/* The SEV / SEV-ES / SEV-SNP launch as QEMU+KVM+OVMF perform it, written as
 * launch-plan ops (MEASUREMENT.md 2.4-2.8).  Everything that decides what is
 * launched, where, and as which page type lives here; measure/ only replays
 * the ops and a KVM backend only executes them. */
#ifndef CVM_SEV_H
#define CVM_SEV_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/vmsa.h"
#include "loader/blob.h"
#include "loader/plan.h"
#include "loader/sev-hashes.h"

enum sev_mode {
	SEV_MODE_SEV,           /* LAUNCH_UPDATE_DATA only */
	SEV_MODE_SEV_ES,        /* + one LAUNCH_UPDATE_VMSA per vCPU */
	SEV_MODE_SNP,           /* SNP_LAUNCH_UPDATE pages + VMSAs */
	SEV_MODE_SNP_SVSM,      /* SNP with Coconut-SVSM below the firmware */
};

struct sev_launch {
	enum sev_mode mode;
	struct blob firmware;           /* OVMF, mapped for the plan's life */
	const struct sev_hashes *hashes; /* NULL: no direct kernel boot */
	uint32_t vcpus;
	uint32_t vcpu_sig;              /* CPUID(1).EAX of the vCPU model */
	enum sev_vmm vmm;
	enum vmsa_era era;
	uint64_t guest_features;        /* SNP: the VMSA SEV_FEATURES */
	struct blob svsm;               /* SNP_SVSM: the SVSM image */
	uint64_t vars_size;             /* SNP_SVSM: OVMF_VARS between SVSM and OVMF */
	bool firmware_only;             /* stop after the firmware images */
};

/* Appends the launch to P: the firmware image(s) first (the plan's
 * firmware window: 4 GiB less the image size, up to 4 GiB), then (SNP) the
 * metadata sections in table order, the hashes table, and one VMSA op per
 * vCPU (op.vcpu; op.data is the 4 KiB page, no guest address).  The VMSA
 * ops come last, vCPU 0 first, so the plan for N vCPUs is a prefix of the
 * plan for more: cvm-measure's vCPU matrix reads every count from one replay.  Returns the
 * number of leading ops that load firmware images (the span snp:ovmf-hash
 * measures), or -1 with one line naming the file and field. */
int sev__build_plan(struct plan *p, const struct sev_launch *cfg);

const char *sev_mode__name(enum sev_mode mode);

#endif

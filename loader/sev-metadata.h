/* The OVMF SEV metadata ("ASEV"): the guest memory ranges an SNP launch
 * must prepare besides the firmware image (MEASUREMENT.md 2.2). */
#ifndef CVM_SEV_METADATA_H
#define CVM_SEV_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "loader/ovmf.h"

enum sev_section_type {
	SEV_SECTION_SEC_MEM       = 1,
	SEV_SECTION_SECRETS       = 2,
	SEV_SECTION_CPUID         = 3,
	SEV_SECTION_SVSM_CAA      = 4,
	SEV_SECTION_KERNEL_HASHES = 0x10,
};

struct sev_section {
	uint32_t gpa, size;
	enum sev_section_type type;
};

#define SEV_MAX_SECTIONS 64

struct sev_metadata {
	struct sev_section sections[SEV_MAX_SECTIONS];  /* in table order */
	size_t nsections;       /* 0 when the image has no ASEV entry */
};

/* Reads and validates the ASEV table the footer table O points to: 4 KiB
 * multiples, below 4 GiB, no two sections overlapping, known types; SECRETS
 * and CPUID are exactly one page.  -1 with one line naming O->path, the
 * section index and the field. */
int sev_metadata__parse(struct sev_metadata *m, const struct ovmf *o);
/* Whether a section of TYPE exists. */
int sev_metadata__has(const struct sev_metadata *m, enum sev_section_type type);
/* "SNP_SEC_MEM", ...; NULL for a type this table does not define. */
const char *sev_section__name(enum sev_section_type type);

#endif

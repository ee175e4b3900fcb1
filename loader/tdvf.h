/* TDVF metadata: the section list an Intel TDX firmware image (edk2 IntelTdx,
 * OvmfPkgX64, td-shim) gives the VMM, found through the OVMF footer table
 * (MEASUREMENT.md 3.1, KVM-UAPI.md 3.8). */
#ifndef CVM_TDVF_H
#define CVM_TDVF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "loader/ovmf.h"

enum tdvf_type {
	TDVF_BFV,               /* boot firmware volume: code, added and measured */
	TDVF_CFV,               /* configuration FV: the UEFI variable store */
	TDVF_TD_HOB,            /* the VMM writes the TD HOB here */
	TDVF_TEMP_MEM,          /* zeroed scratch RAM, accepted at build time */
	TDVF_PERM_MEM,          /* td-shim: RAM the guest keeps */
	TDVF_PAYLOAD,           /* td-shim: the payload image */
	TDVF_PAYLOAD_PARAM,     /* td-shim: the payload's parameters */
	TDVF_TD_INFO,           /* td-shim */
	TDVF_TD_PARAMS,         /* td-shim */
	TDVF_TYPE_COUNT,
};

#define TDVF_ATTR_MR_EXTEND  (1u << 0)   /* contents go into MRTD */
#define TDVF_ATTR_PAGE_AUG   (1u << 1)   /* accepted later by the guest, not added */

struct tdvf_section {
	uint32_t data_offset;   /* file offset of the raw bytes */
	uint32_t raw_size;      /* bytes taken from the file; the rest is zero */
	uint64_t gpa;
	uint64_t mem_size;      /* bytes in guest memory, whole pages */
	uint32_t type;          /* enum tdvf_type */
	uint32_t attributes;    /* TDVF_ATTR_* */
};

#define TDVF_MAX_SECTIONS 64

struct tdvf {
	const char *path;
	const uint8_t *image;   /* the firmware file the sections point into */
	size_t image_size;
	struct tdvf_section sections[TDVF_MAX_SECTIONS];
	size_t nsections;       /* 0 when the image has no TDVF metadata */
};

/* Reads and validates the TDVF descriptor of the image behind O.  An image
 * without one is an error only if REQUIRED (else nsections = 0).  Anything
 * malformed: -1 with "PATH: TDVF section N field: what is wrong". */
int tdvf__parse(struct tdvf *t, const struct ovmf *o, bool required);

/* The first section of TYPE, or NULL. */
const struct tdvf_section *tdvf__find(const struct tdvf *t, enum tdvf_type type);
/* "BFV", "CFV", "TD_HOB", "TempMem", ... or "?" */
const char *tdvf__type_name(uint32_t type);

/* For firmware-info: one line per section, or (JSON) an array of objects
 * {index, type, data_offset, raw_size, gpa, mem_size, attributes[]};
 * "[]" when the image has no TDVF metadata. */
void tdvf__print(FILE *f, const struct tdvf *t, bool json);

#endif

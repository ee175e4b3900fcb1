/* The RTMR event log of a TDVF (OVMF IntelTdx) direct kernel boot, up to
 * ExitBootServices, as MEASUREMENT.md 3.3 lists it for QEMU q35 (-bios OVMF
 * -kernel -initrd -append): what TDVF measures (TD HOB, CFV, Secure Boot
 * variables, ACPI fw_cfg blobs, the kernel, boot variables, actions) and what
 * the Linux EFI stub adds (LoadOptions, initrd).  Everything TDVF reads
 * through fw_cfg is taken from the plan's fw_cfg items, so the log is that
 * of whichever VMM serves them: QEMU's (cvm-measure's default) or cvm-run's. */
#ifndef CVM_TDVF_EVENTS_H
#define CVM_TDVF_EVENTS_H

#include <stdint.h>

#include "loader/blob.h"
#include "loader/tdx.h"
#include "measure/jobs.h"
#include "measure/rtmr.h"

/* Where the ReadyToBoot separator goes (edk2 commit efaf8931). */
enum tdvf_separator {
	TDVF_SEPARATOR_POST_202411,     /* edk2-stable202411 and later: RTMR1 */
	TDVF_SEPARATOR_PRE_202411,      /* older edk2: RTMR0 */
};

/* "post-202411" or "pre-202411", as --tdx-separator names them. */
const char *tdvf_separator__name(enum tdvf_separator s);
/* --tdx-separator's value; -1 + err__set() naming it otherwise. */
int tdvf_separator__parse(const char *val, enum tdvf_separator *out);

/* The fw_cfg files TDVF measures into RTMR0, in the order it reads them. */
#define TDVF_FILE_LOADER "etc/table-loader"
#define TDVF_FILE_RSDP   "etc/acpi/rsdp"
#define TDVF_FILE_TABLES "etc/acpi/tables"

struct tdvf_boot {
	/* Firmware, its sections, the TD HOB, and the files of the direct
	 * boot (their headers are read from the mappings, the bulk read()
	 * again from their paths: see authenticode.h). */
	const struct tdx_layout *layout;
	/* The launch plan: its fw_cfg items are what the VMM serves and TDVF
	 * measures, the TDVF_FILE_* files and the kernel (setup and kernel
	 * items: the image OVMF loads), initrd and command line among them
	 * (loader/tdx-boot.h adds those). */
	const struct plan *plan;
	enum tdvf_separator separator;
};

/* The large digests of the log, computed as jobs (measure/jobs.h) so a
 * caller can run them beside its own (MRTD). */
struct tdvf_digests {
	const struct tdvf_boot *boot;
	uint8_t kernel[RTMR_SIZE];      /* Authenticode of the served kernel */
	uint8_t initrd[RTMR_SIZE];
	uint8_t cfv[RTMR_SIZE];
};

#define TDVF_JOBS 3

/* Fills up to TDVF_JOBS jobs writing into D (*N of them).  -1 with
 * err__set() when the firmware has no CFV section, the plan lacks one of the
 * TDVF_FILE_* files, or it serves a kernel or initrd other than the
 * layout's files (checked before any job runs). */
int tdvf_events__jobs(const struct tdvf_boot *b, struct tdvf_digests *d, struct job *jobs,
		      size_t *n);
/* The kernel's job alone, into D, for another memory size of a boot whose
 * other digests are known (the Authenticode digest of QEMU's patched kernel
 * depends on the RAM below 4 GiB, through QEMU's patch of the served
 * setup).  -1 with err__set() when the plan serves no kernel, or one that is
 * not the layout's file under its served setup. */
int tdvf_events__kernel_job(const struct tdvf_boot *b, struct tdvf_digests *d, struct job *job);
/* Once the jobs ran: LOG in log order.  -1 with err__set() on a malformed
 * variable store, or when the plan lacks a TDVF_FILE_* file or the command
 * line. */
int tdvf_events__log(const struct tdvf_digests *d, struct rtmr_log *log);
/* Both, with nothing else to run beside the jobs. */
int tdvf_events__build(const struct tdvf_boot *b, struct rtmr_log *log);

#endif

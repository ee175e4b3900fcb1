/* The RTMR event log of a TDVF (OVMF IntelTdx) direct kernel boot under QEMU
 * q35 (-bios OVMF -kernel -initrd -append), up to ExitBootServices, as
 * MEASUREMENT.md 3.3 lists it: what TDVF measures (TD HOB, CFV, Secure Boot
 * variables, ACPI fw_cfg blobs, the kernel, boot variables, actions) and what
 * the Linux EFI stub adds (LoadOptions, initrd). */
#ifndef CVM_TDVF_EVENTS_H
#define CVM_TDVF_EVENTS_H

#include <stdint.h>

#include "loader/blob.h"
#include "loader/tdx.h"
#include "measure/jobs.h"
#include "measure/qemu-setup.h"
#include "measure/rtmr.h"

/* Where the ReadyToBoot separator goes (edk2 commit efaf8931). */
enum tdvf_separator {
	TDVF_SEPARATOR_POST_202411,     /* edk2-stable202411 and later: RTMR1 */
	TDVF_SEPARATOR_PRE_202411,      /* older edk2: RTMR0 */
};

/* The fw_cfg files TDVF measures into RTMR0, in the order it reads them. */
#define TDVF_FILE_LOADER "etc/table-loader"
#define TDVF_FILE_RSDP   "etc/acpi/rsdp"
#define TDVF_FILE_TABLES "etc/acpi/tables"

struct tdvf_boot {
	/* Firmware, its sections, the TD HOB and the RAM below 4 GiB (QEMU's
	 * setup-header patch depends on it). */
	const struct tdx_layout *layout;
	/* The launch plan: its files are what the VMM serves through fw_cfg,
	 * the TDVF_FILE_* ones among them. */
	const struct plan *plan;
	/* The kernel's headers are read from the mapping; the bulk of both
	 * files is hashed from their paths a window at a time (filemap.h). */
	const struct blob *kernel;              /* a PE/COFF (EFI stub) bzImage */
	const struct blob *initrd;              /* NULL: no -initrd */
	const char *cmdline;                    /* NULL or "": no -append */
	enum tdvf_separator separator;
};

/* The large digests of the log, computed as jobs (measure/jobs.h) so a
 * caller can run them beside its own (MRTD). */
struct tdvf_digests {
	const struct tdvf_boot *boot;
	uint8_t head[QEMU_SETUP_HEAD];  /* the kernel's start as QEMU patched it */
	const struct fw_cfg_item *loader, *rsdp, *tables;
	uint8_t kernel[RTMR_SIZE];      /* Authenticode of QEMU's patched kernel */
	uint8_t initrd[RTMR_SIZE];
	uint8_t cfv[RTMR_SIZE];
};

#define TDVF_JOBS 3

/* Fills up to TDVF_JOBS jobs writing into D (*N of them).  -1 with
 * err__set() when the firmware has no CFV section, the plan lacks one of the
 * TDVF_FILE_* files, or QEMU would refuse the kernel or the initrd's size
 * (checked before any job runs). */
int tdvf_events__jobs(const struct tdvf_boot *b, struct tdvf_digests *d, struct job *jobs,
		      size_t *n);
/* The kernel's job alone, into D, for another memory size of a boot whose
 * other digests are known (the Authenticode digest of QEMU's patched kernel
 * depends on the RAM below 4 GiB).  QEMU's patch is applied now: -1 with
 * err__set() when QEMU would refuse the kernel or the initrd's size. */
int tdvf_events__kernel_job(const struct tdvf_boot *b, struct tdvf_digests *d, struct job *job);
/* Once the jobs ran: LOG in log order.  -1 with err__set() on a malformed
 * variable store. */
int tdvf_events__log(const struct tdvf_digests *d, struct rtmr_log *log);
/* Both, with nothing else to run beside the jobs. */
int tdvf_events__build(const struct tdvf_boot *b, struct rtmr_log *log);

#endif

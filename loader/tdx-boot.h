/* What a TD's TDVF reads through fw_cfg, added to a TDX launch plan
 * (loader/tdx.h).  A direct boot's kernel, initrd and command line are
 * served the way QEMU serves them to a TD: the bzImage split into setup and
 * kernel with QEMU's setup-header patch for the TD's RAM below 4 GiB
 * (loader/qemu-setup.h), the initrd, the command line.  cvm-run's own TD
 * also gets the machine items and ACPI tables of a plain firmware boot
 * (arch/x86/firmware.h).  measure/ hashes these very items into the RTMRs
 * (measure/tdvf-events.h), for cvm-run --dry-run and cvm-measure alike. */
#ifndef CVM_TDX_BOOT_H
#define CVM_TDX_BOOT_H

#include <stdint.h>

#include "arch/x86/boot.h"
#include "loader/plan.h"
#include "loader/tdx.h"

/* Maps KERNEL (a bzImage) and INITRD (NULL: none) into P, records them in
 * L (whose below_4g decides the patch) and adds the kernel, setup, initrd
 * and command-line items (CMDLINE NULL = "").  -1 + err__set() naming the
 * file and field when the kernel is no bzImage or QEMU would refuse it. */
int tdx_boot__serve(struct plan *p, struct tdx_layout *l, const char *kernel,
		    const char *initrd, const char *cmdline);

/* cvm-run's own TD: the TDVF launch of FIRMWARE over cvm-run's memory map
 * for boot->mem_size (its TD HOB), then the machine items and ACPI tables
 * for boot->mem_size and boot->vcpus, then boot's kernel, initrd and command
 * line as tdx_boot__serve adds them.  -1 + err__set() as tdx__build_plan,
 * x86__firmware_machine and tdx_boot__serve, or when the firmware volumes do
 * not fit the window cvm-run maps below 4 GiB. */
int tdx_boot__cvm_plan(struct plan *p, const char *firmware, const struct x86_boot_cfg *boot,
		       struct tdx_layout *l);

#endif

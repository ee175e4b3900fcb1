/* A firmware boot of an x86 VM: the OVMF/TDVF image ends at 4 GiB, as a
 * PC's flash does, and the BSP starts at its reset vector (0xfffffff0)
 * in the vCPU's power-on state.  On a plain VM the firmware finds the rest
 * through fw_cfg, as under QEMU's pc machine: the machine's items, the ACPI
 * tables with their table-loader script, and the kernel, initrd and command
 * line of -k/-i/-p the way QEMU's -kernel/-initrd/-append serve them. */
#ifndef CVM_X86_FIRMWARE_H
#define CVM_X86_FIRMWARE_H

#include <stdint.h>

#include "arch/x86/boot.h"
#include "loader/plan.h"

/* A plain VM's firmware boot: the image at PATH as a PLAN_LOAD op at
 * 4 GiB - its size (the plan's firmware window and entry), and what it is
 * served (x86__firmware_fw_cfg, for CFG).  -1 + err__set() naming the file
 * when its size is not whole pages between 64 KiB and X86_FW_MAX, or as
 * x86__firmware_fw_cfg says. */
int x86__firmware_plan(struct plan *p, const char *path, const struct x86_boot_cfg *cfg);

/* Adds the machine items for CFG's RAM and vCPUs and the ACPI tables to
 * p->fw_cfg: what every firmware boot is served besides the kernel.  -1 +
 * err__set() naming the option when CFG has an initrd or command line but
 * no kernel. */
int x86__firmware_machine(struct plan *p, const struct x86_boot_cfg *cfg);

/* Adds what a plain VM's (or an SEV guest's) firmware is served to
 * p->fw_cfg: x86__firmware_machine's items and, with cfg->kernel (a
 * bzImage), the kernel with its own setup header, the initrd and the command
 * line.  -1 + err__set() naming the file or option as above, or a kernel
 * that is no bzImage. */
int x86__firmware_fw_cfg(struct plan *p, const struct x86_boot_cfg *cfg);

#endif

/* A firmware boot of an x86 VM: the OVMF/TDVF image ends at 4 GiB, as a
 * PC's flash does, and the BSP starts at its reset vector (0xfffffff0)
 * in the vCPU's power-on state. */
#ifndef CVM_X86_FIRMWARE_H
#define CVM_X86_FIRMWARE_H

#include <stdint.h>

#include "loader/plan.h"

/* Adds the image at PATH as a PLAN_LOAD op at 4 GiB - its size and sets
 * the plan's firmware window and entry; -1 + err__set() naming the file
 * when its size is not whole pages between 64 KiB and X86_FW_MAX. */
int x86__firmware_plan(struct plan *p, const char *path, uint64_t mem_size, uint32_t vcpus);

#endif

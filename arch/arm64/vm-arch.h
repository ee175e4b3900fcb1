/* What an arm64 VM keeps besides the generic state. */
#ifndef CVM_ARM64_VM_ARCH_H
#define CVM_ARM64_VM_ARCH_H

#include <stdbool.h>

#include "vmm/pl011.h"

struct vm_arch {
	int gic_fd;                     /* the vGICv3 device, when gic is true */
	bool gic;
	struct pl011 uart;
	bool uart_ready;
};

struct arm64_boot_cfg;
struct vm;

/* The boot inputs of VM's options, refusing the ones arm64 has no use for
 * (arch/arm64/kvm.c): what the plain and the realm plans start from. */
int arm64__boot_cfg(const struct vm *vm, struct arm64_boot_cfg *out);

/* The MMIO devices (arch/arm64/ioport.c): registered in vm->io. */
int arm64__io_init(struct vm *vm);
void arm64__io_exit(struct vm *vm);
/* Initializes the vGICv3 once every vCPU exists (arch/arm64/kvm.c). */
int arm64__gic_init(struct vm *vm);

#endif

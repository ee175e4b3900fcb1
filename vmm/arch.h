/* The few hooks generic VMM code calls; each architecture directory
 * implements them in its kvm.c / kvm-cpu.c (kvmtool's layout). */
#ifndef CVM_ARCH_H
#define CVM_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/memory.h"

struct kvm;
struct plan;
struct vcpu;
struct vm;

/* Guest RAM ranges for MEM bytes; returns how many (<= GUEST_MAX_SLOTS). */
size_t arch__ram_ranges(uint64_t mem, struct guest_range *out);
/* Before KVM is touched: checks arch options and builds the plain VM's boot
 * plan from the user's kernel, initrd and cmdline (--dry-run stops here). */
int arch__prepare(struct vm *vm);
/* VM-wide set-up after memory: interrupt controllers, timers. */
int arch__vm_init(struct vm *vm);
void arch__vm_exit(struct vm *vm);
/* Per-vCPU set-up: CPUID, MSRs, and for the BSP the entry registers. */
int arch__vcpu_init(struct vcpu *v);
/* One line describing where the vCPU stopped (RIP and instruction bytes). */
void arch__vcpu_where(struct vcpu *v, char *buf, size_t len);
/* Port I/O from the guest; every port not claimed reads as all-ones. */
void arch__io(struct vm *vm, uint16_t port, int is_write, uint8_t *data, int size);

#endif

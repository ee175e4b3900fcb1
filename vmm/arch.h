/* The hooks generic VMM code calls; each architecture directory implements
 * them in its kvm.c, kvm-cpu.c and ioport.c (kvmtool's layout).  Generic
 * code never names an architecture: its own state comes through
 * "vm-arch.h", found on the include path of the ARCH being built. */
#ifndef CVM_ARCH_H
#define CVM_ARCH_H

#include <stdbool.h>
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
/* The plain VM's KVM_CREATE_VM type, and whether this host can create it
 * (-1 with the reason, status 3). */
unsigned long arch__vm_type(const struct vm *vm);
int arch__check_vm_type(const struct kvm *k, unsigned long type);
/* cvm-run check: this architecture's own lines (VM types, exits). */
void arch__check_report(const struct kvm *k);
/* VM-wide set-up before guest memory: interrupt controllers, timers, and
 * the devices, which register their ranges in vm->io. */
int arch__vm_init(struct vm *vm);
void arch__vm_exit(struct vm *vm);
/* Once the host has proven it can run the VM, just before it starts: opens
 * the files this architecture writes (x86's --firmware-log), so that a
 * failed start destroys none. */
int arch__vm_ready(struct vm *vm);
/* Per-vCPU set-up: CPUID, MSRs, and for the BSP the entry registers. */
int arch__vcpu_init(struct vcpu *v);
/* One line describing where the vCPU stopped (RIP and instruction bytes). */
void arch__vcpu_where(struct vcpu *v, char *buf, size_t len);
/* Drives interrupt line IRQ of the VM's interrupt controller. */
void arch__irq_line(struct vm *vm, unsigned irq, int level);
/* Exits only this architecture produces (hypercalls ...): true if handled,
 * with *more false when the vCPU should stop. */
bool arch__handle_exit(struct vcpu *v, bool *more);

#endif

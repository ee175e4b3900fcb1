/* An Intel MultiProcessor Specification 1.4 table, so a guest without ACPI
 * finds every vCPU, the ISA bus and the IOAPIC. */
#ifndef CVM_X86_MPTABLE_H
#define CVM_X86_MPTABLE_H

#include <stdint.h>

#include "arch/x86/memmap.h"
#include "loader/plan.h"

/* Floating pointer + header + processors + bus + IOAPIC + 15 ISA interrupt
 * sources + 2 local interrupts must fit the reserved [MPTABLE, EBDA_END). */
#define X86_MPTABLE_FIXED_SIZE (16 + 44 + 8 + 8 + 15 * 8 + 2 * 8)
#define X86_MPTABLE_CPU_SIZE   20
#define X86_MPTABLE_MAX_CPUS \
	((X86_EBDA_END - X86_MPTABLE_ADDR - X86_MPTABLE_FIXED_SIZE) / X86_MPTABLE_CPU_SIZE)

/* Adds the table for VCPUS processors (APIC ids 0..vcpus-1, IOAPIC id
 * vcpus) as a PLAN_LOAD op at X86_MPTABLE_ADDR; -1 + err__set() when VCPUS
 * is 0 or above X86_MPTABLE_MAX_CPUS. */
int x86__mptable_add(struct plan *p, uint32_t vcpus);

#endif

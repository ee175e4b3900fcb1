/* The x86 VM's ACPI tables, generated from its shape (vCPUs, devices):
 * FACS, DSDT (COM1, fw_cfg, a processor device per vCPU, the _S5 sleep
 * state), FADT (the PIIX4 PM block at X86_PORT_ACPI_PM, SCI 9, the reset
 * register 0xcf9), MADT (a local APIC per vCPU, the IOAPIC with the MP
 * table's id, IRQ0 -> GSI 2 and the SCI as level/high overrides, LINT1 NMI),
 * XSDT and a revision-2 RSDP.  That is what a stock Linux needs to start
 * every vCPU, find COM1, use the PM timer and power off.
 *
 * One builder, two outputs (loader/acpi.h): fw_cfg files for firmware
 * (laid out as QEMU's, so OVMF's AcpiPlatformDxe installs them), and the
 * same tables linked at X86_ACPI_RSDP_ADDR / X86_ACPI_TABLES_ADDR for
 * direct boots, whose RSDP address goes to hvm_start_info.rsdp_paddr or
 * boot_params.acpi_rsdp_addr. */
#ifndef CVM_X86_ACPI_H
#define CVM_X86_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "loader/acpi.h"

/* APIC ids 0..vcpus-1 and the IOAPIC's id (vcpus) fit the 8-bit MADT
 * entries, 0xff being the broadcast id. */
#define X86_ACPI_MAX_CPUS 254

struct x86_acpi_cfg {
	uint32_t vcpus;
	bool fw_cfg;            /* the VM serves fw_cfg: declare it (QEMU0002) */
};

/* Fills B (acpi__init()ed) with the blobs "etc/acpi/rsdp" (index 0) and
 * "etc/acpi/tables" (index 1) and their script.  -1 + err__set() when the
 * vCPU count is outside 1..X86_ACPI_MAX_CPUS or memory runs out. */
int x86__acpi_build(struct acpi_builder *b, const struct x86_acpi_cfg *cfg);

/* Builds the tables and appends the three fw_cfg files to L, their data
 * owned by P. */
int x86__acpi_fw_cfg(struct plan *p, struct fw_cfg_list *l, const struct x86_acpi_cfg *cfg);

/* For direct boots: the RSDP and the tables, linked where the memory map
 * puts them, their bytes owned by P, for the boot planner to add as plan
 * ops; rsdp is the address the boot information passes on. */
struct x86_acpi_direct {
	uint64_t rsdp;
	struct acpi_placed blob[2];     /* RSDP, tables */
};

int x86__acpi_direct(struct plan *p, const struct x86_acpi_cfg *cfg, struct x86_acpi_direct *out);

#endif

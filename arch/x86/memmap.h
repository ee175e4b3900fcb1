/* The plain x86 VM's guest-physical memory map: the one place that says
 * what sits where.  The README's memory-map table is this file in prose.
 *
 *   0x0000_0000  real-mode IVT and BDA (left zero)
 *   0x0000_0500  GDT used for the 32- and 64-bit entries
 *   0x0000_6000  hvm_start_info + its memory map (PVH) / module list
 *   0x0000_7000  boot_params, the "zero page" (Linux boot protocol)
 *   0x0000_9000  identity page tables: PML4, PDPT, 4 PDs (2 MiB pages, 0-4 GiB)
 *   0x0002_0000  kernel command line (up to CMDLINE_MAX bytes)
 *   0x0009_fc00  MP floating pointer + MP table (last KiB of base memory, reserved)
 *   0x000a_0000  legacy VGA/ROM hole, not RAM (0xf0000-0xfffff reserved)
 *   0x000f_0000  direct boots: ACPI RSDP (in the legacy scan range), then the
 *                tables to 1 MiB (arch/x86/acpi.h)
 *   0x0010_0000  kernel (bzImage protected-mode part at pref_address/1 MiB,
 *                ELF segments at their physical addresses)
 *   top of low RAM, page aligned down: initrd
 *   0xc000_0000  32-bit MMIO hole (LAPIC 0xfee00000, IOAPIC 0xfec00000) to 4 GiB
 *   4 GiB - size  firmware (--firmware), up to X86_FW_MAX, ending at 4 GiB
 *   0x1_0000_0000  RAM above the hole when -m exceeds 3 GiB
 *
 * Firmware boots present the i440FX + PIIX4 machine OVMF knows (README,
 * "Firmware boots"): its host bridge and power-management function in PCI
 * configuration space, the PIIX4 ACPI PM block at its PMBA, the CMOS RTC,
 * fw_cfg and the debug console.  Direct boots use the same ports for ACPI
 * poweroff and the RTC.
 */
#ifndef CVM_X86_MEMMAP_H
#define CVM_X86_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#define X86_GDT_ADDR          0x500ull
#define X86_START_INFO_ADDR   0x6000ull
#define X86_BOOT_PARAMS_ADDR  0x7000ull
#define X86_PML4_ADDR         0x9000ull      /* then PDPT, PD0..PD3: 6 pages */
#define X86_CMDLINE_ADDR      0x20000ull
#define X86_CMDLINE_MAX       0x10000ull
#define X86_MPTABLE_ADDR      0x9fc00ull
#define X86_EBDA_END          0xa0000ull
#define X86_BIOS_START        0xf0000ull
#define X86_HIGH_MEM          0x100000ull    /* 1 MiB */
#define X86_MMIO_HOLE         0xc0000000ull  /* 3 GiB */
#define X86_4G                0x100000000ull
#define X86_IOAPIC_ADDR       0xfec00000ull
#define X86_LAPIC_ADDR        0xfee00000ull
#define X86_FW_MAX            (16ull << 20)  /* below the LAPIC/IOAPIC pages: 0xff000000 up */
#define X86_ACPI_RSDP_ADDR    0xf0000ull     /* direct boots; 16-byte aligned, F segment */
#define X86_ACPI_TABLES_ADDR  0xf0040ull     /* 64-byte aligned (FACS), up to X86_HIGH_MEM */

/* I/O ports and lines outside KVM's PIC, PIT and IOAPIC. */
#define X86_PORT_CMOS         0x70           /* index (bit 7: NMI mask), data */
#define X86_PORT_CMOS_LEN     2
#define X86_PORT_DEBUGCON     0x402          /* OVMF's debug log (PcdDebugIoPort) */
#define X86_PORT_FW_CFG       0x510          /* selector/data, DMA at +4 */
#define X86_PORT_FW_CFG_LEN   12             /* vmm/fw-cfg.h FW_CFG_IO_SIZE */
#define X86_PORT_PCI_CONFIG   0xcf8          /* CONFIG_ADDRESS, reset control at 0xcf9 */
#define X86_PORT_PCI_CONFIG_LEN 8            /* ... CONFIG_DATA at 0xcfc */
#define X86_PORT_ACPI_PM      0xb000         /* PIIX4 PMBA (OVMF's PIIX4_PMBA_VALUE) */
#define X86_PORT_ACPI_PM_LEN  12             /* PM1a event 4, control 2 at +4, timer 4 at +8 */
#define X86_ACPI_SCI_IRQ      9              /* PIIX4's SCI, level, active high */

struct x86_ram_range {
	uint64_t start, size;
};

/* Guest RAM for MEM bytes: [0, min(mem, hole)) and, above 4 GiB, the rest.
 * Returns the number of ranges (1 or 2).  The VMM's memslots and the e820
 * map both come from here. */
size_t x86__ram_ranges(uint64_t mem, struct x86_ram_range out[2]);

#endif

/* The plain arm64 VM's guest-physical memory map and interrupt numbers: the
 * one place that says what sits where.  The README's arm64 memory-map table
 * is this file in prose.  The devices sit where QEMU's "virt" machine has
 * them, so a guest (and a DTB) made for one boots on the other.
 *
 *   0x0000_0000  nothing (no memslot: an access is an MMIO exit)
 *   0x0800_0000  GICv3 distributor, 64 KiB
 *   0x080a_0000  GICv3 redistributors, 128 KiB per vCPU (up to 123 vCPUs)
 *   0x0900_0000  PL011 UART, 4 KiB, SPI 1 (INTID 33), level-high
 *   0x0910_0000  debug-exit register: a byte written ends the VM with it
 *   0x4000_0000  RAM (-m bytes): kernel at the base + text_offset, then the
 *                DTB and the initrd each at the next 2 MiB boundary
 */
#ifndef CVM_ARM64_MEMMAP_H
#define CVM_ARM64_MEMMAP_H

#include <stdint.h>

#define ARM64_GIC_DIST_BASE     0x08000000ull
#define ARM64_GIC_DIST_SIZE     0x10000ull
#define ARM64_GIC_REDIST_BASE   0x080a0000ull
#define ARM64_GIC_REDIST_SIZE   0x20000ull     /* one vCPU's RD_base + SGI_base frames */
#define ARM64_UART_BASE         0x09000000ull
#define ARM64_UART_SIZE         0x1000ull
#define ARM64_DEBUG_EXIT_BASE   0x09100000ull
#define ARM64_DEBUG_EXIT_SIZE   0x1000ull
#define ARM64_RAM_BASE          0x40000000ull

/* As many redistributors as fit below the UART. */
#define ARM64_MAX_VCPUS \
	((ARM64_UART_BASE - ARM64_GIC_REDIST_BASE) / ARM64_GIC_REDIST_SIZE)

/* Interrupts as the device tree numbers them (GIC binding: SPI n is INTID
 * 32 + n, PPI n is INTID 16 + n).  KVM_IRQ_LINE takes an SPI as
 * (KVM_ARM_IRQ_TYPE_SPI << 24) | INTID. */
#define ARM64_UART_SPI          1
#define ARM64_SPI_INTID(spi)    (32 + (spi))
/* The architected timer's PPIs: KVM's defaults (virtual INTID 27, EL1
 * physical INTID 30) and the ones the binding lists beside them. */
#define ARM64_TIMER_PPI_SEC     13
#define ARM64_TIMER_PPI_PHYS    14
#define ARM64_TIMER_PPI_VIRT    11
#define ARM64_TIMER_PPI_HYP     10

/* booting.rst: the kernel at a 2 MiB-aligned base plus text_offset; the DTB
 * at most 2 MiB, alone in its 2 MiB block; the initrd and the kernel in one
 * 1 GiB-aligned window of at most 32 GiB. */
#define ARM64_KERNEL_ALIGN      0x200000ull
#define ARM64_FDT_MAX           0x200000ull
#define ARM64_INITRD_WINDOW     (32ull << 30)
/* The widest IPA KVM offers (LPA2): RAM must end below it. */
#define ARM64_IPA_MAX_BITS      52

/* The IPA width (32..52) a VM with MEM bytes of RAM needs: what
 * KVM_VM_TYPE_ARM_IPA_SIZE() is given; 0 when it exceeds 52 bits. */
unsigned arm64__ipa_bits(uint64_t mem);

#endif

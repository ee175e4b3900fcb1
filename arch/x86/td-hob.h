/* The TD HOB a TDX guest's TDVF reads at its TD_HOB section: a PHIT, one
 * resource descriptor per guest RAM range (accepted at build time or not),
 * and the end marker.  Byte-exact with QEMU's tdvf_hob_create(), because
 * TDVF measures it into RTMR0 (MEASUREMENT.md 3.4).  The RAM ranges are the
 * caller's: QEMU q35's split for cvm-measure, cvm-run's own memory map
 * (arch/x86/memmap.h) for the TDs it launches. */
#ifndef CVM_X86_TD_HOB_H
#define CVM_X86_TD_HOB_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86/memmap.h"
#include "loader/tdvf.h"

#define TD_HOB_PHIT_SIZE     56
#define TD_HOB_RESOURCE_SIZE 48
/* The END-of-HOB-list entry: written, but not part of the RTMR0 digest. */
#define TD_HOB_END_SIZE 8
/* The largest HOB td_hob__build() writes: the PHIT, a resource descriptor
 * for each of the at most 2 + 2 * TDVF_MAX_SECTIONS RAM ranges, END. */
#define TD_HOB_MAX_RANGES (2 + 2 * TDVF_MAX_SECTIONS)
#define TD_HOB_MAX_SIZE \
	(TD_HOB_PHIT_SIZE + TD_HOB_RESOURCE_SIZE * TD_HOB_MAX_RANGES + TD_HOB_END_SIZE)

/* QEMU q35's split of MEM bytes of RAM around the 32-bit PCI hole
 * (pc_q35_init: lowmem 0x80000000 when MEM >= 0xB0000000, else 0xB0000000).
 * Not cvm-run's own map (arch/x86/memmap.h puts the hole at 3 GiB). */
uint64_t td_hob__q35_below_4g(uint64_t mem);
/* Those ranges, below and above 4 GiB (1 or 2 of them). */
size_t td_hob__q35_ram(uint64_t mem, struct x86_ram_range out[2]);

/* Writes the TD HOB for the NRAM guest RAM ranges RAM (sorted, disjoint) and
 * the TDVF sections of T into BUF (CAP bytes: the TD_HOB section).  *LEN
 * gets the bytes written, END entry included.  -1 with err__set() when a
 * TD_HOB/TempMem section is not inside one RAM range, there is no TD_HOB
 * section, or the HOB does not fit. */
int td_hob__build(const struct tdvf *t, const struct x86_ram_range *ram, size_t nram,
		  uint8_t *buf, size_t cap, size_t *len);

#endif

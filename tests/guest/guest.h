/* The x86-64 test guest: its own declarations beside the shared ones of
 * common.h.  See README.md for the contract (output lines, command-line
 * words, exit status). */
#ifndef CVM_GUEST_H
#define CVM_GUEST_H

/* Where APs start (smp.c, trampoline.S): a page below 1 MiB; how many of
 * them can be given work (entry.S keeps a stack for each). */
#define SMP_TRAMPOLINE_ADDR	0x70000
#define SMP_WORK_MAX		15

/* Entry kinds: the asm entries pass one in %rdi to guest_main. */
#define ENTRY_PVH	1
#define ENTRY_LINUX64	2

#ifndef __ASSEMBLER__

#include "common.h"

void guest_main(uint64_t kind, uint64_t info) __attribute__((noreturn));

/* pvh.c, linux.c: fill B from the loader's structure at physical address
 * INFO; NULL, or the reason for a FAIL verdict. */
const char *pvh__read(uint64_t info, struct guest_boot *b);
const char *linux__read(uint64_t info, struct guest_boot *b);

/* serial.c: COM1, a 16550 polled on LSR.THRE. */
void serial__init(void);

/* smp.c: INIT-SIPI-SIPI to all other vCPUs, wait for EXPECTED of them in
 * total; returns how many CPUs answered, the caller included.  With WORK,
 * each AP then runs WORK(index) in long mode on a stack of its own (index
 * 1, 2, ... in the order they arrive; at most SMP_WORK_MAX APs work, the
 * others halt). */
#define SMP_TRAMPOLINE	((uint64_t)SMP_TRAMPOLINE_ADDR)
uint32_t smp__start(uint32_t expected, void (*work)(uint32_t index));

/* convert.c: cvmtest.convert=N, private-memory conversions through
 * KVM_HC_MAP_GPA_RANGE on every vCPU; NULL or the failed check. */
const char *convert__run(const struct guest_boot *b, uint64_t n, uint32_t cpus);

/* hypercall.c: KVM_HC_MAP_GPA_RANGE(GPA, 4 KiB PAGES, ATTRS); KVM's or the
 * VMM's answer (0 accepted). */
uint64_t hc__map_gpa_range(uint64_t gpa, uint64_t pages, uint64_t attrs);

/* The pages cvmtest.convert and hostile conversions may change sides:
 * [CONVERT_START, CONVERT_END), nowhere near the guest's own image. */
#define CONVERT_START	0x7ff000ull
#define CONVERT_END	0xc00000ull

/* garbage.c: COUNT random port and MMIO writes (and a few reads) from SEED,
 * shared among CPUS vCPUs; with HC, random MAP_GPA_RANGE requests and fw_cfg
 * DMA descriptors too, whose targets stay outside the guest's image.
 * RAM_TOP is the end of the memory map, above which MMIO is fair game.
 * Returns how many vCPUs took part. */
uint32_t garbage__run(uint64_t count, uint64_t seed, uint64_t ram_top, uint32_t cpus, bool hc);

#endif
#endif

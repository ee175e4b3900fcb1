/* The test guest: what its C files share.  See README.md for the contract
 * (output lines, command-line words, exit status). */
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMDLINE_MAX	4096		/* bytes kept, NUL included */
#define MAP_MAX		128		/* memory-map entries kept */
#define MAP_RAM		1		/* e820 / hvm_memmap type of usable RAM */

struct guest_mem {
	uint64_t addr, size;
	uint32_t type;
};

/* What the loader handed over, whatever the entry: copied out of
 * hvm_start_info or boot_params so nothing points into loader memory. */
struct guest_boot {
	char cmdline[CMDLINE_MAX];
	bool cmdline_truncated;
	uint64_t initrd, initrd_size;	/* size 0: no initrd */
	struct guest_mem map[MAP_MAX];
	uint32_t nr_map;
};

/* Image bounds from guest.lds. */
extern char _image_start[], _end[];

void guest_main(uint64_t kind, uint64_t info) __attribute__((noreturn));

/* pvh.c, linux.c: fill B from the loader's structure at physical address
 * INFO; NULL, or the reason for a FAIL verdict. */
const char *pvh__read(uint64_t info, struct guest_boot *b);
const char *linux__read(uint64_t info, struct guest_boot *b);

/* boot.c: helpers shared by both readers. */
void boot__copy_cmdline(struct guest_boot *b, uint64_t pa);
/* The readers check the entry count against MAP_MAX first. */
void boot__add_mem(struct guest_boot *b, uint64_t addr, uint64_t size, uint32_t type);
/* True when one RAM entry of the map holds all of [start, end). */
bool boot__ram_covers(const struct guest_boot *b, uint64_t start, uint64_t end);
/* End of the highest map entry. */
uint64_t boot__map_top(const struct guest_boot *b);

/* print.c: COM1 output; say() prints one "cvm-guest: " line. */
void serial__init(void);
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cmdline.c: the value of word KEY=VALUE (first match) or NULL; decimal
 * values end at a blank or the end of the line. */
const char *cmdline__value(const char *cmdline, const char *key);
bool cmdline__u64(const char *val, uint64_t *out);
/* A 64-bit hash of the word starting at VAL's key: the garbage seed. */
uint64_t cmdline__word_hash(const char *cmdline, const char *key);

/* phys.c: a pointer to LEN (<= 2 MiB) bytes at physical address PA, valid
 * until the next call; below 4 GiB this is the identity map. */
void *phys__map(uint64_t pa, uint64_t len);

/* cksum.c: the POSIX cksum CRC of SIZE bytes at physical address PA. */
uint32_t cksum__phys(uint64_t pa, uint64_t size);

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

/* garbage.c: COUNT random port and MMIO writes (and a few reads) from SEED;
 * RAM_TOP is the end of the memory map, above which MMIO is fair game. */
void garbage__run(uint64_t count, uint64_t seed, uint64_t ram_top);

#endif
#endif

/* What the test guests' architecture-neutral C files share (boot.c,
 * cmdline.c, cksum.c, print.c, report.c, string.c): tests/guest builds them
 * for x86-64, tests/guest-arm64 for arm64.  Each architecture provides the
 * hooks at the end.  See README.md for the contract (output lines,
 * command-line words, exit status). */
#ifndef CVM_GUEST_COMMON_H
#define CVM_GUEST_COMMON_H

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

/* What the loader handed over, whatever the entry: copied out of the
 * loader's structure so nothing points into loader memory. */
struct guest_boot {
	char cmdline[CMDLINE_MAX];
	bool cmdline_truncated;
	uint64_t initrd, initrd_size;	/* size 0: no initrd */
	struct guest_mem map[MAP_MAX];
	uint32_t nr_map;
};

/* Image bounds from the linker script. */
extern char _image_start[], _end[];

/* boot.c: helpers shared by the boot-information readers. */
void boot__copy_cmdline(struct guest_boot *b, uint64_t pa);
/* The readers check the entry count against MAP_MAX first. */
void boot__add_mem(struct guest_boot *b, uint64_t addr, uint64_t size, uint32_t type);
/* True when one RAM entry of the map holds all of [start, end). */
bool boot__ram_covers(const struct guest_boot *b, uint64_t start, uint64_t end);
/* End of the highest map entry. */
uint64_t boot__map_top(const struct guest_boot *b);

/* print.c: say() prints one "cvm-guest: " line through serial__putc. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cmdline.c: the value of word KEY=VALUE (first match) or NULL; decimal
 * values end at a blank or the end of the line. */
const char *cmdline__value(const char *cmdline, const char *key);
bool cmdline__u64(const char *val, uint64_t *out);
/* True when the bare word WORD (no "=") is on the line. */
bool cmdline__has(const char *cmdline, const char *word);
/* A 64-bit hash of the word starting at VAL's key: the garbage seed. */
uint64_t cmdline__word_hash(const char *cmdline, const char *key);

/* cksum.c: the POSIX cksum CRC of SIZE bytes at physical address PA. */
uint32_t cksum__phys(uint64_t pa, uint64_t size);

/* report.c: the checks behind the verdict.  The first failed check names
 * the verdict; report__verdict prints it and ends the run (0 PASS, 1 FAIL). */
void report__check(bool ok, const char *reason);
void report__verdict(void) __attribute__((noreturn));
/* The value of numeric word KEY in [min, max] into *OUT; false when absent.
 * A bad value prints "bad value for KEY" and ends the run with a FAIL. */
bool report__word(const char *cmdline, const char *key, uint64_t min, uint64_t max,
		  uint64_t *out);
/* The initrd line and its checks (in RAM, cvmtest.initrd's cksum). */
void report__initrd(const struct guest_boot *b);

/* Architecture hooks. */
void serial__putc(char c);
/* A pointer to LEN (<= 2 MiB) bytes at physical address PA, valid until
 * the next call. */
void *phys__map(uint64_t pa, uint64_t len);
/* Ends the run with STATUS through the exit device. */
void guest_exit(uint8_t status) __attribute__((noreturn));

#endif

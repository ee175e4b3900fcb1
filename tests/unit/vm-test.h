/* End-to-end runs of vm__run against the fake KVM (fake-kvm.h): a tiny PVH
 * kernel and initrd in temporary files, the console in a third, and the
 * run's exit status, stderr and console output collected.  Every run also
 * checks that the VMM left no fd open and no vCPU thread running. */
#ifndef CVM_TESTS_VM_TEST_H
#define CVM_TESTS_VM_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel: one PT_LOAD of VM_TEST_KERNEL_LEN bytes at VM_TEST_LOAD (plus
 * a page of bss), entered at VM_TEST_ENTRY.  On arm64, an Image of those
 * bytes, its header first, placed and entered at the RAM's base. */
#define VM_TEST_LOAD		0x100000ull
#define VM_TEST_ENTRY		(VM_TEST_LOAD + 0x10)
#define VM_TEST_KERNEL_LEN	4096
#define VM_TEST_INITRD_LEN	8192

struct vm_test {
	char *kernel, *initrd, *console;        /* temporary files */
	uint8_t image[VM_TEST_KERNEL_LEN];      /* the PT_LOAD bytes */
	uint8_t initrd_data[VM_TEST_INITRD_LEN];
	int status;                             /* what vm__run returned */
	char err[4096];                         /* its stderr */
	char out[4096];                         /* the console file */
	char std_out[8192];                     /* its stdout (--dry-run) */
	double seconds;                         /* how long vm__run took */
};

void vm_test__init(struct vm_test *t);
void vm_test__exit(struct vm_test *t);
/* vm__run on "--kernel K --initrd I --console file:C ARGS..." (the fake
 * installed); returns the exit status. */
int vm_test__run(struct vm_test *t, const char *const *args);
#define VM_TEST_RUN(t, ...) vm_test__run(t, (const char *const[]){ __VA_ARGS__, NULL })
/* The same without the test kernel and initrd (firmware boots). */
int vm_test__run_bare(struct vm_test *t, const char *const *args);
#define VM_TEST_RUN_BARE(t, ...) \
	vm_test__run_bare(t, (const char *const[]){ __VA_ARGS__, NULL })

struct vm_config;

/* config__parse of "cvm-run ARGS..." into C: 0, 1 (--help) or -1. */
int vm_test__parse(struct vm_config *c, const char *const *args);
/* vm__run of "cvm-run ARGS... --dry-run" with stdout and stderr captured
 * into OUT and ERR (ARGS must parse); its exit status. */
int vm_test__dry_run(const char *const *args, char *out, size_t outlen, char *err, size_t errlen);

/* The struct the NTH ioctl REQ on VCPU (or FAKE_ANY) was given; fails the
 * test when there is no such call or it failed. */
const void *vm_test__arg(int vcpu, unsigned long req, unsigned nth);

struct fake_step;

/* The IO data of S's exit as the VMM left it: what an IN was answered. */
const uint8_t *vm_test__io_reply(const struct fake_step *s);

/* A fw_cfg DMA control word that selects item KEY and reads it. */
#define VM_TEST_FW_CFG_READ(key) \
	(FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ | (uint32_t)(key) << 16)

/* A fw_cfg DMA transfer on VCPU as a guest makes it: the descriptor
 * (CONTROL, LEN, ADDR, big-endian) written to shared memory at DESC, then
 * the DMA address register's halves (high first; the low half starts it).
 * Returns the low half's step, whose peek shows memory after the transfer. */
struct fake_step *vm_test__fw_cfg_dma(unsigned vcpu, uint64_t desc, uint32_t control, uint32_t len,
				      uint64_t addr);

/* FN's stdout and stderr, run with fds 1 and 2 redirected to files. */
void vm_test__capture(void (*fn)(void *ctx), void *ctx, char *out, size_t outlen, char *err,
		      size_t errlen);

#endif

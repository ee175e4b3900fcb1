/* Helpers shared by the x86 boot-plan tests (test-bzimage, test-pvh,
 * test-boot): kernels and initrds written to temporary files, and guest
 * memory read back out of a plan. */
#ifndef CVM_TESTS_BOOT_TEST_H
#define CVM_TESTS_BOOT_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "loader/plan.h"

/* A new temporary file holding LEN bytes of DATA, extended with a sparse
 * zero tail to SIZE bytes (SIZE >= LEN); the malloc'd path is for
 * boot_test__remove(). */
char *boot_test__file(const void *data, size_t len, uint64_t size);
/* Unlinks and frees a path from boot_test__file(). */
void boot_test__remove(char *path);

/* A boot plan built from a kernel image in memory, for one test. */
struct boot_run {
	struct plan p;
	char *kernel, *initrd;
	int ret;                /* what x86__build_boot_plan returned */
};

/* Byte I of the initrds boot_test__run() writes. */
#define BOOT_TEST_INITRD_BYTE(i) ((uint8_t)((i) ^ 0x5a))

/* Writes KERNEL (LEN bytes) and an initrd of INITRD_SIZE bytes (none when
 * 0) to temporary files and builds their plan for MEM bytes and VCPUS. */
void boot_test__run(struct boot_run *r, const void *kernel, size_t len, uint64_t mem,
		    uint32_t vcpus, size_t initrd_size, const char *cmdline);
/* Frees the plan and removes the files. */
void boot_test__done(struct boot_run *r);

/* The op of P whose bytes cover [gpa, gpa+len), or NULL. */
const struct plan_op *boot_test__op_at(const struct plan *p, uint64_t gpa, uint64_t len);
/* The op of P named WHAT (the first one), or NULL. */
const struct plan_op *boot_test__op(const struct plan *p, const char *what);
/* Pointer to the plan's bytes for [gpa, gpa+len); fails the test when no
 * op with data covers the range. */
const void *boot_test__gpa(const struct plan *p, uint64_t gpa, uint64_t len);

#endif

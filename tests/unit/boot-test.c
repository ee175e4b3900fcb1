#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/x86/boot.h"
#include "loader/error.h"
#include "tests/unit/boot-test.h"
#include "tests/unit/test.h"

char *boot_test__file(const void *data, size_t len, uint64_t size)
{
	char *path = strdup("/tmp/cvm-boot-test-XXXXXX");
	int fd;

	ck_assert_ptr_nonnull(path);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(ftruncate(fd, size), 0);
	close(fd);
	return path;
}

void boot_test__remove(char *path)
{
	unlink(path);
	free(path);
}

const struct plan_op *boot_test__op_at(const struct plan *p, uint64_t gpa, uint64_t len)
{
	for (size_t i = 0; i < p->nops; i++)
		if (gpa >= p->ops[i].gpa && gpa + len <= p->ops[i].gpa + p->ops[i].len)
			return &p->ops[i];
	return NULL;
}

const struct plan_op *boot_test__op(const struct plan *p, const char *what)
{
	for (size_t i = 0; i < p->nops; i++)
		if (!strcmp(p->ops[i].what, what))
			return &p->ops[i];
	return NULL;
}

const void *boot_test__gpa(const struct plan *p, uint64_t gpa, uint64_t len)
{
	const struct plan_op *op = boot_test__op_at(p, gpa, len);

	ck_assert_msg(op && op->data, "no plan bytes at [%#llx, +%#llx)",
		      (unsigned long long)gpa, (unsigned long long)len);
	return op->data + (gpa - op->gpa);
}

void boot_test__run(struct boot_run *r, const void *kernel, size_t len, uint64_t mem,
		    uint32_t vcpus, size_t initrd_size, const char *cmdline)
{
	uint8_t *rd = malloc(initrd_size + 1);
	struct x86_boot_cfg cfg = { .cmdline = cmdline, .mem_size = mem, .vcpus = vcpus };

	ck_assert_ptr_nonnull(rd);
	for (size_t i = 0; i < initrd_size; i++)
		rd[i] = BOOT_TEST_INITRD_BYTE(i);
	r->kernel = boot_test__file(kernel, len, len);
	r->initrd = initrd_size ? boot_test__file(rd, initrd_size, initrd_size) : NULL;
	free(rd);
	cfg.kernel = r->kernel;
	cfg.initrd = r->initrd;
	plan__init(&r->p);
	err__clear();
	r->ret = x86__build_boot_plan(&r->p, &cfg);
}

void boot_test__done(struct boot_run *r)
{
	plan__exit(&r->p);
	boot_test__remove(r->kernel);
	if (r->initrd)
		boot_test__remove(r->initrd);
}

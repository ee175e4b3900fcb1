#include <dirent.h>
#include <stdbool.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch/arm64/image.h"
#include "arch/x86/pvh.h"
#include "loader/bytes.h"
#include "tests/unit/boot-test.h"
#include "tests/unit/fake/fake-kvm.h"
#include "tests/unit/test.h"
#include "tests/unit/vm-test.h"
#include "vmm/config.h"
#include "vmm/vm.h"

#ifdef __x86_64__
#define NOTE_OFF	(sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr))
#define NOTE_LEN	(sizeof(Elf64_Nhdr) + 4 + 4)    /* "Xen\0" and a 32-bit entry */
#define IMAGE_OFF	0x200
/* ELF64 with a PT_LOAD of T->image and a PT_NOTE holding the PVH entry. */
static char *write_kernel(const struct vm_test *t)
{
	uint8_t f[IMAGE_OFF + VM_TEST_KERNEL_LEN] = { 0 };
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
		.e_entry = VM_TEST_ENTRY, .e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr), .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 2,
	};
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = IMAGE_OFF,
		  .p_vaddr = VM_TEST_LOAD, .p_paddr = VM_TEST_LOAD, .p_filesz = VM_TEST_KERNEL_LEN,
		  .p_memsz = VM_TEST_KERNEL_LEN + 4096, .p_align = 4096 },
		{ .p_type = PT_NOTE, .p_flags = PF_R, .p_offset = NOTE_OFF, .p_filesz = NOTE_LEN,
		  .p_align = 4 },
	};
	Elf64_Nhdr nh = { .n_namesz = 4, .n_descsz = 4, .n_type = XEN_ELFNOTE_PHYS32_ENTRY };
	uint32_t entry = VM_TEST_ENTRY;

	memcpy(f, &eh, sizeof(eh));
	memcpy(f + sizeof(eh), ph, sizeof(ph));
	memcpy(f + NOTE_OFF, &nh, sizeof(nh));
	memcpy(f + NOTE_OFF + sizeof(nh), "Xen", 4);
	memcpy(f + NOTE_OFF + sizeof(nh) + 4, &entry, 4);
	memcpy(f + IMAGE_OFF, t->image, VM_TEST_KERNEL_LEN);
	return boot_test__file(f, sizeof(f), sizeof(f));
}
#else
/* An arm64 Image of T->image, whose first bytes vm_test__init made its
 * header: text_offset 0, image_size 2 MiB, 4 KiB pages, anywhere. */
static char *write_kernel(const struct vm_test *t)
{
	return boot_test__file(t->image, VM_TEST_KERNEL_LEN, VM_TEST_KERNEL_LEN);
}

static void image_header(uint8_t *p)
{
	static const uint64_t le[] = { 0, 2ull << 20, 0xa };    /* text_offset, image_size, flags */

	memset(p, 0, ARM64_IMAGE_HDR_SIZE);
	memcpy(p, "MZ\x40\xfa", 4);
	for (int i = 0; i < 3; i++)
		for (int b = 0; b < 8; b++)
			p[8 + 8 * i + b] = (uint8_t)(le[i] >> (8 * b));
	memcpy(p + ARM64_IMAGE_MAGIC_OFF, "ARM\x64", 4);
}
#endif

void vm_test__init(struct vm_test *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < VM_TEST_KERNEL_LEN; i++)
		t->image[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < VM_TEST_INITRD_LEN; i++)
		t->initrd_data[i] = (uint8_t)(i * 13 + 1);
#ifndef __x86_64__
	image_header(t->image);
#endif
	t->kernel = write_kernel(t);
	t->initrd = boot_test__file(t->initrd_data, VM_TEST_INITRD_LEN, VM_TEST_INITRD_LEN);
	t->console = boot_test__file("", 0, 0);
}

void vm_test__exit(struct vm_test *t)
{
	boot_test__remove(t->kernel);
	boot_test__remove(t->initrd);
	boot_test__remove(t->console);
}

const void *vm_test__arg(int vcpu, unsigned long req, unsigned nth)
{
	const struct fake_call *c = fake__find(vcpu, req, nth);

	ck_assert_msg(c, "no ioctl %#lx number %u on vCPU %d", req, nth, vcpu);
	ck_assert_msg(c->ret >= 0, "ioctl %#lx failed: %s", req, strerror(c->err));
	ck_assert_ptr_nonnull(c->data);
	return c->data;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, len - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = 0;
	close(fd);
}

/* Points fd TARGET at a new temporary file; returns the saved fd. */
static int redirect(int target, char *path)
{
	int fd = mkstemp(path), saved = dup(target);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, target), target);
	close(fd);
	return saved;
}

static void restore(int target, int saved, char *path, char *buf, size_t len)
{
	ck_assert_int_eq(dup2(saved, target), target);
	close(saved);
	if (buf)
		slurp(path, buf, len);
	unlink(path);
}

void vm_test__capture(void (*fn)(void *ctx), void *ctx, char *out, size_t outlen, char *err,
		      size_t errlen)
{
	char opath[] = "/tmp/cvm-vm-test-out-XXXXXX", epath[] = "/tmp/cvm-vm-test-err-XXXXXX";
	int so, se;

	fflush(stdout);
	fflush(stderr);
	so = redirect(STDOUT_FILENO, opath);
	se = redirect(STDERR_FILENO, epath);
	fn(ctx);
	fflush(stdout);
	fflush(stderr);
	restore(STDERR_FILENO, se, epath, err, errlen);
	restore(STDOUT_FILENO, so, opath, out, outlen);
}

int vm_test__parse(struct vm_config *c, const char *const *args)
{
	char *argv[48] = { "cvm-run" };
	int argc = 1;

	while (*args) {
		ck_assert_int_lt(argc, 46);
		argv[argc++] = (char *)*args++;
	}
	argv[argc] = NULL;
	return config__parse(c, argc, argv);
}

struct dry {
	const char *const *args;
	int status;
};

static void dry_run(void *arg)
{
	struct dry *d = arg;
	const char *args[48];
	struct vm_config c;
	int n = 0;

	while (d->args[n]) {
		ck_assert_int_lt(n, 46);
		args[n] = d->args[n];
		n++;
	}
	args[n++] = "--dry-run";
	args[n] = NULL;
	ck_assert_int_eq(vm_test__parse(&c, args), 0);
	d->status = vm__run(&c);
	config__exit(&c);
}

int vm_test__dry_run(const char *const *args, char *out, size_t outlen, char *err, size_t errlen)
{
	struct dry d = { .args = args };

	vm_test__capture(dry_run, &d, out, outlen, err, errlen);
	return d.status;
}

struct run_ctx {
	struct vm_test *t;
	struct vm_config cfg;
	int fds_before, fds_after;
};

static void run_vm(void *arg)
{
	struct run_ctx *x = arg;
	struct timespec a, b;

	x->fds_before = count_fds();
	clock_gettime(CLOCK_MONOTONIC, &a);
	x->t->status = vm__run(&x->cfg);
	clock_gettime(CLOCK_MONOTONIC, &b);
	x->fds_after = count_fds();
	x->t->seconds = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
}

static int run_args(struct vm_test *t, const char *const *args, bool kernel)
{
	/* The harness itself reads /proc and files after vm__run: no filter
	 * (test-seccomp.c runs vm__run with it). */
	char console[256], *argv[48] = { "cvm-run", "--no-seccomp", "--console", console,
					 "--kernel", t->kernel, "--initrd", t->initrd };
	struct run_ctx x = { .t = t };
	int argc = kernel ? 8 : 4;

	snprintf(console, sizeof(console), "file:%s", t->console);
	while (*args) {
		ck_assert_int_lt(argc, 47);
		argv[argc++] = (char *)*args++;
	}
	argv[argc] = NULL;
	ck_assert_int_eq(config__parse(&x.cfg, argc, argv), 0);
	vm_test__capture(run_vm, &x, t->std_out, sizeof(t->std_out), t->err, sizeof(t->err));
	config__exit(&x.cfg);
	slurp(t->console, t->out, sizeof(t->out));
	ck_assert_msg(x.fds_after == x.fds_before, "%d fds open before vm__run, %d after",
		      x.fds_before, x.fds_after);
	ck_assert_uint_eq(fake__open_fds(), 0);
	ck_assert_uint_eq(fake__running(), 0);
	return t->status;
}

int vm_test__run(struct vm_test *t, const char *const *args)
{
	return run_args(t, args, true);
}

int vm_test__run_bare(struct vm_test *t, const char *const *args)
{
	return run_args(t, args, false);
}

const uint8_t *vm_test__io_reply(const struct fake_step *s)
{
	ck_assert_ptr_nonnull(s->reply);
	return (const uint8_t *)s->reply + s->run.io.data_offset;
}

struct fake_step *vm_test__fw_cfg_dma(unsigned vcpu, uint64_t desc, uint32_t control, uint32_t len,
				      uint64_t addr)
{
	uint8_t b[4];
	struct fake_step *s;

	bytes__put_be(b, 4, desc >> 32);
	s = fake__io(vcpu, true, 0x514, 4, 1, b);
	s->poke_gpa = desc;
	s->poke_len = 16;
	bytes__put_be(s->poke, 4, control);
	bytes__put_be(s->poke + 4, 4, len);
	bytes__put_be(s->poke + 8, 8, addr);
	bytes__put_be(b, 4, (uint32_t)desc);
	return fake__io(vcpu, true, 0x518, 4, 1, b);
}

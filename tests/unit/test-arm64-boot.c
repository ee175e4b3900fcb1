#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arch/arm64/boot.h"
#include "arch/arm64/image.h"
#include "arch/arm64/memmap.h"
#include "loader/error.h"
#include "tests/unit/boot-test.h"
#include "tests/unit/test.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define IMG_LEN 0x3000

/* A small well-formed Image (text_offset 0x80000, image_size 3 MiB, 4K
 * pages, placement anywhere) that each test then bends. */
struct img {
	uint8_t buf[IMG_LEN];
};

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void img_init(struct img *m)
{
	for (size_t i = 0; i < sizeof(m->buf); i++)
		m->buf[i] = (uint8_t)(i * 13);
	memset(m->buf, 0, ARM64_IMAGE_HDR_SIZE);
	memcpy(m->buf, "MZ\x40\xfa", 4);         /* an EFI stub's code0 */
	put_le64(m->buf + 0x08, 0x80000);
	put_le64(m->buf + 0x10, 3 * MiB);
	put_le64(m->buf + 0x18, 0xa);
	memcpy(m->buf + ARM64_IMAGE_MAGIC_OFF, "ARM\x64", 4);
}

struct run {
	struct plan p;
	char *kernel, *initrd;
	int ret;
};

static void run_file(struct run *r, const char *kernel, uint64_t mem, uint32_t vcpus,
		     size_t initrd_size, const char *cmdline)
{
	struct arm64_boot_cfg cfg = { .kernel = kernel, .cmdline = cmdline, .mem_size = mem,
				      .vcpus = vcpus };
	uint8_t *rd = malloc(initrd_size + 1);

	ck_assert_ptr_nonnull(rd);
	for (size_t i = 0; i < initrd_size; i++)
		rd[i] = BOOT_TEST_INITRD_BYTE(i);
	r->initrd = initrd_size ? boot_test__file(rd, initrd_size, initrd_size) : NULL;
	free(rd);
	cfg.initrd = r->initrd;
	plan__init(&r->p);
	err__clear();
	r->ret = arm64__build_boot_plan(&r->p, &cfg);
}

static void run(struct run *r, const struct img *m, size_t len, uint64_t mem, uint32_t vcpus,
		size_t initrd_size, const char *cmdline)
{
	r->kernel = boot_test__file(m->buf, len, len);
	run_file(r, r->kernel, mem, vcpus, initrd_size, cmdline);
}

static void done(struct run *r)
{
	plan__exit(&r->p);
	if (r->kernel)
		boot_test__remove(r->kernel);
	if (r->initrd)
		boot_test__remove(r->initrd);
}

static const struct plan_op *op(const struct run *r, const char *what)
{
	const struct plan_op *o = boot_test__op(&r->p, what);

	ck_assert_msg(o, "no %s op", what);
	return o;
}

START_TEST(layout)
{
	const struct plan_op *k, *d, *i;
	struct img m;
	struct run r;

	img_init(&m);
	run(&r, &m, sizeof(m.buf), 256 * MiB, 2, 5000, "console=ttyAMA0");
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_uint_eq(r.p.nops, 3);
	k = op(&r, "kernel");
	ck_assert_uint_eq(k->kind, PLAN_LOAD);
	ck_assert_uint_eq(k->gpa, ARM64_RAM_BASE + 0x80000);
	ck_assert_uint_eq(k->len, IMG_LEN);
	ck_assert_int_eq(memcmp(k->data, m.buf, IMG_LEN), 0);
	/* image_size ends at +3.5 MiB: the DTB takes the next 2 MiB block. */
	d = op(&r, "dtb");
	ck_assert_uint_eq(d->gpa, ARM64_RAM_BASE + 4 * MiB);
	ck_assert_uint_eq(fdt_check_header(d->data), 0);
	ck_assert_uint_eq(d->len, fdt_totalsize(d->data));
	i = op(&r, "initrd");
	ck_assert_uint_eq(i->gpa, ARM64_RAM_BASE + 6 * MiB);
	ck_assert_uint_eq(i->len, 5000);
	for (uint64_t n = 0; n < i->len; n++)
		if (i->data[n] != BOOT_TEST_INITRD_BYTE(n))
			ck_abort_msg("initrd byte %llu differs", (unsigned long long)n);
	ck_assert_uint_eq(r.p.entry.mode, PLAN_ENTRY_ARM64_LINUX);
	ck_assert_uint_eq(r.p.entry.pc, ARM64_RAM_BASE + 0x80000);
	ck_assert_uint_eq(r.p.entry.arg, d->gpa);
	ck_assert_uint_eq(r.p.mem_size, 256 * MiB);
	ck_assert_uint_eq(r.p.vcpus, 2);
	done(&r);

	/* Without an initrd (or with an empty one) there is no initrd op. */
	run(&r, &m, sizeof(m.buf), 256 * MiB, 1, 0, NULL);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_uint_eq(r.p.nops, 2);
	ck_assert_ptr_null(boot_test__op(&r.p, "initrd"));
	done(&r);
}
END_TEST

/* A 64-bit property (only 4-byte aligned: fdt64_ld). */
static uint64_t prop_u64(const void *dtb, int node, const char *name)
{
	int len;
	const fdt64_t *v = fdt_getprop(dtb, node, name, &len);

	ck_assert_msg(v && len == 8, "%s: no 8-byte value", name);
	return fdt64_ld(v);
}

/* The DTB's /chosen says where the plan put the initrd. */
START_TEST(dtb_names_the_initrd)
{
	const struct plan_op *d, *i;
	struct img m;
	struct run r;
	int node;

	img_init(&m);
	run(&r, &m, sizeof(m.buf), 64 * MiB, 1, 4097, "root=/dev/ram0");
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	d = op(&r, "dtb");
	i = op(&r, "initrd");
	node = fdt_path_offset(d->data, "/chosen");
	ck_assert_int_ge(node, 0);
	ck_assert_uint_eq(prop_u64(d->data, node, "linux,initrd-start"), i->gpa);
	ck_assert_uint_eq(prop_u64(d->data, node, "linux,initrd-end"), i->gpa + 4097);
	ck_assert_str_eq(fdt_getprop(d->data, node, "bootargs", NULL), "root=/dev/ram0");
	done(&r);
}
END_TEST

/* Each lie gets one line naming the file and the field, exit status 2. */
static void expect_error(const struct img *m, size_t len, uint64_t mem, const char *what)
{
	struct run r;

	run(&r, m, len, mem, 1, 0x1000, NULL);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
	ck_assert_msg(strstr(err__msg(), r.kernel) && strstr(err__msg(), what),
		      "\"%s\" lacks \"%s\"", err__msg(), what);
	ck_assert_ptr_null(strchr(err__msg(), '\n'));
	done(&r);
}

START_TEST(hostile_headers)
{
	struct img m;

	img_init(&m);
	expect_error(&m, 63, 64 * MiB, "63 bytes, shorter than the 64-byte arm64 Image header");
	expect_error(&m, 0, 64 * MiB, "0 bytes, shorter than");
	m.buf[ARM64_IMAGE_MAGIC_OFF + 3] = 0x65;
	expect_error(&m, sizeof(m.buf), 64 * MiB, "not an arm64 Image (no \"ARM\\x64\" magic");
	img_init(&m);
	m.buf[0] = 0x1f;
	m.buf[1] = 0x8b;
	expect_error(&m, sizeof(m.buf), 64 * MiB, "gzip-compressed");
	img_init(&m);
	put_le64(m.buf + 0x10, 0);
	expect_error(&m, sizeof(m.buf), 64 * MiB, "image_size: 0, a kernel older than 3.17");
	put_le64(m.buf + 0x10, IMG_LEN - 1);
	expect_error(&m, sizeof(m.buf), 64 * MiB, "image_size: 0x2fff, smaller than the 12288");
	img_init(&m);
	put_le64(m.buf + 0x08, 0x80001);
	expect_error(&m, sizeof(m.buf), 64 * MiB, "text_offset: 0x80001, not a multiple of 4 KiB");
	put_le64(m.buf + 0x08, 2 * MiB);
	expect_error(&m, sizeof(m.buf), 64 * MiB, "text_offset: 0x200000");
	put_le64(m.buf + 0x08, UINT64_MAX & ~0xfffull);
	expect_error(&m, sizeof(m.buf), 64 * MiB, "text_offset: 0xfffffffffffff000");
	img_init(&m);
	put_le64(m.buf + 0x18, 0xb);
	expect_error(&m, sizeof(m.buf), 64 * MiB, "flags: 0xb, a big-endian kernel");
	/* image_size near 2^64 must not wrap the fit check. */
	img_init(&m);
	put_le64(m.buf + 0x10, UINT64_MAX);
	expect_error(&m, sizeof(m.buf), 64 * MiB, "image_size: 0xffffffffffffffff bytes from "
		     "0x40080000 do not fit in 0x4000000 bytes");
	put_le64(m.buf + 0x10, 64 * MiB);
	expect_error(&m, sizeof(m.buf), 64 * MiB, "do not fit in 0x4000000 bytes of guest RAM");
}
END_TEST

/* Reserved flag bits and every page size are accepted as they are. */
START_TEST(flags_tolerated)
{
	static const uint64_t flags[] = { 0, 0x2, 0x4, 0x6, 0x8, 0xfffffffffffffffeull };
	struct img m;
	struct run r;

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		img_init(&m);
		put_le64(m.buf + 0x18, flags[i]);
		run(&r, &m, sizeof(m.buf), 64 * MiB, 1, 0, NULL);
		ck_assert_msg(r.ret == 0, "flags %#llx: %s", (unsigned long long)flags[i],
			      err__msg());
		done(&r);
	}
}
END_TEST

static void expect_cfg_error(const struct img *m, uint64_t mem, uint32_t vcpus,
			     size_t initrd_size, const char *cmdline, const char *what)
{
	struct run r;

	run(&r, m, sizeof(m->buf), mem, vcpus, initrd_size, cmdline);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
	ck_assert_msg(strstr(err__msg(), what), "\"%s\" lacks \"%s\"", err__msg(), what);
	ck_assert_ptr_null(strchr(err__msg(), '\n'));
	done(&r);
}

START_TEST(bad_options)
{
	char line[ARM64_CMDLINE_MAX + 1];
	struct img m;
	struct run r;

	img_init(&m);
	expect_cfg_error(&m, 64 * MiB, 0, 0, NULL, "cpus: 0, an arm64 VM has 1 to 123");
	expect_cfg_error(&m, 64 * MiB, 124, 0, NULL, "cpus: 124");
	expect_cfg_error(&m, 64 * MiB + 1, 1, 0, NULL, "memory: 0x4000001 bytes");
	expect_cfg_error(&m, 0, 1, 0, NULL, "memory: 0 bytes");
	expect_cfg_error(&m, 1ull << 52, 1, 0, NULL, "below the 52-bit IPA limit");
	memset(line, 'x', ARM64_CMDLINE_MAX);
	line[ARM64_CMDLINE_MAX] = 0;
	expect_cfg_error(&m, 64 * MiB, 1, 0, line, "cmdline: 2048 bytes, arm64 Linux takes at "
			 "most 2047");
	line[ARM64_CMDLINE_MAX - 1] = 0;
	run(&r, &m, sizeof(m.buf), 64 * MiB, ARM64_MAX_VCPUS, 0, line);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	done(&r);
	/* The initrd's block starts at +6 MiB: 6 MiB of RAM leaves it no room,
	 * 6 MiB + 4 KiB one page, and the DTB needs a few bytes after +4 MiB. */
	expect_cfg_error(&m, 6 * MiB, 1, 1, NULL, "initrd: 1 bytes do not fit in guest RAM");
	expect_cfg_error(&m, 6 * MiB + 0x1000, 1, 0x1001, NULL, "initrd: 4097 bytes");
	run(&r, &m, sizeof(m.buf), 6 * MiB + 0x1000, 1, 0x1000, NULL);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	done(&r);
	expect_cfg_error(&m, 4 * MiB, 1, 0, NULL, "too small for the");
	run(&r, &m, sizeof(m.buf), 4 * MiB + 0x1000, 1, 0, NULL);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	done(&r);
}
END_TEST

/* booting.rst: the initrd and the kernel within 32 GiB of one another. */
START_TEST(initrd_window)
{
	struct img m;
	struct run r;

	img_init(&m);
	put_le64(m.buf + 0x10, 32 * GiB - 8 * MiB);
	run(&r, &m, sizeof(m.buf), 40 * GiB, 1, 4096, NULL);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_uint_eq(op(&r, "initrd")->gpa, ARM64_RAM_BASE + 32 * GiB - 4 * MiB);
	done(&r);
	put_le64(m.buf + 0x10, 32 * GiB - 4 * MiB);
	expect_cfg_error(&m, 40 * GiB, 1, 4096, NULL, "beyond the 32 GiB the arm64 boot protocol");
}
END_TEST

START_TEST(no_kernel)
{
	struct arm64_boot_cfg cfg = { .mem_size = 64 * MiB, .vcpus = 1 };
	struct plan p;

	plan__init(&p);
	ck_assert_int_eq(arm64__build_boot_plan(&p, &cfg), -1);
	ck_assert_str_eq(err__msg(), "kernel: no kernel given");
	cfg.kernel = "/nonexistent/Image";
	ck_assert_int_eq(arm64__build_boot_plan(&p, &cfg), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "/nonexistent/Image"));
	plan__exit(&p);
}
END_TEST

/* Debian's arm64 kernel (7.3.4, EFI stub, 4K pages, text_offset 0),
 * gunzipped into the build directory once. */
START_TEST(debian_image)
{
	const char *gz = test__shared("vectors/hosts/arm64-debian/Image.gz");
	char image[2048], cmd[12288], err[512];
	const struct plan_op *k;
	struct stat st;
	struct run r = { 0 };

	snprintf(image, sizeof(image), "%s", test__build("arm64-debian-Image"));
	if (stat(image, &st) != 0) {
		snprintf(cmd, sizeof(cmd), "gzip -dc '%s' >'%s.tmp' && mv '%s.tmp' '%s'", gz, image,
			 image, image);
		ck_assert_msg(test__run(NULL, cmd, NULL, 0, err, sizeof(err)) == 0, "%s: %s", cmd,
			      err);
	}
	run_file(&r, image, 512 * MiB, 2, 4096, "console=ttyAMA0");
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	k = op(&r, "kernel");
	ck_assert_uint_eq(k->gpa, ARM64_RAM_BASE);
	ck_assert_uint_eq(k->len, 51642304);
	ck_assert_uint_eq(r.p.entry.pc, ARM64_RAM_BASE);
	/* image_size 0x3240000 rounds up to the 0x3400000 block. */
	ck_assert_uint_eq(op(&r, "dtb")->gpa, ARM64_RAM_BASE + 0x3400000);
	ck_assert_uint_eq(r.p.entry.arg, ARM64_RAM_BASE + 0x3400000);
	ck_assert_uint_eq(op(&r, "initrd")->gpa, ARM64_RAM_BASE + 0x3600000);
	done(&r);

	/* The same kernel refuses to be squeezed into 48 MiB. */
	run_file(&r, image, 48 * MiB, 1, 0, NULL);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "image_size: 0x3240000 bytes from 0x40000000 "
				     "do not fit in 0x3000000 bytes of guest RAM"));
	done(&r);

	/* The compressed file itself is refused with the reason. */
	run_file(&r, gz, 512 * MiB, 1, 0, NULL);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "gzip-compressed"));
	done(&r);
}
END_TEST

START_TEST(ipa_bits)
{
	ck_assert_uint_eq(arm64__ipa_bits(512 * MiB), 32);
	ck_assert_uint_eq(arm64__ipa_bits(3 * GiB), 32);
	ck_assert_uint_eq(arm64__ipa_bits(3 * GiB + 4096), 33);
	ck_assert_uint_eq(arm64__ipa_bits((1ull << 40) - ARM64_RAM_BASE), 40);
	ck_assert_uint_eq(arm64__ipa_bits((1ull << 52) - ARM64_RAM_BASE), 52);
	ck_assert_uint_eq(arm64__ipa_bits((1ull << 52) - ARM64_RAM_BASE + 1), 0);
	ck_assert_uint_eq(arm64__ipa_bits(UINT64_MAX), 0);
}
END_TEST

static Suite *arm64_boot_suite(void)
{
	Suite *s = suite_create("arm64-boot");
	TCase *t = tcase_create("core");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, layout);
	tcase_add_test(t, dtb_names_the_initrd);
	tcase_add_test(t, hostile_headers);
	tcase_add_test(t, flags_tolerated);
	tcase_add_test(t, bad_options);
	tcase_add_test(t, initrd_window);
	tcase_add_test(t, no_kernel);
	tcase_add_test(t, debian_image);
	tcase_add_test(t, ipa_bits);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(arm64_boot_suite)

#include <stdlib.h>
#include <string.h>

#include "arch/x86/boot.h"
#include "arch/x86/bootparam.h"
#include "loader/error.h"
#include "tests/unit/boot-test.h"
#include "tests/unit/test.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define SETUP_SIZE (5 * 512)            /* setup_sects 4 + the boot sector */
#define KERNEL_LEN 0x4000

/* A small well-formed bzImage (protocol 2.15, relocatable, 64-bit entry)
 * that each test then bends. */
struct img {
	uint8_t buf[SETUP_SIZE + KERNEL_LEN];
	size_t size;
	struct setup_header *h;
};

static void img_init(struct img *m)
{
	memset(m, 0, sizeof(*m));
	m->size = sizeof(m->buf);
	m->h = (struct setup_header *)(m->buf + 0x1f1);
	m->buf[0x200] = 0xeb;                           /* jmp, then the header's length */
	m->buf[0x201] = 0x26c - 0x202;
	memcpy(m->buf + 0x202, "HdrS", 4);
	m->h->version = 0x020f;
	m->h->setup_sects = 4;
	m->h->syssize = KERNEL_LEN / 16;
	m->h->loadflags = LOADED_HIGH;
	m->h->xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	m->h->relocatable_kernel = 1;
	m->h->kernel_alignment = 2 * MiB;
	m->h->pref_address = 16 * MiB;
	m->h->init_size = 4 * MiB;
	m->h->cmdline_size = 255;
	m->h->initrd_addr_max = 0x7fffffff;
	m->h->payload_offset = 0x100;
	m->h->payload_length = 0x1000;
	m->h->vid_mode = 0xffff;
	for (size_t i = SETUP_SIZE; i < m->size; i++)
		m->buf[i] = i * 7;
}

/* Builds a plan from M (and an initrd of INITRD_SIZE pattern bytes). */
static void run(struct boot_run *r, const struct img *m, uint64_t mem, size_t initrd_size,
		const char *cmdline)
{
	boot_test__run(r, m->buf, m->size, mem, 2, initrd_size, cmdline);
}

static const struct boot_params *zero_page(const struct boot_run *r)
{
	const struct plan_op *op = boot_test__op(&r->p, "boot_params");

	ck_assert_ptr_nonnull(op);
	ck_assert_uint_eq(op->gpa, 0x7000);
	ck_assert_uint_eq(op->len, 4096);
	ck_assert_uint_eq(r->p.entry.arg, 0x7000);
	return (const struct boot_params *)op->data;
}

static uint64_t initrd_at(const struct boot_run *r)
{
	const struct boot_params *bp = zero_page(r);
	const struct plan_op *op = boot_test__op(&r->p, "initrd");
	uint64_t at = bp->hdr.ramdisk_image | (uint64_t)bp->ext_ramdisk_image << 32;

	ck_assert_ptr_nonnull(op);
	ck_assert_uint_eq(op->gpa, at);
	ck_assert_uint_eq(bp->hdr.ramdisk_size, op->len);
	ck_assert_uint_eq(bp->ext_ramdisk_size, 0);
	ck_assert_uint_eq(at % 4096, 0);
	for (uint64_t i = 0; i < op->len; i++)
		if (op->data[i] != BOOT_TEST_INITRD_BYTE(i))
			ck_abort_msg("initrd byte %llu differs", (unsigned long long)i);
	return at;
}

START_TEST(zero_page_fields)
{
	static const uint8_t zero[0x1f1];
	const struct boot_params *bp;
	const struct plan_op *k;
	struct x86_e820 map;
	struct img m;
	struct boot_run r;

	img_init(&m);
	run(&r, &m, 256 * MiB, 0x2000, "console=ttyS0 quiet");
	ck_assert_msg(r.ret == 0, "%s", err__msg());

	k = boot_test__op(&r.p, "kernel");
	ck_assert_ptr_nonnull(k);
	ck_assert_uint_eq(k->gpa, 16 * MiB);
	ck_assert_uint_eq(k->len, KERNEL_LEN);
	ck_assert_int_eq(memcmp(k->data, m.buf + SETUP_SIZE, KERNEL_LEN), 0);
	ck_assert_int_eq(r.p.entry.mode, PLAN_ENTRY_X86_64);
	ck_assert_uint_eq(r.p.entry.pc, 16 * MiB + 0x200);
	ck_assert_uint_eq(r.p.entry.x86.cr3, 0x9000);
	ck_assert_uint_eq(r.p.entry.x86.gdt, 0x500);

	bp = zero_page(&r);
	/* The header as in the file, but for the loader's fields. */
	ck_assert_uint_eq(bp->hdr.setup_sects, 4);
	ck_assert_uint_eq(bp->hdr.header, 0x53726448);
	ck_assert_uint_eq(bp->hdr.version, 0x020f);
	ck_assert_uint_eq(bp->hdr.jump, 0x6aeb);
	ck_assert_uint_eq(bp->hdr.syssize, KERNEL_LEN / 16);
	ck_assert_uint_eq(bp->hdr.pref_address, 16 * MiB);
	ck_assert_uint_eq(bp->hdr.init_size, 4 * MiB);
	ck_assert_uint_eq(bp->hdr.vid_mode, 0xffff);
	ck_assert_uint_eq(bp->hdr.type_of_loader, 0xff);
	ck_assert_uint_eq(bp->hdr.loadflags, LOADED_HIGH | CAN_USE_HEAP);
	ck_assert_uint_eq(bp->hdr.heap_end_ptr, 0xfe00);
	ck_assert_uint_eq(bp->hdr.cmd_line_ptr, 0x20000);
	ck_assert_uint_eq(bp->ext_cmd_line_ptr, 0);
	ck_assert_str_eq(boot_test__gpa(&r.p, 0x20000, 20), "console=ttyS0 quiet");
	ck_assert_uint_eq(initrd_at(&r), 256 * MiB - 0x2000);
	/* Nothing else of the zero page is set. */
	ck_assert_int_eq(memcmp(bp, zero, 0x1e8), 0);
	ck_assert_uint_eq(bp->sentinel, 0);

	x86__e820_build(&map, 256 * MiB);
	ck_assert_uint_eq(bp->e820_entries, map.n);
	for (unsigned int i = 0; i < map.n; i++) {
		ck_assert_uint_eq(bp->e820_table[i].addr, map.e[i].addr);
		ck_assert_uint_eq(bp->e820_table[i].size, map.e[i].size);
		ck_assert_uint_eq(bp->e820_table[i].type, map.e[i].type);
	}
	ck_assert_uint_eq(bp->e820_table[map.n].size, 0);
	boot_test__done(&r);
}
END_TEST

START_TEST(setup_sects_zero_means_four)
{
	struct img m;
	struct boot_run r;

	img_init(&m);
	m.h->setup_sects = 0;
	run(&r, &m, 64 * MiB, 0, NULL);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_int_eq(memcmp(boot_test__op(&r.p, "kernel")->data, m.buf + SETUP_SIZE,
				KERNEL_LEN), 0);
	ck_assert_ptr_null(boot_test__op(&r.p, "initrd"));
	ck_assert_uint_eq(zero_page(&r)->hdr.ramdisk_image, 0);
	ck_assert_uint_eq(zero_page(&r)->hdr.ramdisk_size, 0);
	ck_assert_str_eq(boot_test__gpa(&r.p, 0x20000, 1), "");
	boot_test__done(&r);
}
END_TEST

START_TEST(not_relocatable_loads_at_1m)
{
	struct img m;
	struct boot_run r;

	img_init(&m);
	m.h->relocatable_kernel = 0;
	m.h->pref_address = 0x1000000;
	m.h->kernel_alignment = 0x1234;         /* only a relocating loader cares */
	run(&r, &m, 64 * MiB, 0x1000, NULL);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_uint_eq(boot_test__op(&r.p, "kernel")->gpa, 1 * MiB);
	ck_assert_uint_eq(r.p.entry.pc, 1 * MiB + 0x200);
	ck_assert_uint_eq(initrd_at(&r), 64 * MiB - 0x1000);
	boot_test__done(&r);

	/* It decompresses at pref_address: all of [1 MiB, 20 MiB) is claimed. */
	run(&r, &m, 20 * MiB, 0x1000, NULL);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "beside the kernel [0x100000, 0x1400000)"));
	boot_test__done(&r);
	run(&r, &m, 21 * MiB, 0x1000, NULL);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_uint_eq(initrd_at(&r), 21 * MiB - 0x1000);
	boot_test__done(&r);
}
END_TEST

START_TEST(initrd_placement)
{
	struct img m;
	struct boot_run r;

	img_init(&m);
	/* Unaligned size: rounded down to a page. */
	run(&r, &m, 128 * MiB, 5000, NULL);
	ck_assert_uint_eq(initrd_at(&r), 128 * MiB - 0x2000);
	boot_test__done(&r);

	/* The top of RAM is the kernel's decompression area [16, 20) MiB. */
	run(&r, &m, 20 * MiB, 0x3000, NULL);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_uint_eq(initrd_at(&r), 16 * MiB - 0x3000);
	boot_test__done(&r);

	/* Above 4 GiB when the kernel allows it ... */
	run(&r, &m, 6 * GiB, 0x3000, NULL);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_uint_eq(zero_page(&r)->ext_ramdisk_image, 1);
	ck_assert_uint_eq(initrd_at(&r), 7 * GiB - 0x3000);
	boot_test__done(&r);

	/* ... else under initrd_addr_max. */
	m.h->xloadflags = XLF_KERNEL_64;
	run(&r, &m, 6 * GiB, 0x3000, NULL);
	ck_assert_uint_eq(initrd_at(&r), 2 * GiB - 0x3000);
	boot_test__done(&r);
	m.h->initrd_addr_max = 0x0fffffff;
	run(&r, &m, 1 * GiB, 0x3000, NULL);
	ck_assert_uint_eq(initrd_at(&r), 256 * MiB - 0x3000);
	boot_test__done(&r);
	m.h->initrd_addr_max = 0xffffffff;
	run(&r, &m, 6 * GiB, 0x3000, NULL);
	ck_assert_uint_eq(initrd_at(&r), 3 * GiB - 0x3000);
	boot_test__done(&r);
}
END_TEST

START_TEST(initrd_too_big)
{
	struct img m;
	struct boot_run r;

	img_init(&m);
	/* [1, 16) MiB is all there is beside the kernel's [16, 20) MiB. */
	run(&r, &m, 20 * MiB, 15 * MiB, NULL);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_uint_eq(initrd_at(&r), 1 * MiB);
	boot_test__done(&r);
	run(&r, &m, 20 * MiB, 15 * MiB + 1, NULL);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), r.initrd));
	ck_assert_ptr_nonnull(strstr(err__msg(), "initrd: 15728641 bytes do not fit"));
	boot_test__done(&r);
}
END_TEST

START_TEST(cmdline_size_is_honoured)
{
	char line[300];
	struct img m;
	struct boot_run r;

	img_init(&m);
	m.h->cmdline_size = 16;
	memset(line, 'x', sizeof(line));
	line[16] = 0;
	run(&r, &m, 64 * MiB, 0, line);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_uint_eq(boot_test__op(&r.p, "cmdline")->len, 17);
	boot_test__done(&r);
	line[16] = 'x';
	line[17] = 0;
	run(&r, &m, 64 * MiB, 0, line);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "cmdline: 17 bytes, longer than"));
	ck_assert_ptr_nonnull(strstr(err__msg(), "cmdline_size 16"));
	boot_test__done(&r);
}
END_TEST

/* Each lie gets one line naming the file and the field. */
static void expect_error(const struct img *m, uint64_t mem, const char *what)
{
	struct boot_run r;

	run(&r, m, mem, 0x1000, NULL);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
	ck_assert_msg(strstr(err__msg(), r.kernel) && strstr(err__msg(), what),
		      "\"%s\" lacks \"%s\"", err__msg(), what);
	ck_assert_ptr_null(strchr(err__msg(), '\n'));
	boot_test__done(&r);
}

START_TEST(lying_headers)
{
	struct img m;

	img_init(&m);
	m.h->version = 0x0205;
	expect_error(&m, 64 * MiB, "version: boot protocol 2.05 is older than 2.06");
	img_init(&m);
	m.h->version = 0x020b;
	expect_error(&m, 64 * MiB, "xloadflags: no 64-bit entry");
	img_init(&m);
	m.h->xloadflags = XLF_CAN_BE_LOADED_ABOVE_4G;
	expect_error(&m, 64 * MiB, "xloadflags: no 64-bit entry");
	img_init(&m);
	m.buf[0x201] = 0x20;
	expect_error(&m, 64 * MiB, "setup header: ");
	img_init(&m);
	m.h->loadflags = 0;
	expect_error(&m, 64 * MiB, "loadflags: LOADED_HIGH");
	img_init(&m);
	m.h->setup_sects = 200;
	expect_error(&m, 64 * MiB, "setup_sects: 200 sectors");
	img_init(&m);
	m.h->syssize = KERNEL_LEN / 16 + 1;
	expect_error(&m, 64 * MiB, "syssize: 0x4010 bytes");
	img_init(&m);
	m.h->syssize = 0;
	expect_error(&m, 64 * MiB, "syssize: 0 bytes");
	img_init(&m);
	m.h->payload_length = KERNEL_LEN;
	expect_error(&m, 64 * MiB, "payload_length: payload [0x100, +0x4000)");
	img_init(&m);
	m.h->payload_offset = 0xffffffff;
	expect_error(&m, 64 * MiB, "payload_length");
	img_init(&m);
	m.h->init_size = KERNEL_LEN - 1;
	expect_error(&m, 64 * MiB, "init_size: 0x3fff is smaller");
	img_init(&m);
	m.h->init_size = 0xffffffff;
	expect_error(&m, 64 * MiB, "init_size: the kernel needs [0x1000000, +0xffffffff)");
	img_init(&m);
	m.h->kernel_alignment = 0x300000;
	expect_error(&m, 64 * MiB, "kernel_alignment: 0x300000");
	img_init(&m);
	m.h->pref_address = 17 * MiB;
	expect_error(&m, 64 * MiB, "pref_address: 0x1100000 is not aligned");
	img_init(&m);
	m.h->pref_address = 64 * MiB;
	expect_error(&m, 64 * MiB, "pref_address: kernel [0x4000000, +0x4000) is outside");
	img_init(&m);
	m.h->pref_address = 0;
	expect_error(&m, 64 * MiB, "pref_address: kernel [0, +0x4000)");
	img_init(&m);
	m.h->pref_address = 3 * GiB;            /* the MMIO hole, even with RAM above it */
	expect_error(&m, 8 * GiB, "pref_address");
	img_init(&m);
	m.h->relocatable_kernel = 0;
	m.h->pref_address = 0x10000;            /* would decompress over the loader's data */
	expect_error(&m, 64 * MiB, "init_size: the kernel needs [0x10000, +0x400000)");
}
END_TEST

START_TEST(truncated_files)
{
	static const size_t cuts[] = { 0x206, 0x26b, 0x26c, SETUP_SIZE - 1, SETUP_SIZE,
				       SETUP_SIZE + KERNEL_LEN - 1 };
	static const char *const fields[] = { "setup header", "setup header", "setup_sects",
					      "setup_sects", "syssize", "syssize" };
	struct img m;

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		img_init(&m);
		m.size = cuts[i];
		expect_error(&m, 64 * MiB, fields[i]);
	}
}
END_TEST

/* The vmlinuz of the shared vectors: protocol 2.15, relocatable, 16 MiB. */
START_TEST(debian_kernel)
{
	const char *path = test__shared("vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64");
	const char *rdpath = test__shared("vectors/kernel/initrd.bin");
	struct x86_boot_cfg cfg = {
		.kernel = path, .initrd = rdpath, .cmdline = "console=ttyS0 root=/dev/vda1 ro",
		.mem_size = 128 * MiB, .vcpus = 4,
	};
	const struct boot_params *bp;
	const struct plan_op *k, *rd;
	struct blob file, initrd;
	struct plan p;

	plan__init(&p);
	ck_assert_int_eq(blob__open(&file, path), 0);
	ck_assert_int_eq(blob__open(&initrd, rdpath), 0);
	ck_assert_msg(x86__build_boot_plan(&p, &cfg) == 0, "%s", err__msg());
	ck_assert_int_eq(plan__validate(&p), 0);

	k = boot_test__op(&p, "kernel");
	ck_assert_uint_eq(k->gpa, 0x1000000);
	ck_assert_uint_eq(k->len, 0xd82200);            /* syssize * 16 */
	ck_assert_int_eq(memcmp(k->data, file.data + 40 * 512, k->len), 0);
	ck_assert_uint_eq(p.entry.pc, 0x1000200);

	bp = (const struct boot_params *)boot_test__gpa(&p, 0x7000, 4096);
	ck_assert_int_eq(memcmp(&bp->hdr.setup_sects, file.data + 0x1f1, 0x210 - 0x1f1), 0);
	ck_assert_uint_eq(bp->hdr.version, 0x020f);
	ck_assert_uint_eq(bp->hdr.init_size, 0x3378000);
	ck_assert_uint_eq(bp->hdr.kernel_info_offset,
			  *(const uint32_t *)(file.data + 0x268));
	ck_assert_str_eq(boot_test__gpa(&p, bp->hdr.cmd_line_ptr, 32),
			 "console=ttyS0 root=/dev/vda1 ro");

	rd = boot_test__op(&p, "initrd");
	ck_assert_uint_eq(bp->hdr.ramdisk_image, rd->gpa);
	ck_assert_uint_eq(bp->hdr.ramdisk_image, 128 * MiB - 1 * MiB);
	ck_assert_uint_eq(bp->hdr.ramdisk_size, initrd.size);
	ck_assert_int_eq(memcmp(boot_test__gpa(&p, bp->hdr.ramdisk_image, initrd.size),
				initrd.data, initrd.size), 0);
	blob__close(&file);
	blob__close(&initrd);
	plan__exit(&p);

	/* init_size (51.5 MiB from 16 MiB) must fit. */
	plan__init(&p);
	cfg.mem_size = 64 * MiB;
	ck_assert_int_eq(x86__build_boot_plan(&p, &cfg), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "init_size: the kernel needs [0x1000000, "
					       "+0x3378000)"));
	plan__exit(&p);
}
END_TEST

static Suite *bzimage_suite(void)
{
	Suite *s = suite_create("bzimage");
	TCase *t = tcase_create("core");

	tcase_add_test(t, zero_page_fields);
	tcase_add_test(t, setup_sects_zero_means_four);
	tcase_add_test(t, not_relocatable_loads_at_1m);
	tcase_add_test(t, initrd_placement);
	tcase_add_test(t, initrd_too_big);
	tcase_add_test(t, cmdline_size_is_honoured);
	tcase_add_test(t, lying_headers);
	tcase_add_test(t, truncated_files);
	tcase_add_test(t, debian_kernel);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(bzimage_suite)

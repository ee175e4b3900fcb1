/* QEMU's bzImage setup-header patch: the Debian kernel at several memory
 * sizes, and synthetic headers for the older boot protocols. */
#include <stdlib.h>
#include <string.h>

#include "loader/blob.h"
#include "loader/error.h"
#include "loader/bytes.h"
#include "loader/qemu-setup.h"
#include "tests/unit/test.h"

#define HDR(field)    (offsetof(struct boot_params, hdr.field))
#define SCREEN(field) (offsetof(struct boot_params, screen_info.field))

/* Clears the bytes QEMU may write, so the rest can be compared. */
static void mask(uint8_t *h)
{
	static const struct {
		size_t off;
		int n;
	} f[] = {
		{ HDR(cmd_line_ptr), 4 }, { HDR(type_of_loader), 1 }, { HDR(loadflags), 1 },
		{ HDR(heap_end_ptr), 2 }, { HDR(ramdisk_image), 4 }, { HDR(ramdisk_size), 4 },
		{ HDR(vid_mode), 2 },
		{ SCREEN(cl_magic), 4 },
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		memset(h + f[i].off, 0, f[i].n);
}

/* Debian 6.1: protocol 2.15, LOADED_HIGH, XLF_CAN_BE_LOADED_ABOVE_4G. */
START_TEST(debian_kernel)
{
	static const struct {
		uint64_t mem;
		uint32_t ramdisk;
	} cases[] = {
		{ 1ull << 30, 0x3fed7000 },     /* below_4g 1 GiB - 0x28000 - 1 - 1 MiB */
		{ 2ull << 30, 0x7fed7000 },
		{ 3ull << 30, 0x7fed7000 },     /* q35 keeps 2 GiB below the hole */
		{ 0xafff0000, 0xafec7000 },
	};
	struct blob k;
	uint8_t head[QEMU_SETUP_HEAD], a[QEMU_SETUP_HEAD], b[QEMU_SETUP_HEAD];

	ck_assert_int_eq(blob__open(&k, test__shared("vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64")), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct qemu_linux q = { "console=ttyS0", true, 1 << 20, 0 };

		q.below_4g = cases[i].mem < 0xb0000000 ? cases[i].mem : 0x80000000;
		ck_assert_int_eq(qemu_setup__patch(k.path, k.data, k.size, &q, head), 0);
		ck_assert_uint_eq(bytes__get_le(head + HDR(cmd_line_ptr), 4), 0x20000);
		ck_assert_uint_eq(head[HDR(type_of_loader)], 0xb0);
		ck_assert_uint_eq(head[HDR(loadflags)], k.data[HDR(loadflags)] | CAN_USE_HEAP);
		ck_assert_uint_eq(bytes__get_le(head + HDR(heap_end_ptr), 2), 0xfe00);
		ck_assert_uint_eq(bytes__get_le(head + HDR(ramdisk_image), 4), cases[i].ramdisk);
		ck_assert_uint_eq(bytes__get_le(head + HDR(ramdisk_size), 4), 1 << 20);
		memcpy(a, head, sizeof(a));
		memcpy(b, k.data, sizeof(b));
		mask(a);
		mask(b);
		ck_assert_mem_eq(a, b, sizeof(a));
	}

	/* Without -initrd the ramdisk fields keep the file's values. */
	{
		struct qemu_linux q = { "", false, 0, 2ull << 30 };

		ck_assert_int_eq(qemu_setup__patch(k.path, k.data, k.size, &q, head), 0);
		ck_assert_uint_eq(bytes__get_le(head + HDR(ramdisk_image), 4),
				  bytes__get_le(k.data + HDR(ramdisk_image), 4));
		ck_assert_uint_eq(bytes__get_le(head + HDR(ramdisk_size), 4), 0);
	}
	/* An initrd QEMU cannot place. */
	{
		struct qemu_linux q = { "", true, 0x7ffd7fff, 2ull << 30 };

		ck_assert_int_eq(qemu_setup__patch(k.path, k.data, k.size, &q, head), -1);
		ck_assert_ptr_nonnull(strstr(err__msg(), "initrd"));
	}
	blob__close(&k);
}
END_TEST

START_TEST(vga_modes)
{
	static const struct {
		const char *cmdline;
		uint16_t mode;
	} cases[] = {
		{ "ro vga=normal", 0xffff }, { "vga=ext quiet", 0xfffe }, { "vga=ask", 0xfffd },
		{ "a vga=0x317", 0x317 },    { "vga=791", 791 },
	};
	uint8_t k[0x400] = { 0 }, head[QEMU_SETUP_HEAD];

	bytes__put_le(k + HDR(header), 4, 0x53726448);
	bytes__put_le(k + HDR(version), 2, 0x20f);
	bytes__put_le(k + HDR(vid_mode), 2, 0x1234);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct qemu_linux q = { cases[i].cmdline, false, 0, 1ull << 30 };

		ck_assert_int_eq(qemu_setup__patch("k", k, sizeof(k), &q, head), 0);
		ck_assert_uint_eq(bytes__get_le(head + HDR(vid_mode), 2), cases[i].mode);
	}
	{
		struct qemu_linux q = { "console=ttyS0", false, 0, 1ull << 30 };

		ck_assert_int_eq(qemu_setup__patch("k", k, sizeof(k), &q, head), 0);
		ck_assert_uint_eq(bytes__get_le(head + HDR(vid_mode), 2), 0x1234);
	}
}
END_TEST

/* Protocol 2.01 and no LOADED_HIGH: setup at 0x90000, the command line
 * below 0x9a000, announced through the old cl_magic/cl_offset pair. */
START_TEST(old_protocols)
{
	uint8_t k[0x400] = { 0 }, head[QEMU_SETUP_HEAD];
	struct qemu_linux q = { "abc", true, 0x1000, 1ull << 30 };

	bytes__put_le(k + HDR(header), 4, 0x53726448);
	bytes__put_le(k + HDR(version), 2, 0x201);
	ck_assert_int_eq(qemu_setup__patch("k", k, sizeof(k), &q, head), 0);
	ck_assert_uint_eq(bytes__get_le(head + SCREEN(cl_magic), 2), 0xa33f);
	ck_assert_uint_eq(bytes__get_le(head + SCREEN(cl_offset), 2), 0x9ff0);
	ck_assert_uint_eq(bytes__get_le(head + HDR(cmd_line_ptr), 4), 0);
	ck_assert_uint_eq(bytes__get_le(head + HDR(heap_end_ptr), 2), 0x9df0);
	ck_assert_uint_eq(head[HDR(type_of_loader)], 0xb0);
	ck_assert_uint_eq(bytes__get_le(head + HDR(ramdisk_image), 4), (0x37ffffff - 0x1000) & ~0xfff);

	/* 2.03..2.0b: initrd_addr_max from the header; no LOADED_HIGH keeps
	 * the low command line even though cmd_line_ptr is written. */
	bytes__put_le(k + HDR(version), 2, 0x20b);
	bytes__put_le(k + HDR(initrd_addr_max), 4, 0x1000000);
	ck_assert_int_eq(qemu_setup__patch("k", k, sizeof(k), &q, head), 0);
	ck_assert_uint_eq(bytes__get_le(head + HDR(cmd_line_ptr), 4), 0x99ff0);
	ck_assert_uint_eq(bytes__get_le(head + HDR(ramdisk_image), 4), 0xfff000);

	/* No "HdrS": protocol 0, only the old command-line magic, no initrd. */
	bytes__put_le(k + HDR(header), 4, 0);
	q.initrd = false;
	ck_assert_int_eq(qemu_setup__patch("k", k, sizeof(k), &q, head), 0);
	ck_assert_uint_eq(bytes__get_le(head + SCREEN(cl_magic), 2), 0xa33f);
	ck_assert_uint_eq(head[HDR(type_of_loader)], 0);
	q.initrd = true;
	ck_assert_int_eq(qemu_setup__patch("k", k, sizeof(k), &q, head), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "k: setup header version"));

	ck_assert_int_eq(qemu_setup__patch("k", k, 0x200, &q, head), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "k: setup header: the file has 512 bytes"));
	q.below_4g = 0x28000;
	ck_assert_int_eq(qemu_setup__patch("k", k, sizeof(k), &q, head), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "memory"));
}
END_TEST

static Suite *qemu_setup_suite(void)
{
	Suite *s = suite_create("qemu-setup");
	TCase *t = tcase_create("patch");

	tcase_add_test(t, debian_kernel);
	tcase_add_test(t, vga_modes);
	tcase_add_test(t, old_protocols);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(qemu_setup_suite)

#include <string.h>

#include "loader/bytes.h"
#include "loader/error.h"
#include "tests/unit/fake-ram.h"
#include "tests/unit/test.h"
#include "vmm/fw-cfg.h"

/* Expected values come from QEMU's docs/specs/fw_cfg.rst and
 * include/uapi/linux/qemu_fw_cfg.h, not from fw-cfg.c. */

#define RAM_BASE 0x10000ull
#define RAM_SIZE 0x10000ull
#define DESC     (RAM_BASE + 0x100)     /* where the tests put descriptors */
#define BUF      (RAM_BASE + 0x1000)    /* and where DMA lands */

static uint8_t mem[RAM_SIZE];
static struct fake_ram ram = { RAM_BASE, RAM_SIZE, mem };
static const struct fw_cfg_guest guest = { fake_ram__ptr, &ram };
static struct fw_cfg f;

static const uint8_t ram_size[8] = { 0, 0, 0, 0x20 };          /* le64 512 MiB */
static const uint8_t cpus[2] = { 4, 0 };
static const uint8_t irq0[4] = { 1, 0, 0, 0 };
static const uint8_t blob_a[] = "the first file";
static const uint8_t blob_z[300] = { [0] = 0xaa, [299] = 0x55 };

/* Given out of order, to see the directory sort them. */
static const struct fw_cfg_item items[] = {
	{ .name = "etc/table-loader", .data = blob_z, .len = sizeof(blob_z) },
	{ .key = FW_CFG_RAM_SIZE, .data = ram_size, .len = sizeof(ram_size) },
	{ .name = "bootorder", .data = NULL, .len = 0 },
	{ .name = "etc/acpi/tables", .data = blob_a, .len = sizeof(blob_a) },
	{ .key = FW_CFG_NB_CPUS, .data = cpus, .len = sizeof(cpus) },
	{ .key = FW_CFG_ARCH_LOCAL + 2, .data = irq0, .len = sizeof(irq0) },
	{ .name = "etc/acpi/rsdp", .data = blob_a, .len = 5 },
};
#define NITEMS (sizeof(items) / sizeof(items[0]))

static void setup(void)
{
	memset(mem, 0, sizeof(mem));
	ck_assert_int_eq(fw_cfg__init(&f, items, NITEMS, &guest), 0);
}

static void teardown(void)
{
	fw_cfg__exit(&f);
}

static void sel(uint16_t key)
{
	uint8_t b[2];

	bytes__put_le(b, 2, key);
	fw_cfg__io(&f, 0, true, b, 2);
}

static uint8_t rd8(unsigned off)
{
	uint8_t b = 0x5a;

	fw_cfg__io(&f, off, false, &b, 1);
	return b;
}

static void rd(uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = rd8(1);
}

/* Kicks a DMA transfer with the descriptor at GPA: the big-endian address
 * as two 32-bit port writes, high half first, as OVMF and Linux do. */
static void dma_kick(uint64_t gpa)
{
	uint8_t b[4];

	bytes__put_be(b, 4, gpa >> 32);
	fw_cfg__io(&f, 4, true, b, 4);
	bytes__put_be(b, 4, (uint32_t)gpa);
	fw_cfg__io(&f, 8, true, b, 4);
}

static uint32_t dma(uint32_t control, uint32_t len, uint64_t addr)
{
	uint8_t *d = mem + (DESC - RAM_BASE);

	bytes__put_be(d, 4, control);
	bytes__put_be(d + 4, 4, len);
	bytes__put_be(d + 8, 8, addr);
	dma_kick(DESC);
	return bytes__get_be(d, 4);
}

START_TEST(signature_and_id)
{
	uint8_t b[8];

	/* Power-on selects the signature; either port offset reads data. */
	b[0] = rd8(0);
	b[1] = rd8(1);
	b[2] = rd8(0);
	b[3] = rd8(1);
	ck_assert_int_eq(memcmp(b, "QEMU", 4), 0);
	ck_assert_uint_eq(rd8(1), 0);           /* past the end */
	sel(FW_CFG_ID);
	rd(b, 4);
	ck_assert_uint_eq(bytes__get_le(b, 4), 3);      /* traditional + DMA */
	/* Reading the DMA register: "QEMU CFG", any width. */
	fw_cfg__io(&f, 4, false, b, 4);
	fw_cfg__io(&f, 8, false, b + 4, 4);
	ck_assert_int_eq(memcmp(b, "QEMU CFG", 8), 0);
	fw_cfg__io(&f, 6, false, b, 1);
	ck_assert_uint_eq(b[0], 'M');
}
END_TEST

START_TEST(directory_sorted_big_endian)
{
	static const char *order[] = { "bootorder", "etc/acpi/rsdp", "etc/acpi/tables",
				       "etc/table-loader" };
	static const uint32_t sizes[] = { 0, 5, sizeof(blob_a), sizeof(blob_z) };
	uint8_t b[64];

	sel(FW_CFG_FILE_DIR);
	rd(b, 4);
	ck_assert_uint_eq(bytes__get_be(b, 4), 4);
	for (int i = 0; i < 4; i++) {
		rd(b, 64);
		ck_assert_uint_eq(bytes__get_be(b, 4), sizes[i]);
		ck_assert_uint_eq(bytes__get_be(b + 4, 2), FW_CFG_FILE_FIRST + i);
		ck_assert_uint_eq(bytes__get_be(b + 6, 2), 0);
		ck_assert_str_eq((char *)b + 8, order[i]);
		for (int j = 8 + strlen(order[i]); j < 64; j++)
			ck_assert_uint_eq(b[j], 0);
	}
	ck_assert_uint_eq(rd8(1), 0);           /* the directory ends there */
}
END_TEST

START_TEST(files_by_key)
{
	uint8_t b[300];

	sel(FW_CFG_FILE_FIRST + 2);             /* etc/acpi/tables */
	rd(b, sizeof(blob_a));
	ck_assert_int_eq(memcmp(b, blob_a, sizeof(blob_a)), 0);
	ck_assert_uint_eq(rd8(1), 0);
	sel(FW_CFG_FILE_FIRST + 3);
	rd(b, sizeof(b));
	ck_assert_int_eq(memcmp(b, blob_z, sizeof(b)), 0);
	sel(FW_CFG_FILE_FIRST + 1);             /* the same bytes, 5 of them */
	rd(b, 6);
	ck_assert_int_eq(memcmp(b, "the f\0", 6), 0);
	sel(FW_CFG_FILE_FIRST);                 /* empty file */
	ck_assert_uint_eq(rd8(1), 0);
	sel(FW_CFG_FILE_FIRST + 4);             /* no such file */
	ck_assert_uint_eq(rd8(1), 0);
}
END_TEST

START_TEST(selector_bits)
{
	uint8_t b[8];

	/* Bit 14 (write channel) selects the same item. */
	sel(FW_CFG_WRITE_CHANNEL | FW_CFG_RAM_SIZE);
	rd(b, 8);
	ck_assert_int_eq(memcmp(b, ram_size, 8), 0);
	/* Bit 15: the arch-local space is separate. */
	sel(FW_CFG_ARCH_LOCAL | 2);
	rd(b, 4);
	ck_assert_int_eq(memcmp(b, irq0, 4), 0);
	sel(2);                                 /* generic key 2 (UUID): not given */
	ck_assert_uint_eq(rd8(1), 0);
	sel(FW_CFG_ARCH_LOCAL | FW_CFG_RAM_SIZE);
	ck_assert_uint_eq(rd8(1), 0);
	sel(FW_CFG_INVALID);
	ck_assert_uint_eq(rd8(1), 0);
	/* Selecting again starts over. */
	sel(FW_CFG_NB_CPUS);
	ck_assert_uint_eq(rd8(1), 4);
	sel(FW_CFG_NB_CPUS);
	ck_assert_uint_eq(rd8(1), 4);
	ck_assert_uint_eq(rd8(1), 0);
}
END_TEST

START_TEST(undecoded_accesses)
{
	uint8_t b[4] = { FW_CFG_RAM_SIZE, 0, 0, 0 };

	sel(FW_CFG_NB_CPUS);
	/* A byte write to the data port is ignored (QEMU >= 2.4) and a
	 * 32-bit write is no selector write: the selection stays. */
	fw_cfg__io(&f, 1, true, b, 1);
	fw_cfg__io(&f, 0, true, b, 1);
	fw_cfg__io(&f, 0, true, b, 4);
	ck_assert_uint_eq(rd8(1), 4);
	/* Wide data reads and the unused ports 2-3 read as all-ones. */
	fw_cfg__io(&f, 0, false, b, 2);
	ck_assert_uint_eq(bytes__get_le(b, 2), 0xffff);
	fw_cfg__io(&f, 2, false, b, 2);
	ck_assert_uint_eq(bytes__get_le(b, 2), 0xffff);
	ck_assert_uint_eq(rd8(1), 0);           /* none of that consumed data */
	/* A 16-bit DMA write starts nothing. */
	b[0] = b[1] = 0;
	fw_cfg__io(&f, 8, true, b, 2);
	ck_assert_uint_eq(f.dma_addr, 0);
}
END_TEST

START_TEST(dma_select_and_read)
{
	uint8_t *buf = mem + (BUF - RAM_BASE);

	memset(buf, 0xcc, 64);
	ck_assert_uint_eq(dma(FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ |
			      (FW_CFG_FILE_FIRST + 2) << 16, 4, BUF), 0);
	ck_assert_int_eq(memcmp(buf, "the ", 4), 0);
	ck_assert_uint_eq(buf[4], 0xcc);
	/* No select: the offset carries on, also across the data port. */
	ck_assert_uint_eq(dma(FW_CFG_DMA_CTL_READ, 5, BUF), 0);
	ck_assert_int_eq(memcmp(buf, "first", 5), 0);
	ck_assert_uint_eq(rd8(1), ' ');
	/* Past the end the rest is zero-filled. */
	ck_assert_uint_eq(dma(FW_CFG_DMA_CTL_READ, 20, BUF), 0);
	ck_assert_int_eq(memcmp(buf, "file", 5), 0);
	for (int i = 5; i < 20; i++)
		ck_assert_uint_eq(buf[i], 0);
	ck_assert_uint_eq(buf[20], 0xcc);
	/* Reading an unset key zero-fills. */
	memset(buf, 0xcc, 64);
	ck_assert_uint_eq(dma(FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ | 0x2 << 16, 16, BUF), 0);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(buf[i], 0);
	/* The address register is back to 0 after an operation: a low-half
	 * write alone finds the descriptor below 4 GiB. */
	ck_assert_uint_eq(f.dma_addr, 0);
}
END_TEST

START_TEST(dma_skip_and_select_only)
{
	uint8_t *buf = mem + (BUF - RAM_BASE);

	ck_assert_uint_eq(dma(FW_CFG_DMA_CTL_SELECT | (FW_CFG_FILE_FIRST + 3) << 16, 123, BUF), 0);
	ck_assert_uint_eq(rd8(1), 0xaa);        /* select alone: offset 0, nothing moved */
	ck_assert_uint_eq(dma(FW_CFG_DMA_CTL_SKIP, 298, 0), 0);
	ck_assert_uint_eq(rd8(1), 0x55);        /* byte 299 */
	/* A skip past the end is a no-op, however long. */
	ck_assert_uint_eq(dma(FW_CFG_DMA_CTL_SKIP, UINT32_MAX, 0), 0);
	ck_assert_uint_eq(rd8(1), 0);
	/* Read wins over skip, as in QEMU. */
	memset(buf, 0xcc, 4);
	ck_assert_uint_eq(dma(FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ | FW_CFG_DMA_CTL_SKIP |
			      FW_CFG_NB_CPUS << 16, 2, BUF), 0);
	ck_assert_uint_eq(buf[0], 4);
	ck_assert_uint_eq(buf[1], 0);
	ck_assert_uint_eq(buf[2], 0xcc);
}
END_TEST

START_TEST(dma_write_refused)
{
	uint8_t *buf = mem + (BUF - RAM_BASE);

	memset(buf, 0x11, 8);
	/* Every item is read-only: error, the item unchanged. */
	ck_assert_uint_eq(dma(FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE |
			      FW_CFG_RAM_SIZE << 16, 8, BUF), FW_CFG_DMA_CTL_ERROR);
	sel(FW_CFG_RAM_SIZE);
	ck_assert_uint_eq(rd8(1), 0);
	ck_assert_uint_eq(rd8(1), 0);
	ck_assert_uint_eq(rd8(1), 0);
	ck_assert_uint_eq(rd8(1), 0x20);
	ck_assert_uint_eq(dma(FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE | 0x3fff << 16, 1, BUF),
			  FW_CFG_DMA_CTL_ERROR);
	ck_assert_uint_eq(dma(FW_CFG_DMA_CTL_WRITE, 0, BUF), 0);      /* nothing to write */
}
END_TEST

START_TEST(dma_hostile_destinations)
{
	uint8_t before[RAM_SIZE];
	uint32_t sel_tables = FW_CFG_DMA_CTL_SELECT | (FW_CFG_FILE_FIRST + 2) << 16;

	/* Below RAM, past its end, straddling the end, wrapping, and a 4 GiB
	 * read whose zero-fill would run past RAM. */
	static const struct { uint32_t len; uint64_t addr; } bad[] = {
		{ 4, 0 }, { 4, RAM_BASE - 1 }, { 4, RAM_BASE + RAM_SIZE },
		{ 8, RAM_BASE + RAM_SIZE - 4 }, { 16, UINT64_MAX - 7 },
		{ UINT32_MAX, BUF },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(before, mem, sizeof(mem));
		ck_assert_uint_eq(dma(sel_tables | FW_CFG_DMA_CTL_READ, bad[i].len, bad[i].addr),
				  FW_CFG_DMA_CTL_ERROR);
		/* Only the descriptor changed, except in the last case,
		 * whose first part (the item) landed before the tail failed. */
		memcpy(before + (DESC - RAM_BASE), mem + (DESC - RAM_BASE), 16);
		if (bad[i].len == UINT32_MAX)
			memcpy(before + (BUF - RAM_BASE), blob_a, sizeof(blob_a));
		ck_assert_msg(!memcmp(before, mem, sizeof(mem)), "case %zu", i);
	}
}
END_TEST

START_TEST(dma_hostile_descriptors)
{
	uint8_t *end = mem + RAM_SIZE;

	/* Descriptor outside RAM: nothing to report it in, nothing happens. */
	sel(FW_CFG_NB_CPUS);
	dma_kick(0x1000);
	dma_kick(UINT64_MAX - 3);
	dma_kick(RAM_BASE + RAM_SIZE);
	ck_assert_uint_eq(rd8(1), 4);
	/* Straddling the end of RAM: its control word gets the error bit. */
	bytes__put_be(end - 8, 4, FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ);
	dma_kick(RAM_BASE + RAM_SIZE - 8);
	ck_assert_uint_eq(bytes__get_be(end - 8, 4), FW_CFG_DMA_CTL_ERROR);
	ck_assert_uint_eq(rd8(1), 0);           /* nothing was selected */
	/* The high half alone starts nothing; the low half uses it. */
	{
		uint8_t b[4] = { 0, 0, 0, 1 };

		fw_cfg__io(&f, 4, true, b, 4);
		ck_assert_uint_eq(f.dma_addr, 1ull << 32);
		bytes__put_be(b, 4, DESC);
		bytes__put_be(mem + (DESC - RAM_BASE), 4, FW_CFG_DMA_CTL_SKIP);
		fw_cfg__io(&f, 8, true, b, 4);  /* at 4 GiB + DESC: outside */
		ck_assert_uint_eq(bytes__get_be(mem + (DESC - RAM_BASE), 4), FW_CFG_DMA_CTL_SKIP);
		ck_assert_uint_eq(f.dma_addr, 0);
	}
	/* A descriptor that reads over itself: the status still lands. */
	ck_assert_uint_eq(dma(FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ |
			      (FW_CFG_FILE_FIRST + 3) << 16, 16, DESC), 0);
}
END_TEST

START_TEST(bad_item_lists)
{
	static const uint8_t one = 1;
	struct fw_cfg_item it[2];
	struct fw_cfg g;

	memset(it, 0, sizeof(it));
	strcpy(it[0].name, "etc/x");
	strcpy(it[1].name, "etc/x");
	ck_assert_int_eq(fw_cfg__init(&g, it, 2, &guest), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "two files named etc/x"));

	memset(it, 0, sizeof(it));
	it[0].key = it[1].key = FW_CFG_UUID;
	ck_assert_int_eq(fw_cfg__init(&g, it, 2, &guest), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "key 0x2 given twice"));

	static const uint16_t reserved[] = { FW_CFG_ID, FW_CFG_FILE_DIR, FW_CFG_FILE_FIRST,
					     FW_CFG_ARCH_LOCAL | FW_CFG_FILE_FIRST, 0x4005 };
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		memset(it, 0, sizeof(it));
		it[0].key = reserved[i];
		ck_assert_int_eq(fw_cfg__init(&g, it, 1, &guest), -1);
		ck_assert_ptr_nonnull(strstr(err__msg(), "not a legacy key"));
	}

	memset(it, 0, sizeof(it));              /* key 0 and no name */
	ck_assert_int_eq(fw_cfg__init(&g, it, 1, &guest), -1);
	memset(it[0].name, 'a', sizeof(it[0].name));    /* no NUL */
	ck_assert_int_eq(fw_cfg__init(&g, it, 1, &guest), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "1 to 55 characters"));

	memset(it, 0, sizeof(it));
	it[0].key = FW_CFG_UUID;
	strcpy(it[0].name, "named");
	ck_assert_int_eq(fw_cfg__init(&g, it, 1, &guest), -1);

	memset(it, 0, sizeof(it));
	strcpy(it[0].name, "big");
	it[0].data = &one;
	it[0].len = UINT32_MAX;                 /* never read: refused first */
	ck_assert_int_eq(fw_cfg__init(&g, it, 1, &guest), -1);
	it[0].data = NULL;
	it[0].len = 1;
	ck_assert_int_eq(fw_cfg__init(&g, it, 1, &guest), -1);

	/* No items at all: signature, ID and an empty directory. */
	ck_assert_int_eq(fw_cfg__init(&g, NULL, 0, &guest), 0);
	fw_cfg__exit(&g);
}
END_TEST

static Suite *fw_cfg_suite(void)
{
	Suite *s = suite_create("fw-cfg");
	TCase *t = tcase_create("model");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, signature_and_id);
	tcase_add_test(t, directory_sorted_big_endian);
	tcase_add_test(t, files_by_key);
	tcase_add_test(t, selector_bits);
	tcase_add_test(t, undecoded_accesses);
	tcase_add_test(t, dma_select_and_read);
	tcase_add_test(t, dma_skip_and_select_only);
	tcase_add_test(t, dma_write_refused);
	tcase_add_test(t, dma_hostile_destinations);
	tcase_add_test(t, dma_hostile_descriptors);
	tcase_add_test(t, bad_item_lists);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(fw_cfg_suite)

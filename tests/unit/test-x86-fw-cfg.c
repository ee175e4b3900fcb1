#include <stdlib.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "arch/x86/bootparam.h"
#include "arch/x86/fw-cfg.h"
#include "loader/bytes.h"
#include "loader/error.h"
#include "measure/qemu-setup.h"
#include "tests/unit/fake-ram.h"
#include "tests/unit/test.h"
#include "vmm/fw-cfg.h"

/* The x86 items, read back through the device the way OVMF reads them
 * (QemuFwCfgLib: select, then DMA; QemuFwCfgFindFile: the directory), so
 * builder and model are checked together. */

#define KERNEL "vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64"
#define INITRD "vectors/kernel/initrd.bin"
#define RAM_BASE 0x100000ull
#define RAM_SIZE (24ull << 20)  /* room for the 8 MiB kernel */
#define DESC RAM_BASE

static struct fake_ram ram = { RAM_BASE, RAM_SIZE, NULL };
static const struct fw_cfg_guest guest = { fake_ram__ptr, &ram };

static void setup(void)
{
	ram.mem = calloc(1, RAM_SIZE);
}

static void teardown(void)
{
	free(ram.mem);
}

/* Reads LEN bytes of item KEY by DMA into RAM_BASE + 0x1000; returns them. */
static const uint8_t *dma_read(struct fw_cfg *f, uint16_t key, uint32_t len)
{
	uint8_t *d = ram.mem, b[4];

	bytes__put_be(d, 4, FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ | (uint32_t)key << 16);
	bytes__put_be(d + 4, 4, len);
	bytes__put_be(d + 8, 8, RAM_BASE + 0x1000);
	bytes__put_be(b, 4, 0);
	fw_cfg__io(f, FW_CFG_IO_DMA, true, b, 4);
	bytes__put_be(b, 4, DESC);
	fw_cfg__io(f, FW_CFG_IO_DMA + 4, true, b, 4);
	ck_assert_uint_eq(bytes__get_be(d, 4), 0);
	return ram.mem + 0x1000;
}

static uint64_t read_int(struct fw_cfg *f, uint16_t key, unsigned size)
{
	return bytes__get_le(dma_read(f, key, size), size);
}

/* QemuFwCfgFindFile: the directory entry NAME; its key and size. */
static uint16_t find_file(struct fw_cfg *f, const char *name, uint32_t *size)
{
	uint32_t n = bytes__get_be(dma_read(f, FW_CFG_FILE_DIR, 4), 4);
	const uint8_t *dir = dma_read(f, FW_CFG_FILE_DIR, 4 + 64 * n) + 4;

	for (uint32_t i = 0; i < n; i++)
		if (!strcmp((const char *)dir + 64 * i + 8, name)) {
			*size = bytes__get_be(dir + 64 * i, 4);
			return bytes__get_be(dir + 64 * i + 4, 2);
		}
	ck_abort_msg("%s not in the directory", name);
	return 0;
}

START_TEST(machine_items)
{
	static const struct {
		uint64_t mem;
		uint32_t vcpus, n;
	} cases[] = { { 512ull << 20, 2, 1 }, { 3ull << 30, 1, 1 }, { 8ull << 30, 254, 2 } };

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct fw_cfg_list l;
		struct fw_cfg f;
		struct plan p;
		const uint8_t *e;
		uint32_t size;
		uint16_t key;

		plan__init(&p);
		fw_cfg_list__init(&l);
		ck_assert_int_eq(x86__fw_cfg_machine(&p, &l, cases[c].mem, cases[c].vcpus), 0);
		ck_assert_int_eq(fw_cfg__init(&f, l.items, l.n, &guest), 0);
		ck_assert_uint_eq(read_int(&f, FW_CFG_NB_CPUS, 2), cases[c].vcpus);
		ck_assert_uint_eq(read_int(&f, FW_CFG_MAX_CPUS, 2), cases[c].vcpus);
		ck_assert_uint_eq(read_int(&f, FW_CFG_RAM_SIZE, 8), cases[c].mem);
		ck_assert_uint_eq(read_int(&f, FW_CFG_NOGRAPHIC, 2), 1);
		ck_assert_uint_eq(read_int(&f, FW_CFG_BOOT_MENU, 2), 0);
		ck_assert_uint_eq(read_int(&f, FW_CFG_ARCH_LOCAL | 2, 4), 1);  /* IRQ0 override */
		e = dma_read(&f, FW_CFG_UUID, 16);
		for (int i = 0; i < 16; i++)
			ck_assert_uint_eq(e[i], 0);
		/* etc/e820: RAM from 0 to the hole (3 GiB at most), then 4 GiB up. */
		key = find_file(&f, "etc/e820", &size);
		ck_assert_uint_eq(size, 20 * cases[c].n);
		e = dma_read(&f, key, size);
		ck_assert_uint_eq(bytes__get_le(e, 8), 0);
		ck_assert_uint_eq(bytes__get_le(e + 8, 8),
				  cases[c].mem < (3ull << 30) ? cases[c].mem : 3ull << 30);
		ck_assert_uint_eq(bytes__get_le(e + 16, 4), 1);
		if (cases[c].n == 2) {
			ck_assert_uint_eq(bytes__get_le(e + 20, 8), 4ull << 30);
			ck_assert_uint_eq(bytes__get_le(e + 28, 8), cases[c].mem - (3ull << 30));
			ck_assert_uint_eq(bytes__get_le(e + 36, 4), 1);
		}
		fw_cfg__exit(&f);
		fw_cfg_list__exit(&l);
		plan__exit(&p);
	}
}
END_TEST

/* QemuKernelLoaderFsDxe's "kernel": SETUP_DATA then KERNEL_DATA. */
START_TEST(linux_split_as_qemu)
{
	struct blob k, i;
	struct fw_cfg_list l;
	struct fw_cfg f;
	struct plan p;
	struct x86_fw_cfg_linux cfg = { &k, &i, "console=ttyS0 root=/dev/vda1", NULL, 0 };
	uint32_t setup, kernel;

	ck_assert_int_eq(blob__open(&k, test__shared(KERNEL)), 0);
	ck_assert_int_eq(blob__open(&i, test__shared(INITRD)), 0);
	plan__init(&p);
	fw_cfg_list__init(&l);
	ck_assert_msg(x86__fw_cfg_linux(&p, &l, &cfg) == 0, "%s", err__msg());
	ck_assert_int_eq(fw_cfg__init(&f, l.items, l.n, &guest), 0);

	setup = read_int(&f, FW_CFG_SETUP_SIZE, 4);
	ck_assert_uint_eq(setup, (k.data[0x1f1] + 1) * 512u);
	kernel = read_int(&f, FW_CFG_KERNEL_SIZE, 4);
	ck_assert_uint_eq(setup + kernel, k.size);
	ck_assert_int_eq(memcmp(dma_read(&f, FW_CFG_SETUP_DATA, setup), k.data, setup), 0);
	ck_assert_int_eq(memcmp(dma_read(&f, FW_CFG_KERNEL_DATA, kernel), k.data + setup, kernel), 0);
	ck_assert_uint_eq(read_int(&f, FW_CFG_CMDLINE_SIZE, 4), 29);
	ck_assert_int_eq(memcmp(dma_read(&f, FW_CFG_CMDLINE_DATA, 29), cfg.cmdline, 29), 0);
	ck_assert_uint_eq(read_int(&f, FW_CFG_INITRD_SIZE, 4), i.size);
	ck_assert_int_eq(memcmp(dma_read(&f, FW_CFG_INITRD_DATA, i.size), i.data, i.size), 0);
	/* Not served: the load addresses (SeaBIOS only). */
	ck_assert_ptr_null(fw_cfg_list__find(&l, FW_CFG_KERNEL_ADDR, NULL));
	ck_assert_ptr_null(fw_cfg_list__find(&l, FW_CFG_SETUP_ADDR, NULL));
	fw_cfg__exit(&f);
	fw_cfg_list__exit(&l);
	plan__exit(&p);
	blob__close(&k);
	blob__close(&i);
}
END_TEST

/* With QEMU's patched header (as for TDX), the setup differs from the file
 * exactly there; without initrd or command line, their items say so. */
START_TEST(linux_patched_head)
{
	struct qemu_linux q = { "", false, 0, 3ull << 30 };
	uint8_t head[QEMU_SETUP_HEAD];
	struct fw_cfg_list l;
	struct plan p;
	struct blob k;
	struct x86_fw_cfg_linux cfg = { &k, NULL, NULL, head, sizeof(head) };
	const struct fw_cfg_item *s, *c;

	ck_assert_int_eq(blob__open(&k, test__shared(KERNEL)), 0);
	ck_assert_int_eq(qemu_setup__patch(k.path, k.data, k.size, &q, head), 0);
	plan__init(&p);
	fw_cfg_list__init(&l);
	ck_assert_int_eq(x86__fw_cfg_linux(&p, &l, &cfg), 0);
	s = fw_cfg_list__find(&l, FW_CFG_SETUP_DATA, NULL);
	ck_assert_int_eq(memcmp(s->data, head, sizeof(head)), 0);
	ck_assert_int_eq(memcmp(s->data + sizeof(head), k.data + sizeof(head),
				s->len - sizeof(head)), 0);
	ck_assert_int_ne(memcmp(s->data, k.data, sizeof(head)), 0);
	c = fw_cfg_list__find(&l, FW_CFG_CMDLINE_DATA, NULL);
	ck_assert_uint_eq(c->len, 1);
	ck_assert_uint_eq(c->data[0], 0);
	ck_assert_ptr_null(fw_cfg_list__find(&l, FW_CFG_INITRD_SIZE, NULL));
	fw_cfg_list__exit(&l);
	plan__exit(&p);
	blob__close(&k);
}
END_TEST

START_TEST(linux_refuses)
{
	static uint8_t img[0x1000];
	struct blob k = { "k", img, sizeof(img) };
	struct x86_fw_cfg_linux cfg = { &k, NULL, NULL, NULL, 0 };
	struct fw_cfg_list l;
	struct plan p;

	plan__init(&p);
	fw_cfg_list__init(&l);
	memcpy(img, "\x7f" "ELF", 4);
	ck_assert_int_eq(x86__fw_cfg_linux(&p, &l, &cfg), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "k: not a bzImage"));
	memcpy(img + 0x202, "HdrS", 4);
	img[0x1f1] = 7;                         /* 4 KiB of setup: nothing left */
	ck_assert_int_eq(x86__fw_cfg_linux(&p, &l, &cfg), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "setup_sects"));
	img[0x1f1] = 0;                         /* 0 means 4: 2.5 KiB */
	cfg.setup_head = img;
	cfg.setup_head_len = 0xa01;
	ck_assert_int_eq(x86__fw_cfg_linux(&p, &l, &cfg), -1);
	cfg.setup_head_len = 0xa00;
	ck_assert_int_eq(x86__fw_cfg_linux(&p, &l, &cfg), 0);
	ck_assert_uint_eq(fw_cfg_list__find(&l, FW_CFG_KERNEL_DATA, NULL)->len, 0x600);
	fw_cfg_list__exit(&l);
	plan__exit(&p);
}
END_TEST

/* Everything a firmware boot serves, through one device: the ACPI files
 * come out as the table-loader expects. */
START_TEST(all_items_one_device)
{
	struct x86_acpi_cfg acpi = { .vcpus = 2, .fw_cfg = true };
	struct fw_cfg_list l;
	struct fw_cfg f;
	struct plan p;
	uint32_t size;
	uint16_t key;

	plan__init(&p);
	fw_cfg_list__init(&l);
	ck_assert_int_eq(x86__fw_cfg_machine(&p, &l, 1ull << 30, 2), 0);
	ck_assert_int_eq(x86__acpi_fw_cfg(&p, &l, &acpi), 0);
	ck_assert_int_eq(fw_cfg__init(&f, l.items, l.n, &guest), 0);
	/* Sorted: etc/acpi/rsdp, etc/acpi/tables, etc/e820, etc/table-loader. */
	ck_assert_uint_eq(find_file(&f, "etc/acpi/rsdp", &size), FW_CFG_FILE_FIRST);
	ck_assert_uint_eq(size, 36);
	ck_assert_int_eq(memcmp(dma_read(&f, FW_CFG_FILE_FIRST, 8), "RSD PTR ", 8), 0);
	ck_assert_uint_eq(find_file(&f, "etc/acpi/tables", &size), FW_CFG_FILE_FIRST + 1);
	ck_assert_uint_eq(size, 0x20000);
	ck_assert_uint_eq(find_file(&f, "etc/e820", &size), FW_CFG_FILE_FIRST + 2);
	key = find_file(&f, "etc/table-loader", &size);
	ck_assert_uint_eq(key, FW_CFG_FILE_FIRST + 3);
	ck_assert_uint_eq(size, 4096);
	ck_assert_uint_eq(bytes__get_le(dma_read(&f, key, 4), 4), 1);   /* ALLOCATE */
	fw_cfg__exit(&f);
	fw_cfg_list__exit(&l);
	plan__exit(&p);
}
END_TEST

static Suite *x86_fw_cfg_suite(void)
{
	Suite *s = suite_create("x86-fw-cfg");
	TCase *t = tcase_create("items");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, machine_items);
	tcase_add_test(t, linux_split_as_qemu);
	tcase_add_test(t, linux_patched_head);
	tcase_add_test(t, linux_refuses);
	tcase_add_test(t, all_items_one_device);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(x86_fw_cfg_suite)

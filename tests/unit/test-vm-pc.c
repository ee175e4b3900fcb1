/* The i440FX + PIIX4 ports, fw_cfg and the debug console wired into the VM,
 * against the fake KVM: which ranges answer on which boot, fw_cfg DMA into
 * guest RAM (and hostile descriptors refused), the firmware log, and ACPI
 * poweroff ending the VM. */
#include <errno.h>
#include <linux/qemu_fw_cfg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/bytes.h"
#include "loader/error.h"
#include "tests/unit/boot-test.h"
#include "tests/unit/fake/fake-kvm.h"
#include "tests/unit/test.h"
#include "tests/unit/vm-test.h"

#define MIB (1ull << 20)
#define PM1_CNT 0xb004
#define SLP_EN 0x2000

static struct vm_test t;
static char *fw, *log_file;

static void setup(void)
{
	fake__install();
	vm_test__init(&t);
	/* A 64 KiB image: the fake never runs it, the VMM only places it. */
	fw = boot_test__file("", 0, 64 << 10);
	log_file = boot_test__file("", 0, 0);
}

static void teardown(void)
{
	boot_test__remove(fw);
	boot_test__remove(log_file);
	vm_test__exit(&t);
	fake__uninstall();
}

static void out32(uint16_t port, uint32_t v)
{
	uint8_t b[4];

	bytes__put_le(b, 4, v);
	fake__io(0, true, port, 4, 1, b);
}

static struct fake_step *in(uint16_t port, uint8_t size)
{
	return fake__io(0, false, port, size, 1, NULL);
}

static void poweroff(void)
{
	uint8_t b[2];

	bytes__put_le(b, 2, SLP_EN);
	fake__io(0, true, PM1_CNT, 2, 1, b);
}

/* On a direct boot: PCI configuration, the PM block and the CMOS answer
 * (the ACPI tables point at them); fw_cfg and the debug console do not. */
START_TEST(direct_boot_ports)
{
	struct fake_step *id, *pmba, *cmos, *cnt, *fwcfg, *dbg;

	out32(0xcf8, 0x80000000);
	id = in(0xcfc, 4);
	out32(0xcf8, 0x80000b40);               /* 00:01.3, PMBA */
	pmba = in(0xcfc, 4);
	fake__out(0, 0x70, 0x15);               /* base memory, KiB, low byte */
	cmos = in(0x71, 1);
	cnt = in(PM1_CNT, 2);
	fwcfg = in(0x514, 4);
	dbg = in(0x402, 1);
	poweroff();
	fake__out(0, 0xf4, 9);                  /* never reached */

	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), 0);
	ck_assert_str_eq(t.err, "cvm-run: guest powered off\n");
	ck_assert_uint_eq(fake__played(0), 10);
	ck_assert_uint_eq(bytes__get_le(vm_test__io_reply(id), 4), 0x12378086);
	ck_assert_uint_eq(bytes__get_le(vm_test__io_reply(pmba), 4), 0xb001);
	ck_assert_uint_eq(vm_test__io_reply(cmos)[0], 640 & 0xff);
	ck_assert_uint_eq(bytes__get_le(vm_test__io_reply(cnt), 2), 1);         /* SCI_EN */
	ck_assert_uint_eq(bytes__get_le(vm_test__io_reply(fwcfg), 4), 0xffffffff);
	ck_assert_uint_eq(vm_test__io_reply(dbg)[0], 0xff);
}
END_TEST

/* Only _S5's sleep type powers off; a smoke test never passes a guest that
 * powered off before its marker. */
START_TEST(poweroff_rules)
{
	uint8_t s3[2];

	bytes__put_le(s3, 2, SLP_EN | 1 << 10);
	fake__io(0, true, PM1_CNT, 2, 1, s3);
	fake__out(0, 0xf4, 3);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), 3);
	ck_assert_str_eq(t.err, "");

	fake__uninstall();
	fake__install();
	poweroff();
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M", "--expect", "never"), 125);
	ck_assert_str_eq(t.err, "cvm-run: guest powered off before --expect matched\n");
}
END_TEST

/* A DMA descriptor the guest wrote at DESC, then the address register. */
#define dma(...) vm_test__fw_cfg_dma(0, __VA_ARGS__)

/* The address register alone: a descriptor nowhere in RAM. */
static void dma_at(uint64_t desc)
{
	uint8_t b[8];

	bytes__put_be(b, 8, desc);
	fake__io(0, true, 0x514, 4, 1, b);
	fake__io(0, true, 0x518, 4, 1, b + 4);
}

/* A firmware boot with -k/-p: the plan's fw_cfg items served at 0x510, by
 * port and by DMA into guest RAM; descriptors that point at the firmware,
 * past RAM or ask to write are refused with the error bit; port 0x402 goes
 * to --firmware-log. */
START_TEST(firmware_boot_fw_cfg)
{
	static const char *const names[] = { "etc/acpi/rsdp", "etc/acpi/tables", "etc/e820",
					      "etc/table-loader" };
	const char *cmdline = "console=ttyS0 cvm.test=1";
	struct fake_step *sig, *dma_sig, *dma_sig2, *dbg;
	const uint8_t *mem;
	uint64_t size;
	char log[16] = { 0 };
	FILE *f;

	fake__io(0, true, 0x510, 2, 1, "\0\0");                 /* FW_CFG_SIGNATURE */
	sig = fake__io(0, false, 0x511, 1, 4, NULL);            /* rep insb */
	dma_sig = in(0x514, 4);
	dma_sig2 = in(0x518, 4);
	dma(0x10000, VM_TEST_FW_CFG_READ(FW_CFG_FILE_DIR), 4 + 64 * 4, 0x11000);
	dma(0x10100, VM_TEST_FW_CFG_READ(FW_CFG_CMDLINE_DATA), 64, 0x12000);
	dma(0x10200, VM_TEST_FW_CFG_READ(FW_CFG_KERNEL_DATA), 16, 0xffff0000);  /* into the firmware */
	dma(0x10300, VM_TEST_FW_CFG_READ(FW_CFG_KERNEL_DATA), 16, 64 * MIB - 8); /* past RAM */
	dma(0x10400, FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE | FW_CFG_SETUP_DATA << 16, 4,
	    0x13000);
	/* 4 GiB - 1: the item lands, the zero tail past RAM is refused. */
	dma(0x10500, VM_TEST_FW_CFG_READ(FW_CFG_KERNEL_DATA), 0xffffffff, 0x14000);
	dma_at(0xffff0000);                                     /* descriptor in the firmware */
	dma_at(0xfffffffffffffff8ull);                          /* wraps */
	fake__io(0, true, 0x402, 1, 3, "ok\n");
	dbg = in(0x402, 1);
	poweroff();

	ck_assert_int_eq(VM_TEST_RUN_BARE(&t, "--firmware", fw, "--firmware-log", log_file, "-k",
				     test__shared("vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64"),
				     "-p", cmdline, "-m", "64M"), 0);
	ck_assert_str_eq(t.err, "cvm-run: guest powered off\n");
	/* The power-on state: OVMF programs the registers and the LAPIC. */
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_SET_REGS), 0);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_SET_LAPIC), 0);
	ck_assert_mem_eq(vm_test__io_reply(sig), "QEMU", 4);
	ck_assert_mem_eq(vm_test__io_reply(dma_sig), "QEMU", 4);
	ck_assert_mem_eq(vm_test__io_reply(dma_sig2), " CFG", 4);
	ck_assert_uint_eq(vm_test__io_reply(dbg)[0], 0xe9);

	mem = fake__guest_memory(&size);
	ck_assert_uint_eq(size, 64 * MIB);
	/* The directory: four files, sorted by name, keys from 0x20. */
	ck_assert_uint_eq(bytes__get_be(mem + 0x10000, 4), 0);
	ck_assert_uint_eq(bytes__get_be(mem + 0x11000, 4), 4);
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = mem + 0x11004 + 64 * i;

		ck_assert_uint_eq(bytes__get_be(e + 4, 2), FW_CFG_FILE_FIRST + i);
		ck_assert_str_eq((const char *)e + 8, names[i]);
	}
	/* The command line as -p gave it, NUL included, zeros after. */
	ck_assert_uint_eq(bytes__get_be(mem + 0x10100, 4), 0);
	ck_assert_str_eq((const char *)mem + 0x12000, cmdline);
	/* Refused: the error bit, nothing written where they pointed. */
	for (uint64_t d = 0x10200; d <= 0x10500; d += 0x100)
		ck_assert_msg(bytes__get_be(mem + d, 4) == FW_CFG_DMA_CTL_ERROR,
			      "descriptor %#llx: control %#x", (unsigned long long)d,
			      (unsigned)bytes__get_be(mem + d, 4));
	for (size_t i = 0; i < 8; i++)
		ck_assert_uint_eq(mem[64 * MIB - 8 + i], 0);
	ck_assert_uint_eq(mem[0x13000], 0);

	f = fopen(log_file, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(log, 1, sizeof(log) - 1, f), 3);
	fclose(f);
	ck_assert_str_eq(log, "ok\n");
}
END_TEST

/* What a firmware boot refuses before KVM is touched. */
START_TEST(firmware_boot_bad_input)
{
	ck_assert_int_eq(VM_TEST_RUN_BARE(&t, "--firmware", fw, "-p", "quiet"), 2);
	ck_assert_str_eq(t.err, "cvm-run: --params: a firmware boot takes it only with --kernel\n");
	ck_assert_int_eq(VM_TEST_RUN_BARE(&t, "--firmware", fw, "-i", t.initrd), 2);
	ck_assert_str_eq(t.err, "cvm-run: --initrd: a firmware boot takes it only with --kernel\n");
	/* fw_cfg serves a bzImage; a PVH ELF is refused. */
	ck_assert_int_eq(VM_TEST_RUN_BARE(&t, "--firmware", fw, "-k", t.kernel), 2);
	ck_assert_ptr_nonnull(strstr(t.err, "not a bzImage"));
	ck_assert_int_eq(VM_TEST_RUN_BARE(&t, "--firmware", fw, "--firmware-log", "/nonexistent/log"),
			 2);
	ck_assert_str_eq(t.err, "cvm-run: --firmware-log /nonexistent/log: No such file or "
				"directory\n");
	ck_assert_uint_eq(fake__played(0), 0);
}
END_TEST

/* The firmware log is opened only once the VM can start: a failed start
 * leaves the file as it was.  A write error ends the run, as on the
 * console. */
START_TEST(firmware_log_opened_last)
{
	char log[8] = { 0 };
	FILE *f = fopen(log_file, "w");

	ck_assert_ptr_nonnull(f);
	fputs("keep", f);
	fclose(f);
	fake__answer(KVM_CREATE_VCPU, 0, -1, EMFILE);
	ck_assert_int_eq(VM_TEST_RUN_BARE(&t, "--firmware", fw, "--firmware-log", log_file), 1);
	f = fopen(log_file, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(log, 1, sizeof(log) - 1, f), 4);
	fclose(f);
	ck_assert_str_eq(log, "keep");

	fake__uninstall();
	fake__install();
	fake__io(0, true, 0x402, 1, 3, "ok\n");
	poweroff();
	ck_assert_int_eq(VM_TEST_RUN_BARE(&t, "--firmware", fw, "--firmware-log", "/dev/full"), 1);
	ck_assert_str_eq(t.err, "cvm-run: --firmware-log /dev/full: No space left on device\n");
}
END_TEST

/* A FIFO nobody reads is refused at once, never waited on. */
START_TEST(output_fifo_without_reader_is_refused)
{
	char dir[] = "/tmp/cvm-fifo-XXXXXX", fifo[64], console[80], want[160];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/f", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(VM_TEST_RUN_BARE(&t, "--firmware", fw, "--firmware-log", fifo), 2);
	snprintf(want, sizeof(want), "cvm-run: --firmware-log %s: a FIFO with no reader\n", fifo);
	ck_assert_str_eq(t.err, want);
	snprintf(console, sizeof(console), "file:%s", fifo);
	ck_assert_int_eq(VM_TEST_RUN_BARE(&t, "--firmware", fw, "--console", console), 2);
	snprintf(want, sizeof(want), "cvm-run: --console file:%s: a FIFO with no reader\n", fifo);
	ck_assert_str_eq(t.err, want);
	ck_assert(t.seconds < 5);
	unlink(fifo);
	rmdir(dir);
}
END_TEST

static Suite *vm_pc_suite(void)
{
	Suite *s = suite_create("vm-pc");
	TCase *c = tcase_create("core");

	tcase_add_checked_fixture(c, setup, teardown);
	tcase_add_test(c, direct_boot_ports);
	tcase_add_test(c, poweroff_rules);
	tcase_add_test(c, firmware_boot_fw_cfg);
	tcase_add_test(c, firmware_boot_bad_input);
	tcase_add_test(c, firmware_log_opened_last);
	tcase_add_test(c, output_fifo_without_reader_is_refused);
	suite_add_tcase(s, c);
	return s;
}
TEST_SUITE(vm_pc_suite)

/* fw_cfg in confidential launches, on the fake SEV and TDX kernels: what an
 * SEV, SEV-ES, SNP guest and a TD are served (the kernel, setup, initrd and
 * command line items, the ACPI and e820 files), and fw_cfg DMA reaching the
 * guest's shared pages only: a transfer into or from a private (encrypted,
 * launched, or converted) page gets the error bit and writes nothing. */
#include <linux/qemu_fw_cfg.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86/kvm-abi.h"
#include "arch/x86/tdx-ghci.h"
#include "loader/blob.h"
#include "loader/bytes.h"
#include "loader/qemu-setup.h"
#include "tests/unit/fake/fake-sev.h"
#include "tests/unit/fake/fake-tdx.h"
#include "tests/unit/tdx-test.h"
#include "tests/unit/test.h"
#include "tests/unit/vm-test.h"

#define KERNEL  "vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64"
#define INITRD  "vectors/kernel/initrd.bin"
#define CMDLINE "console=ttyS0"
#define HASHES  0x810000ull     /* OVMF.amdsev.fd's kernel-hashes page, launched encrypted */
#define TD_SHARED (1ull << 47)  /* the shared bit of a TD with a 48-bit GPA width */
#define DIR_LEN (4 + 64 * 4)

static struct vm_test t;
static struct blob kernel, initrd;

static void open_files(void)
{
	ck_assert_int_eq(blob__open(&kernel, test__shared(KERNEL)), 0);
	ck_assert_int_eq(blob__open(&initrd, test__shared(INITRD)), 0);
}

static void sev_setup(void)
{
	fake__install();
	fake__host_sev();
	vm_test__init(&t);
	open_files();
}

static void td_setup(void)
{
	tdx_test__setup(&t);
	open_files();
}

static void teardown(void)
{
	blob__close(&kernel);
	blob__close(&initrd);
	vm_test__exit(&t);
	fake__uninstall();
}

static void td_teardown(void)
{
	blob__close(&kernel);
	blob__close(&initrd);
	tdx_test__teardown(&t);
}

/* A DMA read of LEN bytes of item KEY into the 16 bytes after the
 * descriptor at DESC; its peek shows the descriptor and the bytes. */
static struct fake_step *dma_read(uint64_t desc, uint16_t key, uint32_t len)
{
	struct fake_step *s = vm_test__fw_cfg_dma(0, desc, VM_TEST_FW_CFG_READ(key), len, desc + 16);

	s->peek_gpa = desc;
	s->peek_len = 16 + len;
	return s;
}

/* What the transfer left: its control word (0 done, the error bit
 * refused) and the bytes it read. */
static uint32_t control(const struct fake_step *s)
{
	ck_assert_ptr_nonnull(s->peeked);
	return bytes__get_be(s->peeked, 4);
}

static const uint8_t *data(const struct fake_step *s)
{
	ck_assert_uint_eq(control(s), 0);
	return s->peeked + 16;
}

/* A step that only shows LEN bytes of shared memory at GPA. */
static struct fake_step *look(uint64_t gpa, uint32_t len)
{
	struct fake_step *s = fake__io(0, false, 0x511, 1, 1, NULL);

	s->peek_gpa = gpa;
	s->peek_len = len;
	return s;
}

static bool zeros(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* The four files, sorted, keys from 0x20. */
static void check_directory(const struct fake_step *s)
{
	static const char *const names[] = { "etc/acpi/rsdp", "etc/acpi/tables", "etc/e820",
					      "etc/table-loader" };
	const uint8_t *d = data(s);

	ck_assert_uint_eq(bytes__get_be(d, 4), 4);
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_uint_eq(bytes__get_be(d + 4 + 64 * i + 4, 2), FW_CFG_FILE_FIRST + i);
		ck_assert_str_eq((const char *)d + 4 + 64 * i + 8, names[i]);
	}
}

/* The size items and the command line as -k/-i/-p gave them. */
struct served {
	struct fake_step *dir, *setup, *kernel_size, *initrd_size, *cmdline;
};

static void serve_steps(struct served *v, uint64_t base, uint32_t setup_len)
{
	v->dir = dma_read(base, FW_CFG_FILE_DIR, DIR_LEN);
	v->setup = dma_read(base + 0x1000, FW_CFG_SETUP_DATA, setup_len);
	v->kernel_size = dma_read(base + 0x2000, FW_CFG_KERNEL_SIZE, 4);
	v->initrd_size = dma_read(base + 0x2100, FW_CFG_INITRD_SIZE, 4);
	v->cmdline = dma_read(base + 0x2200, FW_CFG_CMDLINE_DATA, sizeof(CMDLINE));
}

static void check_served(const struct served *v)
{
	uint32_t setup = (kernel.data[0x1f1] + 1) * 512;

	check_directory(v->dir);
	ck_assert_uint_eq(bytes__get_le(data(v->kernel_size), 4), kernel.size - setup);
	ck_assert_uint_eq(bytes__get_le(data(v->initrd_size), 4), initrd.size);
	ck_assert_mem_eq(data(v->cmdline), CMDLINE, sizeof(CMDLINE));
}

/* An SNP page-state change or an SEV guest's encryption-status hypercall:
 * both reach cvm-run as KVM_HC_MAP_GPA_RANGE. */
static void map_gpa(uint64_t gpa, bool encrypted)
{
	struct fake_step *s = fake__step(0, KVM_EXIT_HYPERCALL);

	s->run.hypercall.nr = KVM_HC_MAP_GPA_RANGE;
	s->run.hypercall.args[0] = gpa;
	s->run.hypercall.args[1] = 1;
	s->run.hypercall.args[2] = encrypted ? KVM_MAP_GPA_RANGE_ENCRYPTED : 0;
}

/* cvm-run --tee TEE with OVMF.amdsev.fd and -k/-i/-p (SEV has no VMSA,
 * so no --vcpu-type). */
static int run_sev(const char *tee)
{
	const char *fw = test__shared("vectors/firmware/OVMF.amdsev.fd");
	const char *k = test__shared(KERNEL), *i = test__shared(INITRD);

	if (!strcmp(tee, "sev"))
		return VM_TEST_RUN_BARE(&t, "--tee", tee, "--firmware", fw, "-k", k, "-i", i,
					"-p", CMDLINE, "-m", "256M");
	return VM_TEST_RUN_BARE(&t, "--tee", tee, "--firmware", fw, "--vcpu-type", "EPYC-v4",
				"-k", k, "-i", i, "-p", CMDLINE, "-m", "256M");
}

/* DMA of 16 kernel bytes into TARGET, the descriptor at DESC; the peek
 * shows TARGET afterwards. */
static struct fake_step *dma_into(uint64_t desc, uint64_t target)
{
	struct fake_step *s = vm_test__fw_cfg_dma(0, desc, VM_TEST_FW_CFG_READ(FW_CFG_KERNEL_DATA), 16,
						  target);

	s->peek_gpa = target;
	s->peek_len = 16;
	return s;
}

static void sev_case(const char *tee)
{
	const uint8_t *tail = kernel.data + (kernel.data[0x1f1] + 1) * 512;
	struct fake_step *to_hashes, *hashes_desc, *to_private, *to_shared;
	struct served v;

	serve_steps(&v, 0x10000, 0x400);
	to_hashes = dma_into(0x13000, HASHES);
	hashes_desc = look(0x13000, 16);
	map_gpa(0x200000, true);
	to_private = dma_into(0x13100, 0x200000);
	map_gpa(0x200000, false);
	to_shared = dma_into(0x13200, 0x200000);
	fake__out(0, 0xf4, 0);

	ck_assert_msg(run_sev(tee) == 0, "%s: %s", tee, t.err);
	check_served(&v);
	/* QEMU serves an SEV guest the file's own header: the hashed bytes. */
	ck_assert_mem_eq(data(v.setup), kernel.data, 0x400);
	ck_assert_uint_eq(control(hashes_desc), FW_CFG_DMA_CTL_ERROR);
	ck_assert_msg(zeros(to_hashes->peeked, 16), "%s: DMA wrote the hashes page", tee);
	ck_assert_msg(zeros(to_private->peeked, 16), "%s: DMA wrote a private page", tee);
	ck_assert_mem_eq(to_shared->peeked, tail, 16);
}

/* Each SEV type: the items OVMF reads, and DMA refused into the hashes page
 * the launch encrypted or into a page the guest declared private, served
 * there once it is shared again. */
START_TEST(sev_guests_are_served)
{
	static const char *const tees[] = { "snp", "sev-es", "sev" };

	for (size_t i = 0; i < 3; i++) {
		if (i) {
			teardown();
			sev_setup();
		}
		sev_case(tees[i]);
	}
}
END_TEST

/* A TD: the items TDVF reads, the setup with QEMU's patch for the TD's RAM
 * below 4 GiB (what measure/ hashes into RTMR1); DMA reaches what the guest
 * converted to shared, and neither a private target nor a descriptor in a
 * private page is touched. */
START_TEST(td_is_served)
{
	uint8_t head[QEMU_SETUP_HEAD];
	struct qemu_linux q = { CMDLINE, true, 0, 1ull << 30 };
	struct fake_tdx_call *map;
	struct fake_step *to_private, *target, *desc, *unread;
	struct served v;

	q.initrd_size = initrd.size;
	ck_assert_int_eq(qemu_setup__patch(KERNEL, kernel.data, kernel.size, &q, head), 0);
	map = fake_tdx__call(0, TDVMCALL_MAP_GPA, TD_SHARED | 0x10000, 0x10000);
	serve_steps(&v, 0x10000, sizeof(head));
	to_private = dma_into(0x13000, 0x30000);
	target = look(0x13000, 16);
	/* The fake puts the descriptor where a private page's shared side is:
	 * the VMM must not read it, nor write its control word. */
	vm_test__fw_cfg_dma(0, 0x31000, VM_TEST_FW_CFG_READ(FW_CFG_KERNEL_DATA), 16, 0x14000);
	desc = look(0x31000, 16);
	unread = look(0x14000, 16);
	fake__out(0, 0xf4, 0);

	ck_assert_int_eq(VM_TEST_RUN_BARE(&t, "--tee", "tdx", "--firmware",
					  test__shared("vectors/firmware/OVMF.inteltdx.ms.fd"), "-m",
					  "1G", "-k", test__shared(KERNEL), "-i", test__shared(INITRD),
					  "-p", CMDLINE), 0);
	ck_assert_str_eq(t.err, "");
	ck_assert_uint_eq(map->out_r10, TDVMCALL_STATUS_SUCCESS);
	check_served(&v);
	ck_assert_mem_eq(data(v.setup), head, sizeof(head));
	ck_assert_mem_ne(data(v.setup), kernel.data, sizeof(head));
	ck_assert_uint_eq(control(target), FW_CFG_DMA_CTL_ERROR);
	ck_assert(zeros(to_private->peeked, 16));
	ck_assert_uint_eq(control(desc), VM_TEST_FW_CFG_READ(FW_CFG_KERNEL_DATA));
	ck_assert(zeros(unread->peeked, 16));
}
END_TEST

static Suite *tee_fw_cfg_suite(void)
{
	Suite *s = suite_create("tee-fw-cfg");
	TCase *amd = tcase_create("sev");
	TCase *td = tcase_create("tdx");

	tcase_add_checked_fixture(amd, sev_setup, teardown);
	tcase_set_timeout(amd, 60);
	tcase_add_test(amd, sev_guests_are_served);
	suite_add_tcase(s, amd);
	tcase_add_checked_fixture(td, td_setup, td_teardown);
	tcase_set_timeout(td, 60);
	tcase_add_test(td, td_is_served);
	suite_add_tcase(s, td);
	return s;
}

TEST_SUITE(tee_fw_cfg_suite)

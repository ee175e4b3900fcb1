/* cvm-run --tee snp|sev-es|sev end to end on the fake SEV kernel and
 * firmware (fake/fake-sev.h): for every launchable row of EXPECTED-sev.tsv
 * the digest the fake firmware computed from what cvm-run handed it, the
 * one `cvm-run --dry-run` prints and cvm-measure's agree with the row; then
 * what the launch looks like to the kernel, and how it fails. */
#include <errno.h>
#include <limits.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/kvm-abi.h"
#include "tests/unit/boot-test.h"
#include "tests/unit/fake/fake-sev.h"
#include "tests/unit/sev-rows.h"
#include "tests/unit/test.h"
#include "tests/unit/vm-test.h"

static struct vm_test t;

static void setup(void)
{
	fake__install();
	fake__host_sev();
	vm_test__init(&t);
}

static void teardown(void)
{
	vm_test__exit(&t);
	fake__uninstall();
}

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
	out[2 * n] = 0;
}

/* The guest ends at once: vCPU 0 writes 0 to the debug-exit port. */
static int launch(const char *const *args)
{
	fake__out(0, 0xf4, 0);
	return vm_test__run_bare(&t, args);
}

/* The last line `cvm-run ARGS --dry-run` prints. */
static const char *dry_digest(const char *const *args, char *buf, size_t len)
{
	char out[8192], err[1024], *last;
	int st = vm_test__dry_run(args, out, sizeof(out), err, sizeof(err));

	ck_assert_msg(st == 0, "--dry-run: %s", err);
	while (*out && out[strlen(out) - 1] == '\n')
		out[strlen(out) - 1] = 0;
	last = strrchr(out, '\n');
	snprintf(buf, len, "%s", last ? last + 1 : out);
	return buf;
}

static const char *measure(const char *args, char *buf, size_t len)
{
	char tool[PATH_MAX], cmd[PATH_MAX + 2048], err[1024];

	ck_assert_ptr_nonnull(realpath(test__build("cvm-measure"), tool));
	snprintf(cmd, sizeof(cmd), "'%s' %s --output-format hex", tool, args);
	ck_assert_int_eq(test__run(test__shared("vectors"), cmd, buf, len, err, sizeof(err)), 0);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

START_TEST(every_expected_row_three_ways)
{
	size_t n, dlen;
	struct sev_row *rows = sev_rows__load(&n);
	char got[128];

	/* 9 SNP, 3 SEV-ES and 3 SEV rows have QEMU's VMM and whole images. */
	ck_assert_uint_eq(n, 15);
	for (size_t i = 0; i < n; i++) {
		const struct sev_row *r = &rows[i];
		const uint8_t *d;

		teardown();
		setup();
		ck_assert_msg(launch(r->run) == 0, "%s: %s", r->id, t.err);
		d = fake_sev__digest(&dlen);
		hex(d, dlen, got);
		ck_assert_msg(!strcmp(got, r->want), "%s: the fake measured %s, want %s", r->id, got,
			      r->want);
		ck_assert_msg(!strcmp(dry_digest(r->run, got, sizeof(got)), r->want),
			      "%s: --dry-run ends with %s, want %s", r->id, got, r->want);
		ck_assert_msg(!strcmp(measure(r->measure_args, got, sizeof(got)), r->want),
			      "%s: cvm-measure says %s", r->id, got);
	}
	free(rows);
}
END_TEST

/* ---- One launch, looked at closely -------------------------------------- */

#define AMDSEV	"vectors/firmware/OVMF.amdsev.fd"
#define FW_GPA	0xffc00000ull           /* OVMF.amdsev.fd: 4 MiB below 4 GiB */
#define CPUID_GPA 0x80e000ull

/* cvm-run's arguments: TEE with OVMF.amdsev.fd, then EXTRA... */
static const char *const *args_of(const char *tee, ...)
{
	static const char *a[32];
	static char fw[4096];
	const char *x;
	va_list ap;
	int n = 0;

	snprintf(fw, sizeof(fw), "%s", test__shared(AMDSEV));
	a[n++] = "--tee";
	a[n++] = tee;
	a[n++] = "--firmware";
	a[n++] = fw;
	va_start(ap, tee);
	while ((x = va_arg(ap, const char *)) && n < 31)
		a[n++] = x;
	va_end(ap);
	a[n] = NULL;
	return a;
}

#define SNP(...) args_of("snp", "--vcpu-type", "EPYC-v4", ##__VA_ARGS__, NULL)

/* The index in the kernel's log of the first call of REQ (SEV command ID
 * for KVM_MEMORY_ENCRYPT_OP, else -1), or -1. */
static long first(unsigned long req, long id)
{
	size_t n;
	const struct fake_call *c = fake__calls(&n);

	for (size_t i = 0; i < n; i++) {
		uint32_t cmd;

		if (c[i].op != FAKE_IOCTL || c[i].req != req)
			continue;
		if (id < 0)
			return i;
		memcpy(&cmd, c[i].data, 4);
		if (cmd == id)
			return i;
	}
	return -1;
}

/* The SEV commands of kind ID, in order. */
static const struct fake_sev_call *sev_call(uint32_t id, unsigned nth)
{
	size_t n;
	const struct fake_sev_call *c = fake_sev__calls(&n);

	for (size_t i = 0; i < n; i++)
		if (c[i].id == id && !nth--)
			return &c[i];
	ck_abort_msg("no SEV command %u number %u", id, nth);
	return NULL;
}

START_TEST(snp_launch_order_and_memory)
{
	const char *const *a = SNP("-c", "2");
	size_t n;
	uint64_t gsize;
	char want[128], got[128];
	const uint8_t *d;

	dry_digest(a, want, sizeof(want));
	ck_assert_int_eq(launch(a), 0);
	d = fake_sev__digest(&n);
	hex(d, n, got);
	ck_assert_str_eq(got, want);
	/* INIT2 once, before any vCPU; LAUNCH_START; the pages; FINISH; RUN. */
	ck_assert_uint_eq(fake_sev__count(KVM_SEV_INIT2), 1);
	ck_assert_int_lt(first(KVM_MEMORY_ENCRYPT_OP, KVM_SEV_INIT2), first(KVM_CREATE_VCPU, -1));
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_PIT2), 0);       /* no PIT for SNP */
	ck_assert_int_lt(first(KVM_MEMORY_ENCRYPT_OP, KVM_SEV_SNP_LAUNCH_START),
			 first(KVM_MEMORY_ENCRYPT_OP, KVM_SEV_SNP_LAUNCH_UPDATE));
	ck_assert_int_lt(first(KVM_MEMORY_ENCRYPT_OP, KVM_SEV_SNP_LAUNCH_FINISH), first(KVM_RUN, -1));
	ck_assert_uint_eq(sev_call(KVM_SEV_SNP_LAUNCH_START, 0)->policy, 0x30000);
	/* One call per op; the CPUID page alone in its own. */
	ck_assert_uint_eq(fake_sev__count(KVM_SEV_SNP_LAUNCH_UPDATE), 8);
	ck_assert_uint_eq(sev_call(KVM_SEV_SNP_LAUNCH_UPDATE, 0)->gpa, FW_GPA);
	ck_assert_uint_eq(sev_call(KVM_SEV_SNP_LAUNCH_UPDATE, 0)->len, 0x400000);
	ck_assert_uint_eq(sev_call(KVM_SEV_SNP_LAUNCH_UPDATE, 4)->gpa, CPUID_GPA);
	ck_assert_uint_eq(sev_call(KVM_SEV_SNP_LAUNCH_UPDATE, 4)->len, 4096);
	ck_assert_uint_eq(sev_call(KVM_SEV_SNP_LAUNCH_UPDATE, 4)->type, KVM_SEV_SNP_PAGE_TYPE_CPUID);
	/* Private guest_memfd of flags 0; the launched ranges stay private. */
	ck_assert_uint_eq(((const struct kvm_create_guest_memfd *)
			   vm_test__arg(FAKE_ANY, KVM_CREATE_GUEST_MEMFD, 0))->flags, 0);
	ck_assert_ptr_nonnull(fake__guest_memory(&gsize));
	ck_assert_uint_eq(fake__attributes(FW_GPA), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	ck_assert_uint_eq(fake__attributes(CPUID_GPA), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	ck_assert_uint_eq(fake__attributes(0x100000), 0);
	/* The APs start at the SEV-ES reset block (CS base + IP). */
	ck_assert_uint_eq(fake__find(1, KVM_SET_REGS, 0) ? 1 : 0, 1);
	ck_assert_uint_eq(((const struct kvm_sregs *)vm_test__arg(1, KVM_SET_SREGS, 0))->cs.base +
			  ((const struct kvm_regs *)vm_test__arg(1, KVM_SET_REGS, 0))->rip,
			  0x80b004);
	ck_assert_uint_eq(((const struct kvm_regs *)vm_test__arg(0, KVM_SET_REGS, 0))->rdx,
			  0x800f12);
}
END_TEST

/* ---- How a launch fails --------------------------------------------------- */

/* The run failed with status 1 and one stderr line holding every NEEDLE. */
static void failed(int status, ...)
{
	const char *needle;
	va_list ap;

	ck_assert_msg(status == 1, "status %d: %s", status, t.err);
	ck_assert_msg(strchr(t.err, '\n') == strrchr(t.err, '\n'), "not one line: %s", t.err);
	va_start(ap, status);
	while ((needle = va_arg(ap, const char *)))
		ck_assert_msg(strstr(t.err, needle), "'%s' not in: %s", needle, t.err);
	va_end(ap);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_RUN), 0);
}

START_TEST(first_page_error_names_op_and_firmware_error)
{
	fake_sev__fail_page(FW_GPA, SEV_RET_INVALID_ADDRESS, 0);
	failed(launch(SNP()), "SNP_LAUNCH_UPDATE of firmware (normal) at gpa 0xffc00000",
	       "firmware error 0x9 INVALID_ADDRESS", NULL);
	ck_assert_uint_eq(fake_sev__count(KVM_SEV_SNP_LAUNCH_UPDATE), 1);
	ck_assert_uint_eq(sev_call(KVM_SEV_SNP_LAUNCH_UPDATE, 0)->ret, -EIO);
}
END_TEST

/* A later page's error is swallowed: KVM returns 0 with the progress made,
 * and the next call starts at that page, which then fails first. */
START_TEST(partial_progress_resumes_where_kvm_stopped)
{
	char want[128], got[128];
	size_t n;
	const uint8_t *d;

	fake_sev__fail_page(FW_GPA + 5 * 4096, SEV_RET_RESOURCE_LIMIT, 0);
	failed(launch(SNP()), "at gpa 0xffc05000", "RESOURCE_LIMIT", NULL);
	ck_assert_uint_eq(fake_sev__count(KVM_SEV_SNP_LAUNCH_UPDATE), 2);
	ck_assert_uint_eq(sev_call(KVM_SEV_SNP_LAUNCH_UPDATE, 0)->ret, 0);
	ck_assert_uint_eq(sev_call(KVM_SEV_SNP_LAUNCH_UPDATE, 1)->gpa, FW_GPA + 5 * 4096);
	ck_assert_uint_eq(sev_call(KVM_SEV_SNP_LAUNCH_UPDATE, 1)->len, 0x400000 - 5 * 4096);

	/* A page that fails once: the launch goes on, measured the same. */
	teardown();
	setup();
	fake_sev__fail_page(FW_GPA + 7 * 4096, SEV_RET_RESOURCE_LIMIT, 1);
	ck_assert_int_eq(launch(SNP()), 0);
	ck_assert_uint_eq(fake_sev__count(KVM_SEV_SNP_LAUNCH_UPDATE), 9);
	d = fake_sev__digest(&n);
	hex(d, n, got);
	ck_assert_str_eq(got, dry_digest(SNP(), want, sizeof(want)));
}
END_TEST

/* Not made private (KVM_SET_MEMORY_ATTRIBUTES answered without acting):
 * KVM refuses the first page with -EIO and no firmware error. */
START_TEST(pages_must_be_private_before_launch_update)
{
	fake__answer(KVM_SET_MEMORY_ATTRIBUTES, 0, 0, 0);
	failed(launch(SNP()), "SNP_LAUNCH_UPDATE of firmware", "KVM refused it", NULL);
}
END_TEST

START_TEST(cpuid_rejection_names_every_corrected_leaf)
{
	const struct fake_sev_call *c;

	fake_sev__cpuid_clear(7, 0, 1, 1u << 5);               /* avx2 */
	fake_sev__cpuid_clear(0x80000001, 0, 2, 1u << 8);      /* 3dnowprefetch */
	failed(launch(SNP()), "SNP CPUID page at gpa 0x80e000 rejected", "INVALID_PARAM",
	       "0x7.0 ebx 0x29c67af->0x29c678f", "0x80000001.0 ecx 0x121->0x21",
	       "--snp-cpuid-fixup", NULL);
	ck_assert_uint_eq(fake_sev__count(KVM_SEV_SNP_LAUNCH_UPDATE), 5);
	c = sev_call(KVM_SEV_SNP_LAUNCH_UPDATE, 4);
	ck_assert_uint_eq(c->gpa, CPUID_GPA);
	ck_assert_uint_eq(c->error, SEV_RET_INVALID_PARAM);

	/* --snp-cpuid-fixup: the corrected table, once; a notice names it. */
	teardown();
	setup();
	fake_sev__cpuid_clear(7, 0, 1, 1u << 5);
	ck_assert_int_eq(launch(SNP("--snp-cpuid-fixup")), 0);
	ck_assert_uint_eq(fake_sev__count(KVM_SEV_SNP_LAUNCH_UPDATE), 9);
	ck_assert_uint_eq(sev_call(KVM_SEV_SNP_LAUNCH_UPDATE, 5)->gpa, CPUID_GPA);
	ck_assert_uint_eq(sev_call(KVM_SEV_SNP_LAUNCH_UPDATE, 5)->ret, 0);
	ck_assert_ptr_nonnull(strstr(t.err, "0x7.0 ebx 0x29c67af->0x29c678f"));

	/* Rejected again: no second retry. */
	teardown();
	setup();
	fake_sev__fail_page(CPUID_GPA, SEV_RET_INVALID_PARAM, 0);
	failed(launch(SNP("--snp-cpuid-fixup")), "again after --snp-cpuid-fixup", NULL);
	ck_assert_uint_eq(fake_sev__count(KVM_SEV_SNP_LAUNCH_UPDATE), 6);
}
END_TEST

START_TEST(launch_finish_failure_is_not_retried)
{
	fake_sev__finish_fails(SEV_RET_BAD_MEASUREMENT);
	failed(launch(SNP("-c", "2")), "KVM_SEV_SNP_LAUNCH_FINISH", "not retried",
	       "firmware error 0xb BAD_MEASUREMENT", NULL);
	ck_assert_uint_eq(fake_sev__count(KVM_SEV_SNP_LAUNCH_FINISH), 1);
	ck_assert_uint_eq(fake_sev__count(KVM_SEV_INIT2), 1);
}
END_TEST

/* What LAUNCH_FINISH hands the firmware: the ID block, its auth structure
 * (an author key when AUTH_KEY_ALGO is set) and HOST_DATA. */
START_TEST(snp_finish_inputs)
{
	uint8_t block[96], auth[4096] = { 0 };
	char *fb, *fa;
	const struct fake_sev_finish *f;
	const char *hd = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

	for (int i = 0; i < 96; i++)
		block[i] = i;
	auth[4] = 1;
	fb = boot_test__file(block, sizeof(block), sizeof(block));
	fa = boot_test__file(auth, sizeof(auth), sizeof(auth));
	ck_assert_int_eq(launch(SNP("--id-block", fb, "--id-auth", fa, "--host-data", hd,
				    "--snp-policy", "0x130000")), 0);
	f = fake_sev__finish();
	ck_assert(f->done && f->id_block_en && f->auth_key_en);
	ck_assert_mem_eq(f->id_block, block, 96);
	ck_assert_uint_eq(f->host_data[0], 0x00);
	ck_assert_uint_eq(f->host_data[31], 0xff);
	ck_assert_uint_eq(sev_call(KVM_SEV_SNP_LAUNCH_START, 0)->policy, 0x130000);

	/* Without SMT in the policy the firmware refuses this host. */
	teardown();
	setup();
	failed(launch(SNP("--snp-policy", "0x20000")), "KVM_SEV_SNP_LAUNCH_START",
	       "POLICY_FAILURE", NULL);
	boot_test__remove(fb);
	boot_test__remove(fa);
}
END_TEST

/* SEV-ES and SEV: REG_REGION over all RAM, the data encrypted in place,
 * LAUNCH_MEASURE's MAC of the digest cvm-measure computes, printed. */
START_TEST(sev_es_measurement_is_the_macd_digest)
{
	const char *const *a = args_of("sev-es", "--vcpu-type", "EPYC-v4", "-c", "2", NULL);
	const struct kvm_enc_region *reg;
	uint8_t msg[56], mac[32], ld[32];
	unsigned mlen;
	char want[128], line[256];
	size_t n;

	dry_digest(a, want, sizeof(want));
	ck_assert_int_eq(launch(a), 0);
	hex(fake_sev__digest(&n), 32, line);
	ck_assert_str_eq(line, want);
	ck_assert_uint_eq(sev_call(KVM_SEV_LAUNCH_START, 0)->policy, 0x5);
	ck_assert_uint_eq(fake_sev__count(KVM_SEV_LAUNCH_UPDATE_VMSA), 1);
	ck_assert_int_lt(first(KVM_MEMORY_ENCRYPT_OP, KVM_SEV_LAUNCH_MEASURE),
			 first(KVM_MEMORY_ENCRYPT_OP, KVM_SEV_LAUNCH_FINISH));
	reg = vm_test__arg(FAKE_ANY, KVM_MEMORY_ENCRYPT_REG_REGION, 0);
	ck_assert_uint_eq(reg->size, (512ull << 20) + 0x400000);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_GUEST_MEMFD), 0);
	/* HMAC(TIK, 04 || API || BUILD || POLICY || LD || MNONCE). */
	memcpy(ld, fake_sev__digest(&n), 32);
	msg[0] = 4;
	msg[1] = FAKE_SEV_API_MAJOR;
	msg[2] = FAKE_SEV_API_MINOR;
	msg[3] = FAKE_SEV_BUILD;
	memcpy(msg + 4, &(uint32_t){ 5 }, 4);
	memcpy(msg + 8, ld, 32);
	memcpy(msg + 40, fake_sev_mnonce, 16);
	HMAC(EVP_sha256(), fake_sev_tik, 16, msg, sizeof(msg), mac, &mlen);
	hex(mac, 32, line);
	ck_assert_msg(strstr(t.err, "SEV-ES launch measurement") && strstr(t.err, line),
		      "no MAC %s in: %s", line, t.err);

	teardown();
	setup();
	a = args_of("sev", NULL);
	ck_assert_int_eq(launch(a), 0);
	ck_assert_uint_eq(sev_call(KVM_SEV_LAUNCH_START, 0)->policy, 0x1);
	ck_assert_uint_eq(fake_sev__count(KVM_SEV_LAUNCH_UPDATE_VMSA), 0);
	hex(fake_sev__digest(&n), 32, line);
	ck_assert_str_eq(line, dry_digest(a, want, sizeof(want)));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sev-launch");
	TCase *tc = tcase_create("rows");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_expected_row_three_ways);
	tcase_add_test(tc, snp_launch_order_and_memory);
	tcase_add_test(tc, first_page_error_names_op_and_firmware_error);
	tcase_add_test(tc, partial_progress_resumes_where_kvm_stopped);
	tcase_add_test(tc, pages_must_be_private_before_launch_update);
	tcase_add_test(tc, cpuid_rejection_names_every_corrected_leaf);
	tcase_add_test(tc, launch_finish_failure_is_not_retried);
	tcase_add_test(tc, snp_finish_inputs);
	tcase_add_test(tc, sev_es_measurement_is_the_macd_digest);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(suite)

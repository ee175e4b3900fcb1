/* A running SEV guest's exits on the fake SEV kernel: SNP page-state
 * changes through the conversion engine (KVM writes no hypercall.flags
 * there), termination requests decoded, certificate requests served from
 * --snp-certs, and `cvm-run check` on an SEV host. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86/kvm-abi.h"
#include "tests/unit/boot-test.h"
#include "tests/unit/fake/fake-sev.h"
#include "tests/unit/test.h"
#include "tests/unit/vm-test.h"
#include "vmm/check.h"

#define FW_GPA	0xffc00000ull

static struct vm_test t;
static char fw[4096];

static void setup(void)
{
	fake__install();
	fake__host_sev();
	vm_test__init(&t);
	snprintf(fw, sizeof(fw), "%s", test__shared("vectors/firmware/OVMF.amdsev.fd"));
}

static void teardown(void)
{
	vm_test__exit(&t);
	fake__uninstall();
}

#define RUN(tee, ...) vm_test__run_bare(&t, (const char *const[]){ "--tee", tee, \
	"--firmware", fw, "--vcpu-type", "EPYC-v4", ##__VA_ARGS__, NULL })

/* An SNP page-state change as KVM forwards it (KERNEL-RULES 4.10): nr 12,
 * GPA, 4 KiB pages, ENCRYPTED (| 2M); flags left as they were. */
static struct fake_step *psc(uint64_t gpa, uint64_t pages, uint64_t attrs)
{
	struct fake_step *s = fake__step(0, KVM_EXIT_HYPERCALL);

	s->run.hypercall.nr = KVM_HC_MAP_GPA_RANGE;
	s->run.hypercall.args[0] = gpa;
	s->run.hypercall.args[1] = pages;
	s->run.hypercall.args[2] = attrs;
	memcpy((char *)&s->run + offsetof(struct kvm_run, hypercall.longmode),
	       &(uint64_t){ 0xdeadbeefdeadbeefull }, 8);
	return s;
}

START_TEST(page_state_changes_go_through_the_engine)
{
	struct fake_step *to_private = psc(0x200000, 512, KVM_MAP_GPA_RANGE_ENCRYPTED |
					   KVM_MAP_GPA_RANGE_PAGE_SZ_2M);
	struct fake_step *one = psc(0x400000, 1, KVM_MAP_GPA_RANGE_ENCRYPTED);
	struct fake_step *back = psc(0x200000, 1, 0);
	struct fake_step *hole = psc(0xf0000000, 1, KVM_MAP_GPA_RANGE_ENCRYPTED);

	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(RUN("snp"), 0);
	ck_assert_uint_eq(to_private->reply->hypercall.ret, 0);
	ck_assert_uint_eq(one->reply->hypercall.ret, 0);
	ck_assert_uint_eq(back->reply->hypercall.ret, 0);
	ck_assert_uint_eq(hole->reply->hypercall.ret, EINVAL);
	ck_assert_uint_eq(fake__attributes(0x200000), 0);
	ck_assert_uint_eq(fake__attributes(0x201000), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	ck_assert_uint_eq(fake__attributes(0x3ff000), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	ck_assert_uint_eq(fake__attributes(0x400000), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	ck_assert_uint_eq(fake__attributes(0x401000), 0);
}
END_TEST

/* KVM_RUN refuses an answer KVM cannot translate for the guest. */
START_TEST(memory_fault_converts_on_snp)
{
	struct fake_step *f = fake__error(0, EFAULT, KVM_EXIT_MEMORY_FAULT);

	kvm_run__memory_fault(&f->run)->gpa = 0x300000;
	kvm_run__memory_fault(&f->run)->size = 4096;
	kvm_run__memory_fault(&f->run)->flags = KVM_MEMORY_EXIT_FLAG_PRIVATE;
	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(RUN("snp"), 0);
	ck_assert_uint_eq(fake__attributes(0x300000), KVM_MEMORY_ATTRIBUTE_PRIVATE);
}
END_TEST

/* A fault the engine cannot convert (a GPA in the MMIO hole) stops the VM
 * with the fault and the refusal named, never a retried KVM_RUN. */
START_TEST(memory_fault_outside_ram_stops_the_vm)
{
	struct fake_step *f = fake__error(0, EFAULT, KVM_EXIT_MEMORY_FAULT);
	int st;

	kvm_run__memory_fault(&f->run)->gpa = 0xf0000000;
	kvm_run__memory_fault(&f->run)->size = 4096;
	kvm_run__memory_fault(&f->run)->flags = KVM_MEMORY_EXIT_FLAG_PRIVATE;
	fake__out(0, 0xf4, 0);
	st = RUN("snp");
	ck_assert_msg(st == 1, "status %d: %s", st, t.err);
	ck_assert_msg(strstr(t.err, "memory fault at gpa 0xf0000000 size 0x1000: conversion "
			     "shared -> private refused"), "%s", t.err);
}
END_TEST

static struct fake_step *term(uint64_t data)
{
	struct fake_step *s = fake__step(0, KVM_EXIT_SYSTEM_EVENT);

	s->run.system_event.type = KVM_SYSTEM_EVENT_SEV_TERM;
	s->run.system_event.ndata = 1;
	s->run.system_event.data[0] = data;
	return s;
}

/* Status 1, the reason on the last line (SEV-ES prints its measurement
 * before). */
static void ended(int status, const char *needle)
{
	const char *last = strrchr(t.err, '\n');

	while (last && last > t.err && last[-1] != '\n')
		last--;
	ck_assert_msg(status == 1, "status %d: %s", status, t.err);
	ck_assert_msg(last && strstr(last, needle), "'%s' not last in: %s", needle, t.err);
}

START_TEST(termination_requests_are_decoded)
{
	struct fake_step *s;

	/* GHCB MSR protocol: reason set in 15:12, code in 23:16. */
	term(GHCB_MSR_TERM_REQ | 1 << 12 | 4 << 16);
	ended(RUN("snp"), "SEV guest requested termination: reason set 1 (Linux), code 0x4 "
	      "(CPUID validation failed)");

	teardown();
	setup();
	term(GHCB_MSR_TERM_REQ | 0 << 12 | 2 << 16);
	ended(RUN("sev-es"), "reason set 0 (general), code 0x2 (SEV-SNP features not supported)");

	/* NAE event: the reason in SW_EXITINFO1 of the GHCB the guest shares. */
	teardown();
	setup();
	s = term(0x200000);
	s->poke_gpa = 0x200000 + GHCB_SW_EXITINFO1;
	s->poke[0] = 0x31;              /* set 1, code 3 */
	s->poke_len = 8;
	ended(RUN("snp"), "reason set 1 (Linux), code 0x3 (not running at VMPL0)");

	/* A GPA the host cannot read (private) and an MSR request that is not
	 * a termination: said as they are. */
	teardown();
	setup();
	term(FW_GPA);
	ended(RUN("snp"), "GHCB 0xffc00000 is neither a termination request nor a readable GHCB");
	teardown();
	setup();
	term(0x014);
	ended(RUN("sev-es"), "GHCB 0x14 is neither");
	teardown();
	setup();
	term(GHCB_MSR_TERM_REQ | 3 << 12 | 7 << 16);
	ended(RUN("snp"), "reason set 3 (firmware-specific), code 0x7 (unknown to cvm-run)");
}
END_TEST

static struct fake_step *certs(uint64_t gpa, uint64_t npages)
{
	struct fake_step *s = fake__step(0, KVM_EXIT_SNP_REQ_CERTS);

	kvm_run__snp_req_certs(&s->run)->gpa = gpa;
	kvm_run__snp_req_certs(&s->run)->npages = npages;
	return s;
}

START_TEST(certificate_requests_are_served)
{
	uint8_t blob[5000];
	char *file;
	struct fake_step *small, *fits, *outside;

	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = i * 7 + 1;
	file = boot_test__file(blob, sizeof(blob), sizeof(blob));
	small = certs(0x200000, 1);
	fits = certs(0x200000, 3);
	fits->peek_gpa = 0x200000;
	fits->peek_len = 3 * 4096;
	outside = certs(0xf0000000, 2);
	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(RUN("snp", "--snp-certs", file), 0);
	ck_assert_uint_eq(fake_sev__count(KVM_SEV_SNP_ENABLE_REQ_CERTS), 1);
	/* Too small: ENOSPC and the pages needed (KVM puts them in RBX). */
	ck_assert_uint_eq(kvm_run__snp_req_certs(small->reply)->ret, ENOSPC);
	ck_assert_uint_eq(kvm_run__snp_req_certs(small->reply)->npages, 2);
	/* Room: the table, zeros after it. */
	ck_assert_uint_eq(kvm_run__snp_req_certs(fits->reply)->ret, 0);
	ck_assert_ptr_nonnull(fits->peeked);
	ck_assert_mem_eq(fits->peeked, blob, sizeof(blob));
	for (size_t i = sizeof(blob); i < 3 * 4096; i++)
		ck_assert_uint_eq(fits->peeked[i], 0);
	ck_assert_uint_eq(kvm_run__snp_req_certs(outside->reply)->ret, EIO);

	/* A host without the certificate exit: status 3, before any vCPU. */
	teardown();
	setup();
	fake__host_sev_old();
	ck_assert_int_eq(RUN("snp", "--snp-certs", file), 3);
	ck_assert_ptr_nonnull(strstr(t.err, "--snp-certs: KVM here does not forward"));
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VCPU), 0);
	boot_test__remove(file);

	/* A table past 1 MiB is a wrong file: bad input, never copied. */
	file = boot_test__file(blob, sizeof(blob), (1u << 20) + 1);
	ck_assert_int_eq(RUN("snp", "--snp-certs", file), 2);
	ck_assert_msg(strstr(t.err, "more than --snp-certs allows"), "%s", t.err);
	boot_test__remove(file);
}
END_TEST

static void check_run(void *arg)
{
	*(int *)arg = check__run(false);
}

START_TEST(check_lists_the_sev_paths)
{
	char out[8192], err[512];
	int st;

	vm_test__capture(check_run, &st, out, sizeof(out), err, sizeof(err));
	ck_assert_int_eq(st, 0);
	ck_assert_msg(strstr(out, "snp                    yes: VM type 4, SEV features 0x20, "
			     "/dev/sev"), "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "sev-es                 yes: VM type 3"));
	ck_assert_ptr_nonnull(strstr(out, "sev                    yes: VM type 2"));

	/* SNP needs private memory; SEV and SEV-ES do not. */
	fake__set_cap(KVM_CAP_MEMORY_ATTRIBUTES, 0);
	vm_test__capture(check_run, &st, out, sizeof(out), err, sizeof(err));
	ck_assert_msg(strstr(out, "snp                    no: --tee snp: its VMs have no private "
			     "memory attribute here"), "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "sev-es                 yes"));

	/* Without SEV: each says why. */
	fake__uninstall();
	fake__install();
	vm_test__capture(check_run, &st, out, sizeof(out), err, sizeof(err));
	ck_assert_msg(strstr(out, "snp                    no: KVM here cannot create VM type 4"),
		      "%s", out);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sev-exits");
	TCase *tc = tcase_create("exits");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, page_state_changes_go_through_the_engine);
	tcase_add_test(tc, memory_fault_converts_on_snp);
	tcase_add_test(tc, memory_fault_outside_ram_stops_the_vm);
	tcase_add_test(tc, termination_requests_are_decoded);
	tcase_add_test(tc, certificate_requests_are_served);
	tcase_add_test(tc, check_lists_the_sev_paths);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(suite)

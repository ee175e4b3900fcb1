/* cvm-run --tee tdx against the fake TDX module: the launch follows the 7.3
 * kernel's order, and the MRTD the module computed from what it was given
 * equals --dry-run's, cvm-measure's and the single-pass vector rows; the
 * identities, the GPA width, -EINTR, and the failures that name their step. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86/kvm-abi.h"
#include "arch/x86/memmap.h"
#include "loader/error.h"
#include "loader/tdx.h"
#include "tests/unit/fake/fake-kvm.h"
#include "tests/unit/fake/fake-tdx.h"
#include "tests/unit/tdx-test.h"
#include "tests/unit/test.h"
#include "tests/unit/vm-test.h"
#include "vmm/check.h"

#define FW_MS   "vectors/firmware/OVMF.inteltdx.ms.fd"
#define FW_BW   "vectors/firmware/bookworm_OVMF.fd"
#define SEPT_VE_DISABLE (1ull << 28)
#define GIB     (1ull << 30)

static struct vm_test t;

static void setup(void)
{
	tdx_test__setup(&t);
}

static void teardown(void)
{
	tdx_test__teardown(&t);
}

static void hex(char *out, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* Index in the call log of the NTH ioctl REQ (with TDX command ID when REQ
 * is KVM_MEMORY_ENCRYPT_OP, -1 for any), or -1. */
static long call_index(unsigned long req, int id, unsigned nth)
{
	size_t n;
	const struct fake_call *c = fake__calls(&n);

	for (size_t i = 0; i < n; i++) {
		if (c[i].op != FAKE_IOCTL || c[i].req != req)
			continue;
		if (id >= 0 && (!c[i].data || ((const struct kvm_tdx_cmd *)c[i].data)->id != (uint32_t)id))
			continue;
		if (nth-- == 0)
			return (long)i;
	}
	return -1;
}

static unsigned count_cmd(int id)
{
	unsigned n = 0;

	while (call_index(KVM_MEMORY_ENCRYPT_OP, id, n) >= 0)
		n++;
	return n;
}

/* The ENABLE_CAP call for CAP, or -1. */
static long cap_index(uint32_t cap, uint64_t *arg)
{
	size_t n;
	const struct fake_call *c = fake__calls(&n);

	for (size_t i = 0; i < n; i++)
		if (c[i].op == FAKE_IOCTL && c[i].req == KVM_ENABLE_CAP && c[i].ret == 0 &&
		    ((const struct kvm_enable_cap *)c[i].data)->cap == cap) {
			*arg = ((const struct kvm_enable_cap *)c[i].data)->args[0];
			return (long)i;
		}
	return -1;
}

/* A TD that boots and writes STATUS to the debug-exit port. */
static int run_td(const char *fw, const char *mem, const char *cpus, int status)
{
	fake__out(0, 0xf4, (uint8_t)status);
	return VM_TEST_RUN_BARE(&t, "--tee", "tdx", "--firmware", test__shared(fw), "-m", mem,
				"-c", cpus);
}

/* MRTD three ways against the vector row: the fake module's, --dry-run's
 * line, cvm-measure's output. */
static void check_mrtd(const char *fw, const char *row)
{
	char want[128], got[128], line[160], cmd[1024], out[512];

	tdx_test__expected(row, want, sizeof(want));
	ck_assert_int_eq(run_td(fw, "2G", "2", 9), 9);
	ck_assert_str_eq(t.err, "");
	ck_assert_int_eq(fake_tdx__td()->state, 2);
	hex(got, fake_tdx__td()->mrtd, 48);
	ck_assert_str_eq(got, want);

	ck_assert_int_eq(VM_TEST_RUN_BARE(&t, "--tee", "tdx", "--firmware", test__shared(fw),
					  "-m", "2G", "--dry-run"), 0);
	snprintf(line, sizeof(line), "\nmrtd=%s\n", want);
	ck_assert_msg(strstr(t.std_out, line), "dry run printed %s", t.std_out);

	snprintf(cmd, sizeof(cmd), "'%s' --mode tdx --ovmf '%s'", test__build("cvm-measure"),
		 test__shared(fw));
	ck_assert_int_eq(test__run(NULL, cmd, out, sizeof(out), NULL, 0), 0);
	ck_assert_str_eq(out, line + 1);
}

START_TEST(mrtd_agrees_three_ways)
{
	check_mrtd(FW_MS, "tdx-mrtd-01");
	tdx_test__fresh_host();
	check_mrtd(FW_BW, "tdx-mrtd-03");
}
END_TEST

/* KERNEL-RULES 6.9: split irqchip and APIC bus before any vCPU, INIT_VM
 * before vCPUs, SET_CPUID2 before INIT_VCPU on each, every INIT_VCPU before
 * the sections, FINALIZE after them, KVM_RUN last; no PIC/IOAPIC/PIT, no
 * register state. */
START_TEST(launch_order)
{
	static const uint64_t gpas[] = { 0xffc84000, 0xffc00000, 0x810000, 0x80b000, 0x809000,
					 0x800000 };
	const struct fake_tdx_td *td;
	long split, bus, init_vm, first_vcpu, last_init_vcpu, first_region, last_region, fin, run;
	uint64_t arg;

	ck_assert_int_eq(run_td(FW_MS, "1G", "3", 0), 0);
	ck_assert_uint_eq(fake__find(FAKE_ANY, KVM_CREATE_VM, 0)->arg, KVM_X86_TDX_VM);
	split = cap_index(KVM_CAP_SPLIT_IRQCHIP, &arg);
	ck_assert_int_ge(split, 0);
	ck_assert_uint_eq(arg, 24);
	bus = cap_index(KVM_CAP_X86_APIC_BUS_CYCLES_NS, &arg);
	ck_assert_int_gt(bus, split);
	ck_assert_uint_eq(arg, 40);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_IRQCHIP), 0);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_PIT2), 0);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_SET_GSI_ROUTING), 0);

	ck_assert_uint_eq(count_cmd(KVM_TDX_CAPABILITIES), 2);         /* E2BIG, then room */
	init_vm = call_index(KVM_MEMORY_ENCRYPT_OP, KVM_TDX_INIT_VM, 0);
	ck_assert_int_gt(init_vm, call_index(KVM_MEMORY_ENCRYPT_OP, KVM_TDX_CAPABILITIES, 1));
	first_vcpu = call_index(KVM_CREATE_VCPU, -1, 0);
	ck_assert_int_gt(first_vcpu, init_vm);
	ck_assert_int_gt(first_vcpu, bus);
	for (int v = 0; v < 3; v++) {
		const struct fake_call *cpuid = fake__find(v, KVM_SET_CPUID2, 0);
		long ci = cpuid - fake__calls(&(size_t){ 0 });

		ck_assert_ptr_nonnull(cpuid);
		ck_assert_int_lt(ci, call_index(KVM_MEMORY_ENCRYPT_OP, KVM_TDX_INIT_VCPU, v));
	}
	last_init_vcpu = call_index(KVM_MEMORY_ENCRYPT_OP, KVM_TDX_INIT_VCPU, 2);
	ck_assert_int_eq(call_index(KVM_MEMORY_ENCRYPT_OP, KVM_TDX_INIT_VCPU, 3), -1);
	first_region = call_index(KVM_MEMORY_ENCRYPT_OP, KVM_TDX_INIT_MEM_REGION, 0);
	last_region = call_index(KVM_MEMORY_ENCRYPT_OP, KVM_TDX_INIT_MEM_REGION, 5);
	fin = call_index(KVM_MEMORY_ENCRYPT_OP, KVM_TDX_FINALIZE_VM, 0);
	run = call_index(KVM_RUN, -1, 0);
	ck_assert_int_gt(first_region, last_init_vcpu);
	ck_assert_int_gt(fin, last_region);
	ck_assert_int_gt(run, fin);
	ck_assert_uint_eq(count_cmd(KVM_TDX_INIT_MEM_REGION), 6);
	/* The guest's private memory was private before anything was added. */
	ck_assert_int_lt(call_index(KVM_SET_MEMORY_ATTRIBUTES, -1, 0), first_region);
	ck_assert_uint_eq(fake__attributes(0), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	ck_assert_uint_eq(fake__attributes(GIB - 4096), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	ck_assert_uint_eq(fake__attributes(0xffc00000), KVM_MEMORY_ATTRIBUTE_PRIVATE);

	td = fake_tdx__td();
	ck_assert_uint_eq(td->nregions, 6);
	for (unsigned i = 0; i < 6; i++) {
		ck_assert_uint_eq(td->regions[i].gpa, gpas[i]);
		ck_assert_uint_eq(td->regions[i].vcpu, 0);
		ck_assert_int_eq(td->regions[i].measure, i == 0);       /* BFV: MR_EXTEND */
		ck_assert_int_eq(td->regions[i].err, 0);
	}
	ck_assert_uint_eq(td->regions[0].nr_pages, 0x37c);
	ck_assert_uint_eq(td->pages_extended, 0x37c);
	for (int v = 0; v < 3; v++) {
		ck_assert(td->vcpu_init[v]);
		ck_assert_uint_eq(td->vcpu_rcx[v], 0x809000);   /* the TD HOB */
	}
	ck_assert_uint_eq(td->attributes, SEPT_VE_DISABLE);
	ck_assert_uint_eq(td->xfam, 0x7);
	ck_assert_uint_eq(td->gpaw, 48);
	ck_assert_mem_eq(td->mrowner, (uint8_t[48]){ 0 }, 48);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_SET_REGS) + fake__count(FAKE_ANY, KVM_GET_REGS) +
			  fake__count(FAKE_ANY, KVM_SET_SREGS) + fake__count(FAKE_ANY, KVM_SET_MSRS) +
			  fake__count(FAKE_ANY, KVM_GET_LAPIC) + fake__count(FAKE_ANY, KVM_SET_FPU), 0);
}
END_TEST

/* The TD HOB in private memory describes cvm-run's own map (hole at 3 GiB)
 * and is what the plan measured. */
START_TEST(td_hob_is_cvm_runs_map)
{
	struct x86_ram_range ram[2];
	struct tdx_launch l = { test__shared(FW_MS), 5 * GIB, ram, x86__ram_ranges(5 * GIB, ram) };
	struct tdx_layout layout;
	const uint8_t *mem;
	uint64_t size;
	struct plan p;

	ck_assert_int_eq(run_td(FW_MS, "5G", "1", 0), 0);
	mem = fake__guest_memory(&size);
	ck_assert_uint_eq(size, 5 * GIB + 0x400000);    /* RAM and the firmware window */
	plan__init(&p);
	ck_assert_int_eq(tdx__build_plan(&p, &l, &layout), 0);
	ck_assert_uint_eq(layout.below_4g, 3 * GIB);
	ck_assert_mem_eq(mem + 0x809000, layout.hob, layout.hob_len);
	/* Its last resource descriptor: the 2 GiB at 4 GiB, unaccepted. */
	ck_assert_mem_eq(mem + 0x809000 + layout.hob_len - 8 - 16,
			 "\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x80\x00\x00\x00\x00", 16);
	/* The BFV's bytes at the end of the firmware window. */
	ck_assert_mem_eq(mem + 5 * GIB + 0x84000, layout.firmware.data + 0x84000, 0x37c000);
	plan__exit(&p);
}
END_TEST

START_TEST(identities_and_gpa_width)
{
	static const char *ids[3] = {
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f",
		"ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f",
		"0x010102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f",
	};
	struct kvm_cpuid_entry2 e[32];
	const struct fake_tdx_td *td;
	char got[97];
	unsigned n = 0;

	/* A host whose KVM addresses 52 bits (5-level EPT). */
	e[n++] = (struct kvm_cpuid_entry2){ .function = 1, .ecx = 1u << 21 };
	e[n++] = (struct kvm_cpuid_entry2){ .function = 0xd, .index = 0,
					    .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 0x2e7 };
	e[n++] = (struct kvm_cpuid_entry2){ .function = 0x80000008, .eax = 0x343034 };
	fake__set_supported_cpuid(e, n);
	fake_tdx__ept5(true);
	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(VM_TEST_RUN_BARE(&t, "--tee", "tdx", "--firmware", test__shared(FW_MS),
					  "--mrconfigid", ids[0], "--mrowner", ids[1],
					  "--mrownerconfig", ids[2]), 0);
	td = fake_tdx__td();
	hex(got, td->mrconfigid, 48);
	ck_assert_str_eq(got, ids[0]);
	hex(got, td->mrowner, 48);
	ck_assert_str_eq(got, ids[1]);
	hex(got, td->mrownerconfig, 48);
	ck_assert_str_eq(got, ids[2] + 2);
	ck_assert_uint_eq(td->gpaw, 52);
	ck_assert_uint_eq(td->xfam, 0x2e7);
}
END_TEST

/* A signal mid-section: KVM stops with -EINTR, writes back where, and the
 * launch goes on from there; the measurement does not change. */
START_TEST(eintr_resumes_where_kvm_stopped)
{
	char want[128], got[128];
	const struct fake_tdx_td *td;

	tdx_test__expected("tdx-mrtd-01", want, sizeof(want));
	fake_tdx__signal_at_page(100);
	ck_assert_int_eq(run_td(FW_MS, "1G", "1", 0), 0);
	td = fake_tdx__td();
	ck_assert_uint_eq(td->nregions, 7);
	ck_assert_int_eq(td->regions[0].err, EINTR);
	ck_assert_uint_eq(td->regions[0].pages_done, 100);
	ck_assert_uint_eq(td->regions[1].gpa, 0xffc84000 + 100 * 4096);
	ck_assert_uint_eq(td->regions[1].nr_pages, 0x37c - 100);
	ck_assert_int_eq(td->regions[1].measure, 1);
	hex(got, td->mrtd, 48);
	ck_assert_str_eq(got, want);
}
END_TEST

START_TEST(finalize_failure_names_hw_error)
{
	fake_tdx__finalize_fails(TDX_OPERAND_BUSY);
	ck_assert_int_eq(run_td(FW_MS, "1G", "1", 0), 1);
	ck_assert_str_eq(t.err, "cvm-run: KVM_TDX_FINALIZE_VM: Device or resource busy, "
				"hw_error 0x8000020000000000\n");
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_RUN), 0);
}
END_TEST

START_TEST(init_vm_retries_and_failures)
{
	fake_tdx__init_vm_fails(EAGAIN, 0, 3);
	ck_assert_int_eq(run_td(FW_MS, "1G", "1", 0), 0);
	ck_assert_uint_eq(count_cmd(KVM_TDX_INIT_VM), 4);
	tdx_test__fresh_host();
	fake_tdx__init_vm_fails(EINVAL, TDX_OPERAND_INVALID, 1);
	ck_assert_int_eq(run_td(FW_MS, "1G", "1", 0), 1);
	ck_assert_ptr_nonnull(strstr(t.err, "KVM_TDX_INIT_VM ("));
	ck_assert_ptr_nonnull(strstr(t.err, "Invalid argument, hw_error 0xc000010000000000\n"));
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VCPU), 0);
}
END_TEST

/* A section KVM refuses: the line names the command, the section, the page. */
START_TEST(section_failure_names_it)
{
	/* CAPABILITIES twice, INIT_VM, INIT_VCPU, the BFV: then the CFV. */
	fake__answer(KVM_MEMORY_ENCRYPT_OP, 5, -1, EIO);
	ck_assert_int_eq(run_td(FW_MS, "1G", "1", 0), 1);
	ck_assert_str_eq(t.err, "cvm-run: KVM_TDX_INIT_MEM_REGION TDVF[1] CFV: page 1 of 132 "
				"(gpa 0xffc00000): Input/output error\n");
}
END_TEST

START_TEST(host_without_what_a_td_needs)
{
	fake_tdx__caps(1, 0x2e7);               /* DEBUG only: no SEPT_VE_DISABLE */
	ck_assert_int_eq(run_td(FW_MS, "1G", "1", 0), 3);
	ck_assert_ptr_nonnull(strstr(t.err, "without SEPT_VE_DISABLE (bit 28)"));
	fake__uninstall();

	fake__install();                        /* no TDX at all */
	ck_assert_int_eq(run_td(FW_MS, "1G", "1", 0), 3);
	ck_assert_str_eq(t.err, "cvm-run: KVM here cannot create VM type 5 (KVM_CAP_VM_TYPES = 0x1)\n");

	tdx_test__fresh_host();
	fake__set_cap(KVM_CAP_SPLIT_IRQCHIP, 0);
	ck_assert_int_eq(run_td(FW_MS, "1G", "1", 0), 3);
	ck_assert_str_eq(t.err, "cvm-run: --tee tdx: KVM has no split irqchip here\n");
}
END_TEST

/* Options a TD cannot take, refused before KVM is touched. */
START_TEST(bad_options)
{
	static const struct {
		const char *args[4];
		int status;
		const char *err;
	} cases[] = {
		{ { "--kernel", NULL }, 2, "--tee tdx: needs --firmware TDVF" },
		{ { "--cpuid-disable", "x2apic" }, 2, "a TD's vCPUs need x2apic" },
		{ { "--mrowner", "abcd" }, 2, "--mrowner: 'abcd' is not 48 bytes in hex" },
		{ { "--tdx-qgs", "tcp:1" }, 2, "--tdx-qgs: 'tcp:1': expected unix:PATH" },
		{ { "--tdx-qgs", "vsock:2" }, 2, "expected vsock:CID:PORT" },
		{ { "-p", "console=ttyS0" }, 3, "--tee tdx with --params: TDVF reads the kernel" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* The first has a kernel instead of firmware. */
		const char *fw = i == 0 ? "--tee" : "--firmware";
		const char *fwv = i == 0 ? "tdx" : test__shared(FW_MS);

		ck_assert_int_eq(VM_TEST_RUN_BARE(&t, "--tee", "tdx", fw, fwv, cases[i].args[0],
						  cases[i].args[1] ? cases[i].args[1] : t.kernel,
						  "--dry-run"), cases[i].status);
		ck_assert_msg(strstr(t.err, cases[i].err), "case %zu: %s", i, t.err);
		ck_assert_str_eq(t.std_out, "");
	}
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VM), 0);
}
END_TEST

struct check_ctx {
	int status;
};

static void run_check(void *arg)
{
	((struct check_ctx *)arg)->status = check__run(false);
}

START_TEST(check_lists_tdx)
{
	struct check_ctx x;
	char out[4096], err[1024];

	vm_test__capture(run_check, &x, out, sizeof(out), err, sizeof(err));
	ck_assert_int_eq(x.status, 0);
	ck_assert_ptr_nonnull(strstr(out, "tdx                    yes: VM type 5, attributes 0x8"));
	ck_assert_ptr_nonnull(strstr(out, " TDX:yes"));
}
END_TEST

static Suite *tdx_launch_suite(void)
{
	Suite *s = suite_create("tdx-launch");
	TCase *t1 = tcase_create("launch");

	tcase_add_checked_fixture(t1, setup, teardown);
	tcase_set_timeout(t1, 60);
	tcase_add_test(t1, mrtd_agrees_three_ways);
	tcase_add_test(t1, launch_order);
	tcase_add_test(t1, td_hob_is_cvm_runs_map);
	tcase_add_test(t1, identities_and_gpa_width);
	tcase_add_test(t1, eintr_resumes_where_kvm_stopped);
	tcase_add_test(t1, finalize_failure_names_hw_error);
	tcase_add_test(t1, init_vm_retries_and_failures);
	tcase_add_test(t1, section_failure_names_it);
	tcase_add_test(t1, host_without_what_a_td_needs);
	tcase_add_test(t1, bad_options);
	tcase_add_test(t1, check_lists_tdx);
	suite_add_tcase(s, t1);
	return s;
}

TEST_SUITE(tdx_launch_suite)

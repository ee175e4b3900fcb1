/* cvm-run --tee realm against the fake RMM (fake-arm64.h): the launch
 * follows v14's order, and the RIM the RMM computed from what it was given
 * equals --dry-run's and cvm-measure --mode cca's; populates that stop
 * early, make no progress or fail; RIPAS changes through the conversion
 * engine; devices at their unprotected alias; the realm parameters v14
 * cannot pass, the host's LPA2, a host without realms.  arm64 only. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/kvm-abi.h"
#include "arch/arm64/memmap.h"
#include "loader/error.h"
#include "tests/unit/fake/fake-arm64.h"
#include "tests/unit/test.h"
#include "tests/unit/vm-test.h"
#include "vmm/check.h"
#include "vmm/config.h"

#define PAGE    0x1000ull
#define SHARED  (1ull << 31)            /* 256 MiB of RAM: a 32-bit IPA space */
#define DTB     0x40200000ull           /* the Image claims 2 MiB: DTB, initrd after */
#define INITRD  0x40400000ull

static struct vm_test t;

static void setup(void)
{
	fake__install();
	fake__host_realm();
	vm_test__init(&t);
}

static void teardown(void)
{
	vm_test__exit(&t);
	fake__uninstall();
}

static void fresh_host(void)
{
	fake__uninstall();
	fake__install();
	fake__host_realm();
}

/* The guest: "R" on the PL011, then STATUS to the debug-exit register, both
 * at their unprotected alias (the top bit of its IPA space), as a realm's
 * Linux reaches devices. */
static void exits_at(uint64_t shared, uint8_t status)
{
	fake__mmio(0, ARM64_UART_BASE | shared, true, "R", 1);
	fake__mmio(0, ARM64_DEBUG_EXIT_BASE | shared, true, &status, 1);
}

static void guest_exits(uint8_t status)
{
	exits_at(SHARED, status);
}

#define RUN(...) VM_TEST_RUN(&t, "--tee", "realm", "-m", "256M", "-c", "2", "-p", \
			     "console=ttyAMA0", ##__VA_ARGS__)

static void hex(char *out, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* "rim=HEX\n" of --dry-run with the same options as RUN, and X1, X2. */
static void dry_rim(const char *x1, const char *x2, char *line, size_t len)
{
	const char *args[16] = { "--tee", "realm", "-k", t.kernel, "-i", t.initrd, "-m", "256M",
				 "-c", "2", "-p", "console=ttyAMA0", x1, x1 ? x2 : NULL };
	char out[4096], err[512];
	const char *rim;

	ck_assert_int_eq(vm_test__dry_run(args, out, sizeof(out), err, sizeof(err)), 0);
	rim = strstr(out, "\nrim=");
	ck_assert_msg(rim, "dry run printed %s%s", out, err);
	snprintf(line, len, "%s", rim + 1);
}

/* cvm-measure --mode cca's output for the same inputs, and X1, X2. */
static void measured_rim(const char *x1, const char *x2, char *out, size_t len)
{
	char cmd[2048], err[512];

	snprintf(cmd, sizeof(cmd), "%s --mode cca --kernel '%s' --initrd '%s' --append "
		 "console=ttyAMA0 --vcpus 2 --memory 256M %s %s", test__program("cvm-measure"),
		 t.kernel, t.initrd, x1 ? x1 : "", x2 ? x2 : "");
	ck_assert_msg(test__run(NULL, cmd, out, len, err, sizeof(err)) == 0, "%s: %s", cmd, err);
}

/* The fake RMM's RIM, --dry-run's, cvm-measure's: one value. */
static void three_agree(const char *x1, const char *x2)
{
	char want[80], dry[96], measured[96];

	ck_assert(fake_realm__get()->active);
	strcpy(want, "rim=");
	hex(want + 4, fake_realm__get()->rim, 32);
	strcat(want, "\n");
	dry_rim(x1, x2, dry, sizeof(dry));
	measured_rim(x1, x2, measured, sizeof(measured));
	ck_assert_str_eq(dry, want);
	ck_assert_str_eq(measured, want);
}

/* Index of the NTH ioctl REQ in the call log, or -1. */
static long at(unsigned long req, unsigned nth)
{
	size_t n;
	const struct fake_call *c = fake__calls(&n);

	for (size_t i = 0; i < n; i++)
		if (c[i].op == FAKE_IOCTL && c[i].req == req && nth-- == 0)
			return (long)i;
	return -1;
}

START_TEST(rim_agrees_three_ways)
{
	const struct fake_realm *r;
	uint64_t size;
	const uint8_t *ram;

	guest_exits(7);
	ck_assert_int_eq(RUN(), 7);
	ck_assert_str_eq(t.err, "");
	ck_assert_str_eq(t.out, "R");
	three_agree(NULL, NULL);
	r = fake_realm__get();
	ck_assert_uint_eq(r->s2sz, 32);
	ck_assert_uint_eq(r->flags0, 0);
	/* Kernel (1 granule), initrd (2), DTB (1), all measured; vCPU 0's REC
	 * runnable at the Image with x0 = the DTB, vCPU 1's not. */
	ck_assert_uint_eq(r->ncalls, 1 + 4 + 2 + 1 + 1);
	for (int i = 1; i <= 4; i++)
		ck_assert(r->calls[i].op == FAKE_RMI_DATA_CREATE && r->calls[i].measured);
	ck_assert_uint_eq(r->calls[2].ipa, INITRD);
	ck_assert_uint_eq(r->calls[4].ipa, DTB);
	ck_assert(r->calls[5].op == FAKE_RMI_REC_CREATE && r->calls[5].vcpu == 0 &&
		  r->calls[5].measured && r->calls[5].pc == ARM64_RAM_BASE && r->calls[5].x0 == DTB);
	ck_assert(r->calls[6].op == FAKE_RMI_REC_CREATE && r->calls[6].vcpu == 1 &&
		  !r->calls[6].measured);
	ck_assert(r->calls[7].op == FAKE_RMI_INIT_RIPAS && r->calls[7].ipa == ARM64_RAM_BASE &&
		  r->calls[7].top == ARM64_RAM_BASE + (256ull << 20));
	ck_assert_uint_eq(r->populates, 3);
	/* The realm's memory holds the kernel, in the guest_memfd. */
	ram = fake__guest_memory(&size);
	ck_assert_uint_eq(size, 256ull << 20);
	ck_assert_mem_eq(ram, t.image, VM_TEST_KERNEL_LEN);
	ck_assert_mem_eq(ram + (INITRD - ARM64_RAM_BASE), t.initrd_data, VM_TEST_INITRD_LEN);
}
END_TEST

/* ARM64.md's v14 order: CREATE_VM(REALM | IPA) -> guest_memfd RAM, private
 * -> vGICv3 -> vCPUs (VCPU_INIT with PSCI 0.2, PC and x0) -> vGIC init ->
 * each image populated, measured -> KVM_RUN. */
START_TEST(launch_order)
{
	const struct kvm_create_guest_memfd *g;
	const struct kvm_arm_rmi_populate *p;
	long first_pop, last_pop;

	guest_exits(0);
	ck_assert_int_eq(RUN(), 0);
	/* The capability probe's realm (KVM's default IPA width), then the VM. */
	ck_assert_uint_eq(fake__find(FAKE_ANY, KVM_CREATE_VM, 0)->arg, KVM_VM_TYPE_ARM_REALM);
	ck_assert_uint_eq(fake__find(FAKE_ANY, KVM_CREATE_VM, 1)->arg, KVM_VM_TYPE_ARM_REALM | 32);
	g = vm_test__arg(FAKE_ANY, KVM_CREATE_GUEST_MEMFD, 0);
	ck_assert_uint_eq(g->flags, 0);
	first_pop = at(KVM_ARM_RMI_POPULATE, 0);
	last_pop = at(KVM_ARM_RMI_POPULATE, 2);
	ck_assert_int_eq(at(KVM_ARM_RMI_POPULATE, 3), -1);
	ck_assert_int_lt(at(KVM_SET_USER_MEMORY_REGION2, 0), at(KVM_SET_MEMORY_ATTRIBUTES, 0));
	ck_assert_int_lt(at(KVM_SET_MEMORY_ATTRIBUTES, 0), first_pop);
	ck_assert_int_lt(at(KVM_CREATE_DEVICE, 0), at(KVM_CREATE_VCPU, 0));
	ck_assert_int_lt(at(KVM_CREATE_VCPU, 1), at(KVM_SET_DEVICE_ATTR, 2));   /* CTRL_INIT */
	ck_assert_int_lt(at(KVM_SET_DEVICE_ATTR, 2), first_pop);
	for (int v = 0; v < 2; v++) {
		const struct kvm_vcpu_init *i = vm_test__arg(v, KVM_ARM_VCPU_INIT, 0);

		ck_assert(i->features[0] & (1u << KVM_ARM_VCPU_PSCI_0_2));
	}
	ck_assert_int_lt(at(KVM_SET_ONE_REG, 1), first_pop);
	ck_assert_int_lt(last_pop, at(KVM_RUN, 0));
	for (unsigned i = 0; i < 3; i++) {
		p = vm_test__arg(FAKE_ANY, KVM_ARM_RMI_POPULATE, i);
		ck_assert_uint_eq(p->flags, KVM_ARM_RMI_POPULATE_FLAGS_MEASURE);
		ck_assert_uint_eq(p->size, 0);                  /* as KVM left it: all done */
	}
	ck_assert_uint_eq(fake__attributes(ARM64_RAM_BASE + (200ull << 20)),
			  KVM_MEMORY_ATTRIBUTE_PRIVATE);
}
END_TEST

/* A populate that stops early is called again where it stopped. */
START_TEST(populate_in_pieces)
{
	fake_realm__populate_chunk(1);
	guest_exits(0);
	ck_assert_int_eq(RUN(), 0);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_ARM_RMI_POPULATE), 4);
	ck_assert_uint_eq(fake_realm__get()->populates, 4);
	three_agree(NULL, NULL);
}
END_TEST

/* No progress, a failing granule: one line naming the image and the GPA,
 * status 1, and the realm never runs. */
START_TEST(populate_stall_and_failure)
{
	fake_realm__populate_stall(1);
	ck_assert_int_eq(RUN(), CVM_EXIT_FAIL);
	ck_assert_str_eq(t.err, "cvm-run: KVM_ARM_RMI_POPULATE initrd: KVM wrote back base "
			 "0x40400000 size 0x2000 after base 0x40400000 size 0x2000: no progress\n");
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_RUN), 0);

	fresh_host();
	fake_realm__populate_fails(INITRD + PAGE, EIO);
	ck_assert_int_eq(RUN(), CVM_EXIT_FAIL);
	ck_assert_str_eq(t.err, "cvm-run: KVM_ARM_RMI_POPULATE initrd (measured): granule 2 of 2 "
			 "(gpa 0x40401000): Input/output error\n");
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_ARM_RMI_POPULATE), 3);     /* 1, 1 of 2, 0 */
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_RUN), 0);
}
END_TEST

static void ripas_change(uint64_t gpa, uint64_t size, bool ram)
{
	struct cvm_memory_fault_exit *mf =
		kvm_run__memory_fault(&fake__error(0, EFAULT, KVM_EXIT_MEMORY_FAULT)->run);

	mf->gpa = gpa;
	mf->size = size;
	mf->flags = ram ? KVM_MEMORY_EXIT_FLAG_PRIVATE : 0;
}

/* The guest's RSI_IPA_STATE_SET reaches cvm-run as memory-fault exits
 * (v12's rec_exit_ripas_change, kept since): EMPTY makes the range shared,
 * RAM private again, through the conversion engine. */
START_TEST(ripas_changes_convert)
{
	const uint64_t base = ARM64_RAM_BASE + (8ull << 20);

	ripas_change(base, 4 * PAGE, false);
	ripas_change(base + PAGE, PAGE, true);
	guest_exits(0);
	ck_assert_int_eq(RUN(), 0);
	ck_assert_str_eq(t.err, "");
	ck_assert_uint_eq(fake__attributes(base), 0);
	ck_assert_uint_eq(fake__attributes(base + PAGE), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	ck_assert_uint_eq(fake__attributes(base + 3 * PAGE), 0);
	ck_assert_uint_eq(fake__attributes(base + 4 * PAGE), KVM_MEMORY_ATTRIBUTE_PRIVATE);

	/* Outside the RAM: refused, and the VM stops saying so. */
	fresh_host();
	ripas_change(0x10000000, PAGE, false);
	ck_assert_int_eq(RUN(), CVM_EXIT_FAIL);
	ck_assert_str_eq(t.err, "cvm-run: vCPU 0: memory fault at gpa 0x10000000 size 0x1000: "
			 "conversion private -> shared refused\n");
}
END_TEST

/* x86's options are refused on arm64 (arm64__boot_cfg, also for plain
 * VMs), before KVM is touched. */
START_TEST(x86_options_refused)
{
	ck_assert_int_eq(RUN("--pit", "off"), CVM_EXIT_BADINPUT);
	ck_assert_str_eq(t.err, "cvm-run: --pit: the i8254 PIT is x86's; an arm64 VM has none\n");
	ck_assert_int_eq(RUN("--firmware-log", "/nonexistent/log"), CVM_EXIT_BADINPUT);
	ck_assert_str_eq(t.err, "cvm-run: --firmware-log: the debug port 0x402 is x86's; an arm64 "
				"VM has none\n");
	ck_assert_int_eq(RUN("--cpuid-disable", "sve"), CVM_EXIT_BADINPUT);
	ck_assert_str_eq(t.err, "cvm-run: --cpuid-disable: CPUID is x86's; an arm64 VM has none to "
				"hide\n");
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VM), 0);
}
END_TEST

/* What v14 cannot pass is measured, not launched; RMM 1.0 is not modelled. */
START_TEST(parameters_v14_cannot_pass)
{
	char dry[160], measured[160];

	ck_assert_int_eq(RUN("--hash", "sha512"), CVM_EXIT_NOHOST);
	ck_assert_msg(strstr(t.err, "cvm-run: --hash: the v14 KVM ABI cannot pass it"), "%s", t.err);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VM), 0);
	dry_rim("--hash", "sha512", dry, sizeof(dry));
	measured_rim("--hash", "sha512", measured, sizeof(measured));
	ck_assert_str_eq(dry, measured);
	ck_assert_uint_eq(strlen(dry), 4 + 128 + 1);

	ck_assert_int_eq(RUN("--sve-vl", "512"), CVM_EXIT_NOHOST);
	ck_assert_msg(strstr(t.err, "cvm-run: --sve-vl: the v14"), "%s", t.err);
	ck_assert_int_eq(RUN("--num-wps", "4"), CVM_EXIT_NOHOST);
	ck_assert_int_eq(RUN("--rmm", "1.0"), CVM_EXIT_BADINPUT);
	ck_assert_msg(strstr(t.err, "--rmm 1.0: cvm-run's realm launch (the v14 KVM ABI) is RMM "
			     "2.0's"), "%s", t.err);
	ck_assert_int_eq(RUN("--ipa-bits", "49"), CVM_EXIT_BADINPUT);
	ck_assert_msg(strstr(t.err, "--ipa-bits 49: more than 48 needs --lpa2"), "%s", t.err);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VM), 0);
}
END_TEST

/* The realm options, parsed as cvm-measure parses them, belong to --tee
 * realm alone. */
START_TEST(options_parse)
{
	struct vm_config c;

	ck_assert_int_eq(vm_test__parse(&c, (const char *const[]){ "-k", "K", "--tee", "realm",
			 "--ipa-bits", "40", "--lpa2", "--num-bps", "6", "--pmu-num-ctrs", "0",
			 "--sve-vl", "256", "--hash", "sha384", "--rmm", "2.0", NULL }), 0);
	ck_assert_uint_eq(c.realm.given, REALM_OPT_PMU | REALM_OPT_NUM_BPS | REALM_OPT_SVE_VL |
			  REALM_OPT_IPA_BITS | REALM_OPT_LPA2 | REALM_OPT_HASH | REALM_OPT_RMM);
	ck_assert(c.realm.lpa2 && c.realm.ipa_bits == 40 && c.realm.num_bps == 6 &&
		  c.realm.sve_vl == 256 && c.realm.hash == PLAN_REALM_SHA384);
	config__exit(&c);
	ck_assert_int_eq(vm_test__parse(&c, (const char *const[]){ "-k", "K", "--tee", "realm",
			 "--ipa-bits", "31", NULL }), -1);
	ck_assert_str_eq(err__msg(), "--ipa-bits 31: 32 to 52");
	ck_assert_int_eq(vm_test__parse(&c, (const char *const[]){ "-k", "K", "--tee", "realm",
			 "--sve-vl", "200", NULL }), -1);
	ck_assert_str_eq(err__msg(), "--sve-vl 200: a multiple of 128 bits");
	ck_assert_int_eq(vm_test__parse(&c, (const char *const[]){ "-k", "K", "--tee", "pkvm",
			 "--lpa2", NULL }), -1);
	ck_assert_str_eq(err__msg(), "--lpa2: only with --tee realm");
	config__exit(&c);
}
END_TEST

/* v14 gives every realm LPA2 when the host runs with it: the plan must say
 * so, or the launch is refused before anything is populated. */
START_TEST(lpa2_follows_the_host)
{
	ck_assert_int_eq(RUN("--lpa2"), CVM_EXIT_NOHOST);
	ck_assert_msg(strstr(t.err, "--lpa2: this host's KVM has no LPA2"), "%s", t.err);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_ARM_RMI_POPULATE), 0);

	fresh_host();
	fake_realm__host_lpa2(true);
	ck_assert_int_eq(RUN(), CVM_EXIT_NOHOST);
	ck_assert_msg(strstr(t.err, "no --lpa2: this host's KVM runs with LPA2"), "%s", t.err);

	fresh_host();
	fake_realm__host_lpa2(true);
	exits_at(1ull << 39, 0);
	ck_assert_int_eq(RUN("--lpa2", "--ipa-bits", "40"), 0);
	ck_assert_str_eq(t.out, "R");
	ck_assert_uint_eq(fake_realm__get()->flags0, 1);
	ck_assert_uint_eq(fake_realm__get()->s2sz, 40);
	three_agree("--lpa2", "--ipa-bits=40");
}
END_TEST

struct check_out {
	int status;
};

static void run_check(void *ctx)
{
	((struct check_out *)ctx)->status = check__run(false);
}

/* A host without the series: status 3 and what is missing, at launch and
 * in cvm-run check; with it, check creates a realm VM. */
START_TEST(host_without_realms)
{
	struct check_out c;
	char out[4096], err[512];

	fresh_host();
	fake__set_cap(KVM_CAP_ARM_RMI, 0);
	ck_assert_int_eq(RUN(), CVM_EXIT_NOHOST);
	ck_assert_str_eq(t.err, "cvm-run: --tee realm: no KVM_CAP_ARM_RMI (249 in the v14 "
			 "series): this kernel has no Arm CCA realms (the series is not merged; "
			 "realms also need RME hardware and an RMM)\n");
	vm_test__capture(run_check, &c, out, sizeof(out), err, sizeof(err));
	ck_assert_int_eq(c.status, 0);
	ck_assert_msg(strstr(out, "  realm                  no: --tee realm: no KVM_CAP_ARM_RMI"),
		      "%s", out);

	fake__set_cap(KVM_CAP_ARM_RMI, 1);
	vm_test__capture(run_check, &c, out, sizeof(out), err, sizeof(err));
	ck_assert_msg(strstr(out, "  realm                  yes: a realm VM was created (VM type "
			     "0x40000000, v14 ABI)"), "%s", out);

	fake__set_cap(KVM_CAP_MEMORY_ATTRIBUTES, 0);
	ck_assert_int_eq(RUN(), CVM_EXIT_NOHOST);
	ck_assert_str_eq(t.err, "cvm-run: --tee realm: a realm VM here has no private memory "
			 "attribute\n");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("realm-launch");
	TCase *t1 = tcase_create("launch");

	tcase_add_checked_fixture(t1, setup, teardown);
	tcase_set_timeout(t1, 120);
	tcase_add_test(t1, rim_agrees_three_ways);
	tcase_add_test(t1, launch_order);
	tcase_add_test(t1, populate_in_pieces);
	tcase_add_test(t1, populate_stall_and_failure);
	tcase_add_test(t1, ripas_changes_convert);
	tcase_add_test(t1, x86_options_refused);
	tcase_add_test(t1, parameters_v14_cannot_pass);
	tcase_add_test(t1, options_parse);
	tcase_add_test(t1, lpa2_follows_the_host);
	tcase_add_test(t1, host_without_realms);
	suite_add_tcase(s, t1);
	return s;
}

TEST_SUITE(suite)

/* The SEV launch options (loader/sev-opts.c, the parser cvm-run and
 * cvm-measure share) and what cvm-run refuses before KVM is touched: one
 * line, status 2. */
#include <stdio.h>
#include <string.h>

#include "loader/error.h"
#include "loader/sev-opts.h"
#include "tests/unit/boot-test.h"
#include "tests/unit/test.h"
#include "tests/unit/vm-test.h"
#include "vmm/config.h"

START_TEST(parsing_and_precedence)
{
	struct sev_opts o;
	uint32_t sig;

	sev_opts__init(&o);
	ck_assert_uint_eq(o.guest_features, 1);
	ck_assert_uint_eq(o.snp_policy, 0x30000);
	ck_assert_int_eq(sev_opts__vcpu_sig(&o, &sig), 0);
	ck_assert_int_eq(sev_opts__set(&o, "--vcpu-type", "EPYC-Milan"), 0);
	ck_assert_int_eq(sev_opts__vcpu_sig(&o, &sig), 1);
	ck_assert_uint_eq(sig, 0xa00f11);
	ck_assert_int_eq(sev_opts__set(&o, "vcpu-sig", "0x800f12"), 0);        /* INI spelling */
	ck_assert_int_eq(sev_opts__vcpu_sig(&o, &sig), 1);
	ck_assert_uint_eq(sig, 0x800f12);
	ck_assert_int_eq(sev_opts__set(&o, "--vcpu-family", "26"), 0);
	ck_assert_int_eq(sev_opts__vcpu_sig(&o, &sig), -1);
	ck_assert_str_eq(err__msg(), "--vcpu-family requires --vcpu-model and --vcpu-stepping");
	ck_assert_int_eq(sev_opts__set(&o, "--vcpu-model", "0"), 0);
	ck_assert_int_eq(sev_opts__set(&o, "--vcpu-stepping", "0"), 0);
	ck_assert_int_eq(sev_opts__vcpu_sig(&o, &sig), 1);
	ck_assert_uint_eq(sig, 0xb00f00);
	ck_assert_int_eq(sev_opts__set(&o, "--host-data", "0x" "000102030405060708090a0b0c0d0e0f"
				       "101112131415161718191a1b1c1d1e1f"), 0);
	ck_assert_uint_eq(o.host_data[31], 0x1f);
	ck_assert_int_eq(sev_opts__set(&o, "--snp-cpuid-fixup", ""), 0);
	ck_assert(o.cpuid_fixup);
	ck_assert_int_eq(sev_opts__set(&o, "snp-cpuid-fixup", "no"), 0);
	ck_assert(!o.cpuid_fixup);
	ck_assert(sev_opts__known("--id-auth") && sev_opts__known("guest-features"));
	ck_assert(!sev_opts__known("--vmm-type"));
}
END_TEST

START_TEST(bad_values_say_which)
{
	static const struct { const char *name, *value, *msg; } cases[] = {
		{ "--vcpu-type", "EPYC-v9", "--vcpu-type EPYC-v9: unknown vCPU type (see --help)" },
		{ "--vcpu-sig", "0x100000000", "--vcpu-sig 0x100000000: at most 4294967295" },
		{ "--vcpu-stepping", "x", "--vcpu-stepping x: not a number" },
		{ "--snp-policy", "0x70000", "bit 18 (MIGRATE_MA) is never accepted by KVM" },
		{ "--snp-policy", "0x10000", "bit 17 must be one" },
		{ "--snp-policy", "0x4030000", "bits 0x4000000 are no SNP policy bits KVM knows" },
		{ "--host-data", "abcd", "--host-data abcd: expected 64 hex digits" },
		{ "--id-block", "", "--id-block: empty file name" },
		{ "snp-cpuid-fixup", "maybe", "snp-cpuid-fixup maybe: expected true or false" },
		{ "--vmm-type", "QEMU", "--vmm-type: not an SEV option" },
	};
	struct sev_opts o;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sev_opts__init(&o);
		ck_assert_int_eq(sev_opts__set(&o, cases[i].name, cases[i].value), -1);
		ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
		ck_assert_msg(strstr(err__msg(), cases[i].msg), "'%s' lacks '%s'", err__msg(),
			      cases[i].msg);
	}
}
END_TEST

#define REFUSED(needle, ...) refused((const char *const[]){ __VA_ARGS__, NULL }, needle)

static void refused(const char *const *args, const char *needle)
{
	struct vm_config c;

	ck_assert_int_eq(vm_test__parse(&c, args), -1);
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
	ck_assert_msg(strstr(err__msg(), needle), "'%s' lacks '%s'", err__msg(), needle);
	config__exit(&c);
}

START_TEST(options_need_their_tee)
{
	struct vm_config c;

	REFUSED("--vcpu-type: only with --tee snp or sev-es", "-k", "k", "--vcpu-type", "EPYC");
	REFUSED("--snp-policy: only with --tee snp", "-k", "k", "--snp-policy", "0x30000");
	REFUSED("--snp-cpuid-fixup: only with --tee snp", "--tee", "sw-protected", "-k", "k",
		"--snp-cpuid-fixup");
	REFUSED("--vcpu-sig: only with --tee snp or sev-es", "--tee", "sev", "--firmware", "f",
		"--vcpu-sig", "1");
	REFUSED("--guest-features: only with --tee snp", "--tee", "sev-es", "--firmware", "f",
		"--guest-features", "0x21");
	REFUSED("--id-block: needs --id-auth", "--tee", "snp", "--firmware", "f", "--id-block", "b");
	ck_assert_int_eq(vm_test__parse(&c, (const char *const[]){ "--tee", "snp", "--firmware", "f",
			 "--vcpu-type", "EPYC-v4", "--guest-features", "0x21", "--snp-policy",
			 "0x130000", "--id-block", "b", "--id-auth", "a", "--snp-certs", "c",
			 "--snp-cpuid-fixup", NULL }), 0);
	ck_assert_uint_eq(c.sev.guest_features, 0x21);
	ck_assert_uint_eq(c.sev.snp_policy, 0x130000);
	ck_assert_str_eq(c.sev.snp_certs, "c");
	ck_assert(c.sev.cpuid_fixup);
	config__exit(&c);
}
END_TEST

/* cvm-run ARGS --dry-run: status 2, nothing on stdout, one line naming it. */
static void plan_refused(const char *const *args, const char *needle)
{
	char out[4096], err[1024];
	int st = vm_test__dry_run(args, out, sizeof(out), err, sizeof(err));

	ck_assert_msg(st == 2, "status %d: %s", st, err);
	ck_assert_msg(!out[0], "printed %s", out);
	ck_assert_msg(strstr(err, needle), "'%s' lacks '%s'", err, needle);
	ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1, "not one line: %s", err);
}

#define PLAN_REFUSED(needle, ...) plan_refused((const char *const[]){ __VA_ARGS__, NULL }, needle)

START_TEST(plans_refused_before_kvm)
{
	char amd[4096], deb[4096], k[4096], i[4096];
	uint8_t odd[100] = { 0 };
	char *small = boot_test__file(odd, sizeof(odd), sizeof(odd));

	snprintf(amd, sizeof(amd), "%s", test__shared("vectors/firmware/OVMF.amdsev.fd"));
	snprintf(deb, sizeof(deb), "%s", test__shared("vectors/firmware/bookworm_OVMF.fd"));
	snprintf(k, sizeof(k), "%s", test__shared("vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64"));
	snprintf(i, sizeof(i), "%s", test__shared("vectors/kernel/initrd.bin"));
	PLAN_REFUSED("--tee snp: needs --firmware", "--tee", "snp", "-k", k);
	PLAN_REFUSED("--tee sev-es: missing --vcpu-type or --vcpu-sig or --vcpu-family",
		     "--tee", "sev-es", "--firmware", amd);
	PLAN_REFUSED("--initrd: needs --kernel", "--tee", "sev", "--firmware", amd, "-i", i);
	PLAN_REFUSED("an SNP VMSA always has SNPActive", "--tee", "snp", "--firmware", amd,
		     "--vcpu-type", "EPYC", "--guest-features", "0x20");
	PLAN_REFUSED("/nonexistent/b: No such file", "--tee", "snp", "--firmware", amd,
		     "--vcpu-type", "EPYC", "--id-block", "/nonexistent/b", "--id-auth", small);
	PLAN_REFUSED(": 100 bytes, need 96", "--tee", "snp", "--firmware", amd, "--vcpu-type",
		     "EPYC", "--id-block", small, "--id-auth", small);
	PLAN_REFUSED("a firmware image is whole 4 KiB pages", "--tee", "sev", "--firmware", small);
	PLAN_REFUSED("doesn't include SNP_KERNEL_HASHES section", "--tee", "snp", "--firmware", deb,
		     "--vcpu-type", "EPYC", "-k", k);
	PLAN_REFUSED("/nonexistent/vmlinuz", "--tee", "snp", "--firmware", amd, "--vcpu-type",
		     "EPYC", "-k", "/nonexistent/vmlinuz");
	boot_test__remove(small);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sev-opts");
	TCase *tc = tcase_create("options");

	tcase_add_test(tc, parsing_and_precedence);
	tcase_add_test(tc, bad_values_say_which);
	tcase_add_test(tc, options_need_their_tee);
	tcase_add_test(tc, plans_refused_before_kvm);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(suite)

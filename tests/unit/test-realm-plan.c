/* The realm options (loader/realm-opts.c) and the realm launch plan
 * (arch/arm64/realm.c), which cvm-run --tee realm and cvm-measure --mode
 * cca share: the parameters each option gives, the IPA width the RAM needs,
 * the plan's ops, and cvm-measure's RIM of it, alone or in a matrix of vCPU
 * counts and memory sizes.  Pure: every host. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/image.h"
#include "arch/arm64/memmap.h"
#include "arch/arm64/realm.h"
#include "loader/error.h"
#include "loader/realm-opts.h"
#include "measure/corim.h"
#include "measure/rim.h"
#include "tests/unit/boot-test.h"
#include "tests/unit/test.h"

#define GIB (1ull << 30)
#define MIB (1ull << 20)

static struct realm_opts opts(const char *const *kv)
{
	struct realm_opts o;

	realm_opts__init(&o);
	for (; kv[0]; kv += 2)
		ck_assert_msg(realm_opts__set(&o, kv[0], kv[1]) == 0, "%s %s: %s", kv[0], kv[1],
			      err__msg());
	return o;
}
#define OPTS(...) opts((const char *const[]){ __VA_ARGS__, NULL })

static void refused(const char *name, const char *value, const char *msg)
{
	struct realm_opts o;

	realm_opts__init(&o);
	ck_assert_int_eq(realm_opts__set(&o, name, value), -1);
	ck_assert_str_eq(err__msg(), msg);
	ck_assert_uint_eq(o.given, 0);
}

START_TEST(options_give_parameters)
{
	struct realm_opts o = OPTS("--sve-vl", "512", "pmu-num-ctrs", "0", "--num-bps", "6",
				   "--num-wps", "1", "--lpa2", "", "--hash", "sha512");
	struct plan_realm r;

	ck_assert_int_eq(realm_opts__params(&o, ARM64_RAM_BASE + GIB, &r), 0);
	ck_assert_uint_eq(r.flags0, PLAN_REALM_LPA2 | PLAN_REALM_SVE | PLAN_REALM_PMU);
	ck_assert_uint_eq(r.sve_vl, 3);                         /* VQ 4, minus one */
	ck_assert_uint_eq(r.num_bps, 5);
	ck_assert_uint_eq(r.num_wps, 0);
	ck_assert_uint_eq(r.pmu_num_ctrs, 0);
	ck_assert_uint_eq(r.s2sz, 32);
	ck_assert_int_eq(r.hash, PLAN_REALM_SHA512);
	ck_assert_int_eq(r.rmm, PLAN_RMM_ANY);
	ck_assert_str_eq(realm_opts__given(&o, REALM_OPT_PARAMS), "--sve-vl");
	ck_assert_ptr_null(realm_opts__given(&o, REALM_OPT_RMM | REALM_OPT_IPA_BITS));

	o = OPTS("--rmm", "2.0");
	ck_assert_int_eq(realm_opts__params(&o, ARM64_RAM_BASE + 512 * MIB, &r), 0);
	ck_assert(r.flags0 == 0 && r.sve_vl == 0 && r.num_bps == 0 && r.num_wps == 0 &&
		  r.pmu_num_ctrs == 0 && r.hash == PLAN_REALM_SHA256 && r.rmm == PLAN_RMM_2_0);
	ck_assert(realm_opts__known("lpa2") && realm_opts__known("--ipa-bits") &&
		  !realm_opts__known("--vcpus"));
}
END_TEST

START_TEST(options_refused)
{
	refused("--rmm", "1.1", "--rmm 1.1: expected 1.0 or 2.0");
	refused("--hash", "md5", "--hash md5: expected sha256, sha384 or sha512");
	refused("--ipa-bits", "53", "--ipa-bits 53: 32 to 52");
	refused("--ipa-bits", "x", "--ipa-bits x: not a number");
	refused("--sve-vl", "2176", "--sve-vl 2176: 128 to 2048");
	refused("--sve-vl", "320", "--sve-vl 320: a multiple of 128 bits");
	refused("--pmu-num-ctrs", "32", "--pmu-num-ctrs 32: 0 to 31");
	refused("--num-bps", "0", "--num-bps 0: 1 to 64");
	refused("--num-wps", "65", "--num-wps 65: 1 to 64");
	refused("--lpa2", "maybe", "--lpa2 maybe: expected true or false");
	refused("--vcpus", "1", "--vcpus: not a realm option");
}
END_TEST

/* The RAM must sit in the protected (lower) half of the IPA space. */
START_TEST(ipa_bits_hold_the_ram)
{
	struct realm_opts o = OPTS("--hash", "sha256");
	struct plan_realm r;

	ck_assert_int_eq(realm_opts__params(&o, 2 * GIB, &r), 0);
	ck_assert_uint_eq(r.s2sz, 32);
	ck_assert_int_eq(realm_opts__params(&o, 2 * GIB + 4096, &r), 0);
	ck_assert_uint_eq(r.s2sz, 33);
	ck_assert_int_eq(realm_opts__params(&o, 1ull << 47, &r), 0);
	ck_assert_uint_eq(r.s2sz, 48);
	ck_assert_int_eq(realm_opts__params(&o, (1ull << 47) + 4096, &r), -1);
	ck_assert_str_eq(err__msg(), "memory: the RAM ends at 0x800000001000, beyond the protected "
			 "half of a 48-bit IPA space (52 bits need --lpa2)");
	o = OPTS("--lpa2", "true");
	ck_assert_int_eq(realm_opts__params(&o, (1ull << 47) + 4096, &r), 0);
	ck_assert_uint_eq(r.s2sz, 49);
	o = OPTS("--ipa-bits", "40");
	ck_assert_int_eq(realm_opts__params(&o, 2 * GIB, &r), 0);
	ck_assert_uint_eq(r.s2sz, 40);
	ck_assert_int_eq(realm_opts__params(&o, (1ull << 39) + 4096, &r), -1);
	ck_assert_str_eq(err__msg(), "--ipa-bits 40: the RAM ends at 0x8000001000, above the "
			 "protected half (below 0x8000000000); it needs at least 41");
	o = OPTS("--ipa-bits", "50");
	ck_assert_int_eq(realm_opts__params(&o, 2 * GIB, &r), -1);
	ck_assert_str_eq(err__msg(), "--ipa-bits 50: more than 48 needs --lpa2");
	o = OPTS("--hash", "sha384", "--rmm", "1.0");
	ck_assert_int_eq(realm_opts__params(&o, 2 * GIB, &r), -1);
	ck_assert_str_eq(err__msg(), "--hash sha384: RMM 1.0 has sha256 and sha512 only");
}
END_TEST

START_TEST(only_with_tee_realm)
{
	struct realm_opts o = OPTS("--num-wps", "2");

	ck_assert_int_eq(realm_opts__check_tee(&o, "realm"), 0);
	ck_assert_int_eq(realm_opts__check_tee(&o, "pkvm"), -1);
	ck_assert_str_eq(err__msg(), "--num-wps: only with --tee realm");
	realm_opts__init(&o);
	ck_assert_int_eq(realm_opts__check_tee(&o, "none"), 0);
}
END_TEST

/* An Image of 9 KiB (text_offset 0, image_size 2 MiB) and a 5000-byte initrd. */
struct files {
	char *kernel, *initrd;
};

static struct files files(void)
{
	static uint8_t k[9 * 1024], rd[5000];
	struct files f;

	for (size_t i = 0; i < sizeof(k); i++)
		k[i] = (uint8_t)(i * 7);
	memset(k, 0, ARM64_IMAGE_HDR_SIZE);
	memcpy(k, "MZ\x40\xfa", 4);
	k[0x12] = 0x20;                                 /* image_size 2 MiB */
	k[0x18] = 0xa;
	memcpy(k + ARM64_IMAGE_MAGIC_OFF, "ARM\x64", 4);
	for (size_t i = 0; i < sizeof(rd); i++)
		rd[i] = BOOT_TEST_INITRD_BYTE(i);
	f.kernel = boot_test__file(k, sizeof(k), sizeof(k));
	f.initrd = boot_test__file(rd, sizeof(rd), sizeof(rd));
	return f;
}

static void hex(char *out, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* Every image measured, on granule boundaries, then a REC per vCPU, only
 * vCPU 0's runnable at the entry; cvm-measure prints this plan's RIM. */
START_TEST(plan_and_its_rim)
{
	struct files f = files();
	const struct arm64_boot_cfg cfg = { .kernel = f.kernel, .initrd = f.initrd,
					    .cmdline = "console=ttyAMA0", .mem_size = 256 * MIB,
					    .vcpus = 3 };
	struct realm_opts o = OPTS("--num-bps", "2");
	struct plan p;
	uint8_t rim[RIM_MAX];
	char want[80] = "rim=", cmd[1024], out[256], err[256];

	plan__init(&p);
	ck_assert_msg(arm64__build_realm_plan(&p, &cfg, &o) == 0, "%s", err__msg());
	ck_assert_uint_eq(p.nops, 3 + 3);
	for (int i = 0; i < 3; i++)
		ck_assert(p.ops[i].kind == PLAN_REALM_DATA && p.ops[i].gpa % 4096 == 0);
	ck_assert_str_eq(p.ops[0].what, "kernel");
	ck_assert_uint_eq(p.ops[0].gpa, ARM64_RAM_BASE);
	ck_assert_str_eq(p.ops[1].what, "initrd");
	ck_assert_str_eq(p.ops[2].what, "dtb");
	for (uint32_t v = 0; v < 3; v++) {
		const struct plan_op *op = &p.ops[3 + v];

		ck_assert(op->kind == PLAN_REALM_REC && op->vcpu == v && op->rec);
		ck_assert_uint_eq(op->rec->flags, v ? 0 : PLAN_REC_RUNNABLE);
		ck_assert_uint_eq(op->rec->pc, v ? 0 : p.entry.pc);
		ck_assert_uint_eq(op->rec->gprs[0], v ? 0 : p.ops[2].gpa);
	}
	ck_assert(p.realm && p.realm->rmm == PLAN_RMM_2_0 && p.realm->s2sz == 32 &&
		  p.realm->num_bps == 1);
	ck_assert_int_eq(rim__replay(&p, rim, NULL), 0);
	hex(want + 4, rim, 32);
	strcat(want, "\n");
	snprintf(cmd, sizeof(cmd), "%s --mode cca --kernel '%s' --initrd '%s' --append "
		 "console=ttyAMA0 --vcpus 3 --memory 256M --num-bps 2",
		 test__program("cvm-measure"), f.kernel, f.initrd);
	ck_assert_msg(test__run(NULL, cmd, out, sizeof(out), err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(out, want);
	plan__exit(&p);

	/* RMM 1.0 would measure KVM's RIPAS calls, not modelled: refused. */
	o = OPTS("--rmm", "1.0");
	plan__init(&p);
	ck_assert_int_eq(arm64__build_realm_plan(&p, &cfg, &o), -1);
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
	plan__exit(&p);
	o = OPTS("--ipa-bits", "32");
	plan__init(&p);
	ck_assert_int_eq(arm64__build_realm_plan(&p, &(struct arm64_boot_cfg){ .kernel = f.kernel,
			 .mem_size = 2 * GIB, .vcpus = 1 }, &o), -1);
	ck_assert_msg(strstr(err__msg(), "--ipa-bits 32: the RAM ends at 0xc0000000"), "%s",
		      err__msg());
	plan__exit(&p);
	boot_test__remove(f.kernel);
	boot_test__remove(f.initrd);
}
END_TEST

/* The log of P's replay with MEMO equals the one without: each step. */
static void same_replay(const struct plan *p, struct rim_memo *memo)
{
	struct rim_log a = { 0 }, b = { 0 };
	uint8_t x[RIM_MAX], y[RIM_MAX];

	ck_assert_int_eq(rim__replay(p, x, &a), 0);
	ck_assert_int_eq(rim__replay_memo(p, y, &b, memo), 0);
	ck_assert_int_eq(memcmp(x, y, RIM_MAX), 0);
	ck_assert_uint_eq(a.n, b.n);
	for (size_t i = 0; i < a.n; i++)
		ck_assert_msg(a.s[i].kind == b.s[i].kind && a.s[i].op == b.s[i].op &&
			      a.s[i].ipa == b.s[i].ipa && a.s[i].measured == b.s[i].measured &&
			      a.s[i].has_content == b.s[i].has_content &&
			      !memcmp(a.s[i].content, b.s[i].content, RIM_MAX) &&
			      !memcmp(a.s[i].rim, b.s[i].rim, RIM_MAX), "step %zu", i);
	rim_log__exit(&a);
	rim_log__exit(&b);
}

/* A memo filled by one launch's replay gives another launch (other vCPUs,
 * other RAM: another DTB, other RECs, maybe other realm parameters) the RIM
 * and log it has without one: from the shared leading ops when the
 * parameters match, from the kept content hashes when they do not. */
START_TEST(memo_replay)
{
	struct files f = files();
	struct arm64_boot_cfg cfg = { .kernel = f.kernel, .initrd = f.initrd, .cmdline = "quiet",
				      .mem_size = 256 * MIB, .vcpus = 1 };
	struct realm_opts o = OPTS("--hash", "sha512");
	struct rim_memo memo = { 0 };
	struct plan a, b, c;
	uint8_t x[RIM_MAX], y[RIM_MAX];

	plan__init(&a);
	plan__init(&b);
	plan__init(&c);
	ck_assert_int_eq(arm64__build_realm_plan(&a, &cfg, &o), 0);
	cfg.mem_size = GIB;
	cfg.vcpus = 4;
	ck_assert_int_eq(arm64__build_realm_plan(&b, &cfg, &o), 0);
	cfg.mem_size = 4 * GIB;                 /* 34 IPA bits: another create */
	ck_assert_int_eq(arm64__build_realm_plan(&c, &cfg, &o), 0);
	ck_assert_uint_ne(a.realm->s2sz, c.realm->s2sz);
	same_replay(&a, &memo);
	ck_assert(memo.filled);
	ck_assert_uint_eq(memo.n, 3);           /* kernel, initrd, dtb */
	ck_assert_uint_eq(memo.nops, a.nops);
	same_replay(&b, &memo);
	same_replay(&c, &memo);
	ck_assert_uint_eq(memo.n, 3);           /* b's and c's own DTBs are not kept */
	/* b starts after a's kernel and initrd; c, created otherwise, does not. */
	memo.after[1][0] ^= 1;
	ck_assert_int_eq(rim__replay(&b, x, NULL), 0);
	ck_assert_int_eq(rim__replay_memo(&b, y, NULL, &memo), 0);
	ck_assert_int_ne(memcmp(x, y, RIM_MAX), 0);
	ck_assert_int_eq(rim__replay(&c, x, NULL), 0);
	ck_assert_int_eq(rim__replay_memo(&c, y, NULL, &memo), 0);
	ck_assert_int_eq(memcmp(x, y, RIM_MAX), 0);
	rim_memo__exit(&memo);
	plan__exit(&a);
	plan__exit(&b);
	plan__exit(&c);
	boot_test__remove(f.kernel);
	boot_test__remove(f.initrd);
}
END_TEST

static char err[4096];

/* CoRIM of several RIMs: one triple per distinct RIM, the document of the
 * distinct ones. */
START_TEST(corim_distinct)
{
	uint8_t rims[3][RIM_MAX] = { { 1, 2 }, { 3, 4 }, { 1, 2 } };
	char *a = NULL, *b = NULL;
	size_t na, nb;
	FILE *f = open_memstream(&a, &na);

	ck_assert_int_eq(corim__realm_comid(f, PLAN_REALM_SHA256, (const uint8_t (*)[RIM_MAX])rims, 3), 0);
	fclose(f);
	f = open_memstream(&b, &nb);
	ck_assert_int_eq(corim__realm_comid(f, PLAN_REALM_SHA256, (const uint8_t (*)[RIM_MAX])rims, 2), 0);
	fclose(f);
	ck_assert_str_eq(a, b);
	ck_assert_uint_eq(test__count(a, "\"environment\""), 2);
	free(b);
	f = open_memstream(&b, &nb);
	ck_assert_int_eq(corim__realm_comid(f, PLAN_REALM_SHA256, (const uint8_t (*)[RIM_MAX])rims, 1), 0);
	fclose(f);
	ck_assert_uint_eq(test__count(b, "\"environment\""), 1);
	ck_assert_int_ne(strncmp(a, b, 60), 0);         /* another tag id */
	free(a);
	free(b);
}
END_TEST

static int measure(const struct files *f, const char *args, char *out, size_t n)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s --mode cca --kernel '%s' --initrd '%s' --append quiet %s",
		 test__program("cvm-measure"), f->kernel, f->initrd, args);
	return test__run(NULL, cmd, out, n, err, sizeof(err));
}

/* --vcpus and --memory lists: a line per combination, vCPU-major, each what
 * the single launch prints; JSON names both in each entry and neither in
 * the options; CoRIM a triple per RIM; a product over the cap refused. */
START_TEST(vcpu_memory_matrix)
{
	static const char *const mems[] = { "256M", "1G" };
	static char matrix[8192], out[8192];
	struct files f = files();
	char args[128], line[256], *l = matrix;

	ck_assert_int_eq(measure(&f, "--vcpus 1-3 --memory 1G,256M", matrix, sizeof(matrix)), 0);
	for (int v = 1; v <= 3; v++) {
		for (int m = 0; m < 2; m++) {
			snprintf(args, sizeof(args), "--vcpus %d --memory %s", v, mems[m]);
			ck_assert_int_eq(measure(&f, args, out, sizeof(out)), 0);
			snprintf(line, sizeof(line), "vcpus=%d memory=%s %.200s", v, mems[m], out);
			ck_assert_msg(!strncmp(l, line, strlen(line)), "%s: want %s", l, line);
			l += strlen(line);
		}
	}
	ck_assert_str_eq(l, "");

	ck_assert_int_eq(measure(&f, "--vcpus 2 --memory 256M,1G", out, sizeof(out)), 0);
	ck_assert_int_eq(strncmp(out, "memory=256M rim=", 16), 0);
	ck_assert_ptr_nonnull(strstr(matrix, strchr(strchr(out, '\n') + 1, ' ')));

	ck_assert_int_eq(measure(&f, "--vcpus 1,2 --memory 256M,1G --output-format json", out,
				 sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"options\": {\"append\": \"quiet\", \"rmm\": "));
	ck_assert_ptr_nonnull(strstr(out, "\"matrix\": [\n    {\"vcpus\": 1, \"memory\": 268435456, "
				     "\"values\": {\"rim\": \""));
	ck_assert_ptr_nonnull(strstr(out, "\n    {\"vcpus\": 2, \"memory\": 1073741824, "
				     "\"values\": {\"rim\": \""));
	ck_assert_ptr_null(strstr(out, "\"values\": {\"rim\": \"\"}"));
	ck_assert_ptr_nonnull(strstr(out, "\"what\": \"rec1\""));     /* the last entry's log */
	ck_assert_int_eq(measure(&f, "--vcpus 3 --memory 256M,1G --output-format json", out,
				 sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"options\": {\"vcpus\": 3, \"append\": "));
	ck_assert_ptr_nonnull(strstr(out, "\"matrix\": [\n    {\"memory\": 268435456, \"values\""));

	ck_assert_int_eq(measure(&f, "--vcpus 1-3 --memory 1G,256M --output-format corim", out,
				 sizeof(out)), 0);
	ck_assert_uint_eq(test__count(out, "\"environment\""), 6);
	ck_assert_uint_eq(test__count(out, "\"value\": [\"sha-256;"), 6);

	ck_assert_int_eq(measure(&f, "--vcpus 1-2049 --memory 256M,1G", out, sizeof(out)), 2);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(err, "cvm-measure: --vcpus and --memory: 4098 combinations, more than 4096\n");
	ck_assert_int_eq(measure(&f, "--vcpus 1,2 --memory 256M,2G --ipa-bits 32", out,
				 sizeof(out)), 2);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(test__count(err, "\n"), 1);
	ck_assert_ptr_nonnull(strstr(err, "--ipa-bits 32: the RAM ends at 0xc0000000"));
	boot_test__remove(f.kernel);
	boot_test__remove(f.initrd);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("realm-plan");
	TCase *t = tcase_create("plan");

	tcase_set_timeout(t, 30);
	tcase_add_test(t, options_give_parameters);
	tcase_add_test(t, options_refused);
	tcase_add_test(t, ipa_bits_hold_the_ram);
	tcase_add_test(t, only_with_tee_realm);
	tcase_add_test(t, plan_and_its_rim);
	tcase_add_test(t, memo_replay);
	tcase_add_test(t, vcpu_memory_matrix);
	tcase_add_test(t, corim_distinct);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(suite)

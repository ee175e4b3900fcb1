/* The Realm Initial Measurement: every row of EXPECTED-cca.tsv through the
 * operation-script parser and the replay, the three .trace files step by step,
 * each descriptor type against a step of a trace and against its layout
 * written out by hand, and the plans the replay refuses. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/error.h"
#include "loader/parse.h"
#include "loader/realm-ops.h"
#include "measure/rim.h"
#include "tests/unit/test.h"

struct row {
	char name[64], rmm[16], algo[16], rim[160];
};

static int read_rows(struct row *rows, int max)
{
	FILE *f = fopen(test__shared("vectors/cca/EXPECTED-cca.tsv"), "r");
	char line[1024];
	int n = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) && n < max) {
		if (line[0] == '#')
			continue;
		ck_assert_int_eq(sscanf(line, "%63[^\t]\t%15[^\t]\t%15[^\t]\t%159[^\t]", rows[n].name,
					rows[n].rmm, rows[n].algo, rows[n].rim), 4);
		n++;
	}
	fclose(f);
	return n;
}

static enum plan_rmm rmm_of(const char *s)
{
	return !strcmp(s, "1.0") ? PLAN_RMM_1_0 : !strcmp(s, "2.0") ? PLAN_RMM_2_0 : PLAN_RMM_ANY;
}

/* The RIM of vector NAME under RMM, as hex; LOG may be NULL. */
static void measure(const char *name, enum plan_rmm rmm, char *hex, struct rim_log *log,
		    enum plan_realm_hash *h)
{
	char path[512];
	struct realm_ops ro = { 0 };
	struct plan p;
	uint8_t rim[RIM_MAX];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s.ops", test__shared("vectors/cca/ops"), name);
	plan__init(&p);
	ck_assert_msg(realm_ops__load(&p, &ro, path, rmm) == 0, "%s: %s", name, err__msg());
	ck_assert_msg(rim__replay(&p, rim, log) == 0, "%s: %s", name, err__msg());
	len = rim__hash_size(p.realm->hash);
	for (size_t i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", rim[i]);
	if (h)
		*h = p.realm->hash;
	realm_ops__exit(&ro);
	plan__exit(&p);
}

START_TEST(every_expected_row)
{
	struct row rows[64];
	int n = read_rows(rows, 64);
	char hex[2 * RIM_MAX + 1];
	enum plan_realm_hash h;

	ck_assert_int_ge(n, 15);
	for (int i = 0; i < n; i++) {
		const char *versions[] = { "1.0", "2.0", NULL };

		for (int v = 0; versions[v]; v++) {
			if (!strstr(rows[i].rmm, versions[v]))
				continue;
			measure(rows[i].name, rmm_of(versions[v]), hex, NULL, &h);
			ck_assert_msg(!strcmp(hex, rows[i].rim), "%s under RMM %s: %s", rows[i].name,
				      versions[v], hex);
			ck_assert_str_eq(rim__hash_name(h), rows[i].algo);
		}
		/* "1.0+2.0": no step differs, so not saying which must do too. */
		if (!strcmp(rows[i].rmm, "1.0+2.0")) {
			measure(rows[i].name, PLAN_RMM_ANY, hex, NULL, NULL);
			ck_assert_str_eq(hex, rows[i].rim);
		}
	}
}
END_TEST

/* Each numbered line of a .trace against the replay's log, in order. */
static void check_trace(const char *name, enum plan_rmm rmm)
{
	static const char *const kinds[] = { "create", "ripas", "data", "rec" };
	char path[512], line[1024], hex[2 * RIM_MAX + 1], last[2 * RIM_MAX + 1] = "";
	struct rim_log log = { 0 };
	size_t step = 0, len;
	enum plan_realm_hash h;
	FILE *f;

	measure(name, rmm, hex, &log, &h);
	len = rim__hash_size(h);
	snprintf(path, sizeof(path), "%s/%s.trace", test__shared("vectors/cca/ops"), name);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		char op[16], want[2 * RIM_MAX + 1], got[2 * RIM_MAX + 1];
		const char *r = strstr(line, "RIM=");
		unsigned num;

		if (!strncmp(line, "RIM ", 4))
			ck_assert_int_eq(sscanf(line + 4, "%128s", last), 1);
		if (!r || sscanf(line, "%u %15s", &num, op) != 2 || !strcmp(op, "extend"))
			continue;   /* REM extensions come after the launch */
		ck_assert_int_eq(sscanf(r + 4, "%128s", want), 1);
		ck_assert_msg(step < log.n, "%s: more trace steps than replayed", name);
		ck_assert_str_eq(kinds[log.s[step].kind], op);
		for (size_t i = 0; i < len; i++)
			sprintf(got + 2 * i, "%02x", log.s[step].rim[i]);
		ck_assert_msg(!strcmp(got, want), "%s step %u (%s): %s, want %s", name, num, op, got,
			      want);
		step++;
	}
	fclose(f);
	ck_assert_uint_eq(step, log.n);
	ck_assert_str_eq(last, hex);
	rim_log__exit(&log);
}

START_TEST(traces_step_by_step)
{
	check_trace("pub-kvmtool-fw", PLAN_RMM_1_0);
	check_trace("pub-qemu-kernel-initrd-append", PLAN_RMM_1_0);
	check_trace("syn-v2-sha384", PLAN_RMM_2_0);
}
END_TEST

static void unhex(const char *s, uint8_t *d)
{
	memset(d, 0, RIM_MAX);
	ck_assert_int_eq(parse__hex(s, d, strlen(s) / 2), 0);
}

static void put(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

/* Single steps of the traces, each descriptor type on its own. */
START_TEST(descriptor_steps)
{
	uint8_t rim[RIM_MAX], want[RIM_MAX], content[RIM_MAX], granule[4096];
	struct plan_realm realm = { .hash = PLAN_REALM_SHA384, .flags0 = 7, .s2sz = 52,
				    .sve_vl = 3, .num_bps = 7, .num_wps = 3, .pmu_num_ctrs = 4 };
	struct plan_realm_rec rec = { 1, 0x80000000, { 0x88000000, 1, 2, 3, 4, 5, 6, ~0ull } };
	char path[512];
	FILE *f;

	/* create: syn-v2-sha384 step 1 */
	ck_assert_int_eq(rim__create(&realm, rim), 0);
	unhex("f5eeee322ba03f0efddf1d9e44d97b2a7b3e3dc7dec5176628198808333f0919"
	      "eb99f60f79dfa61b1f3d2113ec1233c9", want);
	ck_assert_mem_eq(rim, want, RIM_MAX);

	/* unmeasured data: step 2 -> 3; the content stays zero */
	unhex("3c0a7db3b2abeaf3b8f121ad6e6780f9ddf2379f82766c9c6534aa1dd171663e"
	      "68af01179ce6d5eec8e93841b760618f", rim);
	memset(granule, 0x5a, sizeof(granule));
	ck_assert_int_eq(rim__data(PLAN_REALM_SHA384, rim, 0x80001000, false, granule, 4096,
				   content), 0);
	unhex("6c5ea3dfe55c40d11dc230bbc780d4836c82bcd465ec395f572cdfc5e1cfa351"
	      "6dff25bdb8fe5ef698077024d19b39dc", want);
	ck_assert_mem_eq(rim, want, RIM_MAX);
	memset(want, 0, sizeof(want));
	ck_assert_mem_eq(content, want, RIM_MAX);

	/* measured data: step 4 -> 5, the granule from the vector's blob */
	snprintf(path, sizeof(path), "%s/syn-v2-sha384.blob", test__shared("vectors/cca/ops"));
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0x3000, SEEK_SET), 0);
	ck_assert_uint_eq(fread(granule, 1, 4096, f), 4096);
	fclose(f);
	unhex("083b2d32b274635ffa60e207ba3a88d1ac2e65c9a64ff4672a7853a774d1a593"
	      "062fb2e058e5a40b5876595daa85b7e6", rim);
	ck_assert_int_eq(rim__data(PLAN_REALM_SHA384, rim, 0x80201000, true, granule, 4096,
				   content), 0);
	unhex("60e254e2bdb37b1eda4510adaad567baa062ad7a8685c739b716fb48353171190"
	      "caae207d25a4bf855b2cd9c9077b901", want);
	ck_assert_mem_eq(rim, want, RIM_MAX);
	EVP_Digest(granule, 4096, want, NULL, EVP_sha384(), NULL);
	ck_assert_mem_eq(content, want, 48);

	/* runnable REC: step 5 -> 6 */
	unhex("60e254e2bdb37b1eda4510adaad567baa062ad7a8685c739b716fb48353171190"
	      "caae207d25a4bf855b2cd9c9077b901", rim);
	ck_assert_int_eq(rim__rec(PLAN_REALM_SHA384, rim, &rec, content), 0);
	unhex("b7d58939067baa5895f3177d22cd837591e0ccffa34f34fd066e785cb180367b"
	      "5934b37a5cffc0909b8b5487de931428", want);
	ck_assert_mem_eq(rim, want, RIM_MAX);

	/* RIPAS (RMM 1.0): pub-kvmtool-fw step 1 -> 2 */
	unhex("9abbddd3cf68930801ba9475b12b0036bf43bd1399a161b178751d2f7b2880c3", rim);
	ck_assert_int_eq(rim__ripas(PLAN_REALM_SHA256, rim, 0x80000000, 0x80200000), 0);
	unhex("0d689b3cc196521b25f66e6c3bbdc2b8ea72e115a3bfa922c90c4c73ed798345", want);
	ck_assert_mem_eq(rim, want, RIM_MAX);
}
END_TEST

/* The DATA descriptor written out field by field, SHA-512. */
START_TEST(data_descriptor_layout)
{
	uint8_t rim[RIM_MAX], want[RIM_MAX], content[RIM_MAX], desc[256] = { 0 };
	uint8_t granule[4096], padded[4096] = { 0 };

	for (int i = 0; i < RIM_MAX; i++)
		rim[i] = i;
	for (int i = 0; i < 100; i++)
		granule[i] = padded[i] = 0xa0 + i;
	put(desc + 0x08, 0x100);
	memcpy(desc + 0x10, rim, RIM_MAX);
	put(desc + 0x50, 0x12345000);
	put(desc + 0x58, 1);
	EVP_Digest(padded, 4096, desc + 0x60, NULL, EVP_sha512(), NULL);
	EVP_Digest(desc, sizeof(desc), want, NULL, EVP_sha512(), NULL);
	/* 100 bytes given: the rest of the granule is zero */
	ck_assert_int_eq(rim__data(PLAN_REALM_SHA512, rim, 0x12345000, true, granule, 100, content),
			 0);
	ck_assert_mem_eq(rim, want, RIM_MAX);
	ck_assert_mem_eq(content, desc + 0x60, RIM_MAX);
}
END_TEST

/* RIPAS and REC descriptors field by field, SHA-256 (zero past 32 bytes). */
START_TEST(ripas_rec_descriptor_layout)
{
	uint8_t rim[RIM_MAX] = { 0 }, want[RIM_MAX] = { 0 }, content[RIM_MAX], desc[256] = { 0 };
	uint8_t page[4096] = { 0 };
	struct plan_realm_rec rec = { 1, 0x40080000, { 0x48000000, 0, 0, 0, 0, 0, 0, 7 } };

	memset(rim, 0x11, 32);
	put(desc + 0x00, 2);
	put(desc + 0x08, 0x100);
	memcpy(desc + 0x10, rim, RIM_MAX);
	put(desc + 0x50, 0x40000000);
	put(desc + 0x58, 0x40200000);
	EVP_Digest(desc, sizeof(desc), want, NULL, EVP_sha256(), NULL);
	ck_assert_int_eq(rim__ripas(PLAN_REALM_SHA256, rim, 0x40000000, 0x40200000), 0);
	ck_assert_mem_eq(rim, want, RIM_MAX);

	put(page + 0x000, 1);
	put(page + 0x200, 0x40080000);
	put(page + 0x300, 0x48000000);
	put(page + 0x338, 7);
	memset(desc, 0, sizeof(desc));
	put(desc + 0x00, 1);
	put(desc + 0x08, 0x100);
	memcpy(desc + 0x10, rim, RIM_MAX);
	EVP_Digest(page, sizeof(page), desc + 0x50, NULL, EVP_sha256(), NULL);
	EVP_Digest(desc, sizeof(desc), want, NULL, EVP_sha256(), NULL);
	ck_assert_int_eq(rim__rec(PLAN_REALM_SHA256, rim, &rec, content), 0);
	ck_assert_mem_eq(rim, want, RIM_MAX);
	ck_assert_mem_eq(content, desc + 0x50, RIM_MAX);
}
END_TEST

/* A multi-granule DATA op (as cvm-run's loader will make) equals one op per
 * granule, with a short tail zero-padded and NULL data a zero page. */
START_TEST(multi_granule_ops)
{
	static struct plan_realm realm = { .rmm = PLAN_RMM_2_0, .hash = PLAN_REALM_SHA256,
					   .s2sz = 40, .num_bps = 1, .num_wps = 1 };
	static uint8_t buf[2 * 4096 + 10], tail[4096];
	uint8_t a[RIM_MAX], b[RIM_MAX];
	struct plan p, q;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = i * 7;
	memcpy(tail, buf + 8192, 10);
	plan__init(&p);
	plan__init(&q);
	p.realm = q.realm = &realm;
	plan__add(&p, PLAN_REALM_DATA, 0x80000000, sizeof(buf), buf, "kernel");
	plan__add(&p, PLAN_REALM_DATA_UNMEASURED, 0x90000000, 8192, NULL, "zero");
	plan__add(&q, PLAN_REALM_DATA, 0x80000000, 4096, buf, "a");
	plan__add(&q, PLAN_REALM_DATA, 0x80001000, 4096, buf + 4096, "b");
	plan__add(&q, PLAN_REALM_DATA, 0x80002000, 4096, tail, "c");
	plan__add(&q, PLAN_REALM_DATA_UNMEASURED, 0x90000000, 4096, NULL, "d");
	plan__add(&q, PLAN_REALM_DATA_UNMEASURED, 0x90001000, 4096, NULL, "e");
	ck_assert_int_eq(rim__replay(&p, a, NULL), 0);
	ck_assert_int_eq(rim__replay(&q, b, NULL), 0);
	ck_assert_mem_eq(a, b, RIM_MAX);
	p.realm = q.realm = NULL;
	plan__exit(&p);
	plan__exit(&q);
}
END_TEST

static void refused(struct plan *p, const char *what)
{
	uint8_t rim[RIM_MAX];

	err__clear();
	ck_assert_int_eq(rim__replay(p, rim, NULL), -1);
	ck_assert_msg(strstr(err__msg(), what) != NULL, "%s", err__msg());
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
}

START_TEST(refused_plans)
{
	static struct plan_realm realm = { .rmm = PLAN_RMM_ANY, .hash = PLAN_REALM_SHA256,
					   .s2sz = 40, .num_bps = 1, .num_wps = 1 };
	struct plan p;

	plan__init(&p);
	refused(&p, "not a realm launch plan");
	p.realm = &realm;
	plan__add(&p, PLAN_NORMAL, 0x1000, 4096, NULL, "snp-page");
	refused(&p, "snp-page: a normal op has no place in a realm launch");
	p.nops = 0;
	plan__add(&p, PLAN_REALM_DATA, 0x1800, 4096, NULL, "odd");
	refused(&p, "odd: realm data [0x1800, +0x1000) is not whole 4 KiB granules");
	p.nops = 0;
	plan__add(&p, PLAN_REALM_RIPAS, 0x200000, 0x200000, NULL, "ram");
	refused(&p, "ram: RIPAS entries are measured by RMM 1.0 and not by 2.0");
	p.nops = 0;
	plan__add(&p, PLAN_REALM_REC, 0, 0, NULL, "vcpu0");
	refused(&p, "vcpu0: REC without parameters");
	realm.hash = 3;
	p.nops = 0;
	refused(&p, "realm hash algorithm 3");
	p.realm = NULL;
	plan__exit(&p);
}
END_TEST

/* RMM 2.0 leaves RIPAS entries out; RMM 1.0 chains them. */
START_TEST(ripas_by_version)
{
	static struct plan_realm realm = { .hash = PLAN_REALM_SHA256, .s2sz = 40, .num_bps = 1,
					   .num_wps = 1 };
	uint8_t none[RIM_MAX], v1[RIM_MAX], v2[RIM_MAX];
	struct plan p;

	plan__init(&p);
	p.realm = &realm;
	ck_assert_int_eq(rim__replay(&p, none, NULL), 0);
	plan__add(&p, PLAN_REALM_RIPAS, 0x40000000, 0x40000000, NULL, "ram");
	realm.rmm = PLAN_RMM_2_0;
	ck_assert_int_eq(rim__replay(&p, v2, NULL), 0);
	ck_assert_mem_eq(v2, none, RIM_MAX);
	realm.rmm = PLAN_RMM_1_0;
	ck_assert_int_eq(rim__replay(&p, v1, NULL), 0);
	ck_assert_int_ne(memcmp(v1, none, RIM_MAX), 0);
	p.realm = NULL;
	plan__exit(&p);
}
END_TEST

static Suite *rim_suite(void)
{
	Suite *s = suite_create("rim");
	TCase *tc = tcase_create("rim");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_expected_row);
	tcase_add_test(tc, traces_step_by_step);
	tcase_add_test(tc, descriptor_steps);
	tcase_add_test(tc, data_descriptor_layout);
	tcase_add_test(tc, ripas_rec_descriptor_layout);
	tcase_add_test(tc, multi_granule_ops);
	tcase_add_test(tc, refused_plans);
	tcase_add_test(tc, ripas_by_version);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(rim_suite)

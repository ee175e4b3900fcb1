/* Realm operation scripts parsed from memory: what each line becomes in the
 * plan, data files relative to the script's directory (shared, short, past
 * EOF, the zero page), and one line naming line and field for every kind of
 * bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/error.h"
#include "loader/realm-ops.h"
#include "tests/unit/test.h"

#define CREATE "create 0 0x0 40 0 1 1 0\n"

static char dir[] = "/tmp/cvm-realm-ops-XXXXXX";
static char path[4096];
static struct plan p;
static struct realm_ops ro;

static const char *in_dir(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void setup(void)
{
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	f = fopen(in_dir("blob"), "wb");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 6000; i++)
		fputc(i % 251, f);
	fclose(f);
	f = fopen(in_dir("empty"), "wb");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(mkdir(in_dir("sub"), 0755), 0);
	ck_assert_int_eq(mkfifo(in_dir("fifo"), 0644), 0);
	plan__init(&p);
}

static void teardown(void)
{
	realm_ops__exit(&ro);
	plan__exit(&p);
	unlink(in_dir("blob"));
	unlink(in_dir("empty"));
	unlink(in_dir("fifo"));
	rmdir(in_dir("sub"));
	rmdir(dir);
	strcpy(dir, "/tmp/cvm-realm-ops-XXXXXX");
}

static int parse_rmm(const char *script, enum plan_rmm rmm)
{
	realm_ops__exit(&ro);
	plan__exit(&p);
	plan__init(&p);
	err__clear();
	return realm_ops__parse(&p, &ro, "t.ops", dir, script, strlen(script), rmm);
}

static int parse(const char *script)
{
	return parse_rmm(script, PLAN_RMM_ANY);
}

START_TEST(lines_become_ops)
{
	const char *s = "# a realm\n"
			"create 0x1 0x5 0x30 0 5 3 31\r\n"
			"ripas 0x40000000 0x40200000\n"
			"\n"
			"data 0x40000000 1 blob 0   # kernel\n"
			"data 0x40001000 1 blob 4096\n"
			"data\t0x40002000\t0\tblob\t0x10000\n"
			"data 0x40003000 1 - 0\n"
			"rec 1 0x40000000 0x48000000 1 2 3 4 5 6 18446744073709551615\n"
			"rec 0 0 0 0 0 0 0 0 0 0\n"
			"print\n";
	const struct plan_realm *r;
	uint8_t want[4096] = { 0 };

	ck_assert_msg(parse(s) == 0, "%s", err__msg());
	r = p.realm;
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->rmm, PLAN_RMM_ANY);
	ck_assert_int_eq(r->hash, PLAN_REALM_SHA512);
	ck_assert_uint_eq(r->flags0, PLAN_REALM_LPA2 | PLAN_REALM_PMU);
	ck_assert_uint_eq(r->s2sz, 48);
	ck_assert_uint_eq(r->num_bps, 5);
	ck_assert_uint_eq(r->num_wps, 3);
	ck_assert_uint_eq(r->pmu_num_ctrs, 31);
	ck_assert_uint_eq(p.nops, 7);

	ck_assert_int_eq(p.ops[0].kind, PLAN_REALM_RIPAS);
	ck_assert_uint_eq(p.ops[0].gpa, 0x40000000);
	ck_assert_uint_eq(p.ops[0].len, 0x200000);
	ck_assert_str_eq(p.ops[0].what, "line 3");

	/* whole granule: in the mapping; short one: copied and zero-padded */
	ck_assert_int_eq(p.ops[1].kind, PLAN_REALM_DATA);
	ck_assert_str_eq(p.ops[1].what, "line 5");
	for (int i = 0; i < 4096; i++)
		want[i] = i % 251;
	ck_assert_mem_eq(p.ops[1].data, want, 4096);
	memset(want, 0, sizeof(want));
	for (int i = 0; i < 6000 - 4096; i++)
		want[i] = (4096 + i) % 251;
	ck_assert_mem_eq(p.ops[2].data, want, 4096);
	ck_assert_uint_eq(p.ops[2].len, 4096);
	/* past EOF and '-': zero pages */
	ck_assert_int_eq(p.ops[3].kind, PLAN_REALM_DATA_UNMEASURED);
	ck_assert_ptr_null(p.ops[3].data);
	ck_assert_ptr_null(p.ops[4].data);
	ck_assert_uint_eq(ro.nfiles, 1);
	ck_assert_str_eq(ro.files[0].path, in_dir("blob"));

	ck_assert_int_eq(p.ops[5].kind, PLAN_REALM_REC);
	ck_assert_uint_eq(p.ops[5].vcpu, 0);
	ck_assert_uint_eq(p.ops[5].rec->flags, PLAN_REC_RUNNABLE);
	ck_assert_uint_eq(p.ops[5].rec->pc, 0x40000000);
	ck_assert_uint_eq(p.ops[5].rec->gprs[0], 0x48000000);
	ck_assert_uint_eq(p.ops[5].rec->gprs[7], ~0ull);
	ck_assert_uint_eq(p.ops[6].vcpu, 1);
	ck_assert_uint_eq(p.ops[6].rec->flags, 0);
	ck_assert_int_eq(plan__validate(&p), 0);
}
END_TEST

START_TEST(absolute_and_empty_files)
{
	char s[8192];

	snprintf(s, sizeof(s), CREATE "data 0x1000 1 %s 0\ndata 0x2000 1 empty 0\n", in_dir("blob"));
	ck_assert_msg(parse(s) == 0, "%s", err__msg());
	ck_assert_uint_eq(ro.nfiles, 2);
	ck_assert_ptr_nonnull(p.ops[0].data);
	ck_assert_ptr_null(p.ops[1].data);
	/* no print: the end of the script ends it */
	ck_assert_uint_eq(p.nops, 2);
}
END_TEST

/* SCRIPT is refused with one line containing WANT, status 2. */
static void refused_rmm(const char *script, enum plan_rmm rmm, const char *want)
{
	ck_assert_msg(parse_rmm(script, rmm) == -1, "accepted: %.200s", script);
	ck_assert_msg(strstr(err__msg(), want) != NULL, "got \"%s\", want \"%s\"", err__msg(), want);
	ck_assert_ptr_null(strchr(err__msg(), '\n'));
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
}

static void refused(const char *script, const char *want)
{
	refused_rmm(script, PLAN_RMM_ANY, want);
}

START_TEST(bad_lines)
{
	refused("", "t.ops: no create line");
	refused("# nothing\n\n", "t.ops: no create line");
	refused("creat 0 0 40 0 1 1 0\n", "t.ops: line 1: creat: unknown operation");
	refused("data 0x1000 1 - 0\n", "t.ops: line 1: data: before create");
	refused(CREATE CREATE, "t.ops: line 2: create: the realm was created at line 1");
	refused(CREATE "print\nrec 1 0 0 0 0 0 0 0 0 0\n", "line 3: rec: after print (line 2 ended");
	refused(CREATE "ripas 0x1000\n", "line 2: ripas: expects BASE TOP (2 fields), got 1");
	refused(CREATE "print now\n", "line 2: print: expects (0 fields), got 1");
	refused(CREATE "rec 1 0 0 0 0 0 0 0 0 0 0 0 0\n", "rec: expects FLAGS PC X0");
	/* numbers */
	refused(CREATE "data 0x1000 1 - 010\n", "line 2: data OFFSET 010: not a number");
	refused(CREATE "data -4096 1 - 0\n", "data IPA -4096: not a number");
	refused(CREATE "data 0x 1 - 0\n", "data IPA 0x: not a number");
	refused(CREATE "data 4k 1 - 0\n", "data IPA 4k: not a number");
	refused(CREATE "data +4096 1 - 0\n", "data IPA +4096: not a number");
	refused(CREATE "rec 1 0x10000000000000000 0 0 0 0 0 0 0 0\n", "rec PC 0x10000000000000000: not a number");
	refused(CREATE "rec 1 0 0 0 0 0 0 0 0 x\n", "rec X7 x: not a number");
	/* create fields */
	refused("create 3 0 40 0 1 1 0\n", "create ALGO 3: not 0 (sha256), 1 (sha512) or 2 (sha384)");
	refused_rmm("create 2 0 40 0 1 1 0\n", PLAN_RMM_1_0, "create ALGO 2: sha384 needs RMM 2.0");
	ck_assert_int_eq(parse_rmm("create 2 0 40 0 1 1 0\n", PLAN_RMM_2_0), 0);
	refused("create 0 0x8 40 0 1 1 0\n", "create FLAGS0 0x8: bits other than LPA2");
	refused("create 0 0 31 0 1 1 0\n", "create S2SZ 31: IPA bits are 32 to 48 without LPA2");
	refused("create 0 0 49 0 1 1 0\n", "create S2SZ 49: IPA bits are 32 to 48 without LPA2");
	refused("create 0 1 53 0 1 1 0\n", "create S2SZ 53: IPA bits are 32 to 52");
	ck_assert_int_eq(parse("create 0 1 52 0 1 1 0\n"), 0);
	refused("create 0 2 40 16 1 1 0\n", "create SVE_VL 16: at most 15");
	ck_assert_int_eq(parse("create 0 0 40 0 0 0 0\n"), 0);        /* as v14 KVM creates */
	refused("create 0 0 40 0 64 1 0\n", "create NUM_BPS 64: at most 63");
	refused("create 0 0 40 0 1 64 0\n", "create NUM_WPS 64: at most 63");
	refused("create 0 4 40 0 1 1 32\n", "create PMU_NUM_CTRS 32: at most 31");
	/* granules and RTT entries */
	refused(CREATE "data 0x1001 1 - 0\n", "line 2: data IPA 0x1001: not 4 KiB aligned");
	refused(CREATE "data 0x8000000000 1 - 0\n",
		"data IPA 0x8000000000: beyond the protected IPA space of S2SZ 40 (0x8000000000)");
	refused(CREATE "data 0x1000 2 - 0\n", "data FLAGS 2: not 0 (unmeasured) or 1 (measured)");
	refused(CREATE "data 0x1000 1 - 4096\n", "data OFFSET 4096: must be 0 with '-'");
	refused(CREATE "data 0x1000 1 - 0\ndata 0x2000 0 - 0\ndata 0x1000 0 - 0\n",
		"t.ops: line 4: data IPA 0x1000: overlaps the granule of line 2");
	refused(CREATE "ripas 0x1000 0x1000\n", "ripas TOP 0x1000: not above BASE 0x1000");
	refused(CREATE "ripas 0x1800 0x2800\n", "ripas BASE 0x1800: not 4 KiB aligned");
	refused(CREATE "ripas 0x1000 0x3000\n", "ripas TOP 0x3000: [BASE, TOP) is not one RTT entry");
	refused(CREATE "ripas 0x1000 0x201000\n", "is not one RTT entry");
	/* the protected half of a 40-bit IPA space ends at 0x8000000000 */
	ck_assert_int_eq(parse(CREATE "ripas 0x7fc0000000 0x8000000000\ndata 0x7ffffff000 1 - 0\n"), 0);
	refused(CREATE "ripas 0x8000000000 0x8040000000\n", "ripas TOP 0x8040000000: beyond the protected IPA space");
	refused(CREATE "ripas 0x0 0x40000000\nripas 0x200000 0x400000\n",
		"line 3: ripas BASE 0x200000: overlaps the RTT entry of line 2");
	refused(CREATE "rec 2 0 0 0 0 0 0 0 0 0\n", "rec FLAGS 2: bits other than RUNNABLE");
}
END_TEST

START_TEST(bad_files)
{
	refused(CREATE "data 0x1000 1 missing 0\n",
		"t.ops: line 2: data FILE missing: No such file or directory");
	refused(CREATE "data 0x1000 1 sub 0\n", "line 2: data FILE sub: a directory, not a regular file");
	/* a FIFO is refused, not waited on */
	refused(CREATE "data 0x1000 1 fifo 0\n", "line 2: data FILE fifo: a FIFO, not a regular file");
}
END_TEST

START_TEST(bad_bytes)
{
	static const char nul[] = CREATE "data 0x1000 1 - 0\0\n";
	char *big = malloc(REALM_OPS_MAX_LINE + 64);

	ck_assert_int_eq(realm_ops__parse(&p, &ro, "t.ops", dir, nul, sizeof(nul) - 1, PLAN_RMM_ANY),
			 -1);
	ck_assert_str_eq(err__msg(), "t.ops: line 2: a NUL byte: not a text file");
	ck_assert_ptr_nonnull(big);
	strcpy(big, CREATE);
	memset(big + strlen(big), ' ', REALM_OPS_MAX_LINE + 1);
	big[strlen(CREATE) + REALM_OPS_MAX_LINE + 1] = 0;
	refused(big, "t.ops: line 2: longer than 1024 bytes");
	free(big);
}
END_TEST

START_TEST(too_many_ops)
{
	static const char line[] = "data 0x1000 0 - 0\n";
	size_t n = strlen(CREATE) + (size_t)REALM_OPS_MAX_OPS * (sizeof(line) - 1) + 1;
	char *s = malloc(n), *w = s;
	char want[64];

	ck_assert_ptr_nonnull(s);
	w += sprintf(w, CREATE);
	for (unsigned i = 0; i < REALM_OPS_MAX_OPS; i++, w += sizeof(line) - 1)
		memcpy(w, line, sizeof(line) - 1);
	*w = 0;
	snprintf(want, sizeof(want), "line %u: data: more than %u operations", REALM_OPS_MAX_OPS + 1,
		 REALM_OPS_MAX_OPS);
	refused(s, want);
	free(s);
}
END_TEST

START_TEST(load_from_path)
{
	FILE *f = fopen(in_dir("x.ops"), "w");

	ck_assert_ptr_nonnull(f);
	fputs(CREATE "data 0x1000 1 blob 0\n", f);
	fclose(f);
	plan__exit(&p);
	plan__init(&p);
	ck_assert_int_eq(realm_ops__load(&p, &ro, in_dir("x.ops"), PLAN_RMM_2_0), 0);
	ck_assert_str_eq(ro.files[0].path, in_dir("blob"));
	ck_assert_uint_eq(ro.script.size, strlen(CREATE) + 21);
	ck_assert_int_eq(p.realm->rmm, PLAN_RMM_2_0);
	unlink(in_dir("x.ops"));
	realm_ops__exit(&ro);
	plan__exit(&p);
	plan__init(&p);
	ck_assert_int_eq(realm_ops__load(&p, &ro, in_dir("x.ops"), PLAN_RMM_2_0), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "x.ops: No such file or directory"));
	plan__exit(&p);
	plan__init(&p);
	ck_assert_int_eq(realm_ops__load(&p, &ro, dir, PLAN_RMM_2_0), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "not a regular file"));
}
END_TEST

static Suite *realm_ops_suite(void)
{
	Suite *s = suite_create("realm-ops");
	TCase *tc = tcase_create("realm-ops");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, lines_become_ops);
	tcase_add_test(tc, absolute_and_empty_files);
	tcase_add_test(tc, bad_lines);
	tcase_add_test(tc, bad_files);
	tcase_add_test(tc, bad_bytes);
	tcase_add_test(tc, too_many_ops);
	tcase_add_test(tc, load_from_path);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(realm_ops_suite)

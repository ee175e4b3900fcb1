#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/error.h"
#include "loader/parse.h"
#include "measure/hashpool.h"
#include "measure/sev-ld.h"
#include "measure/snp.h"
#include "tests/unit/test.h"

#define PAGE 4096

START_TEST(page_info_vector)
{
	uint8_t ld[SNP_LD_SIZE] = { 0 }, contents[SNP_LD_SIZE], want[SNP_LD_SIZE];

	ck_assert(EVP_Digest("page", 4, contents, NULL, EVP_sha384(), NULL));
	ck_assert_int_eq(snp__page_info(ld, contents, SNP_PAGE_NORMAL, 0x1000), 0);
	ck_assert_int_eq(parse__hex("3ebc1a70acc0bae5ae2788fae29a0371f983b19a68faf984"
					"3064f36040f58571ce5bb6bcdc9c361087073f8cffd92635",
					want, sizeof(want)), 0);
	ck_assert_mem_eq(ld, want, SNP_LD_SIZE);
}
END_TEST

/* A plan with every SNP kind; NORMAL spans more than one hashing window. */
/* Chunks of one repeated byte share a digest: never one that is almost
 * uniform, or of another byte. */
START_TEST(pool_repeated_chunks)
{
	static const struct { uint8_t fill; int last; } pages[] = {
		{ 0xff, -1 }, { 0xff, -1 }, { 0, -1 }, { 0xff, 0xfe }, { 0xff, -1 }, { 0, 1 },
		{ 0, -1 }, { 0x5a, -1 }, { 0xff, -1 },
	};
	size_t n = sizeof(pages) / sizeof(pages[0]);
	uint8_t *data = malloc(n * PAGE), want[48];
	struct hash_pool *hp = hash_pool__new(1);
	struct hash_job *j;

	for (size_t i = 0; i < n; i++) {
		memset(data + i * PAGE, pages[i].fill, PAGE);
		if (pages[i].last >= 0)
			data[i * PAGE + PAGE - 1] = pages[i].last;
	}
	j = hash_pool__chunks(hp, EVP_sha384(), data, n * PAGE, PAGE);
	ck_assert_ptr_nonnull(j);
	for (size_t i = 0; i < n; i++) {
		EVP_Digest(data + i * PAGE, PAGE, want, NULL, EVP_sha384(), NULL);
		ck_assert_mem_eq(hash_job__wait(j, i), want, 48);
	}
	hash_job__free(j);
	hash_pool__free(hp);
	free(data);
}
END_TEST

static void test_plan(struct plan *p)
{
	size_t big = 1300 * PAGE;
	uint8_t *d = plan__alloc(p, big + PAGE);

	for (size_t i = 0; i < big + PAGE; i++)
		d[i] = i * 7 + (i >> 12);
	plan__add(p, PLAN_NORMAL, 0xff000000, big, d, "firmware");
	plan__add(p, PLAN_ZERO, 0x800000, 3 * PAGE, NULL, "zero");
	plan__add(p, PLAN_SECRETS, 0x803000, PAGE, NULL, "secrets");
	plan__add(p, PLAN_CPUID, 0x804000, PAGE, NULL, "cpuid");
	plan__add(p, PLAN_UNMEASURED, 0x805000, 2 * PAGE, NULL, "unmeasured");
	plan__add(p, PLAN_NORMAL, 0x807000, 2 * PAGE, NULL, "normal-zeros");
	plan__add(p, PLAN_NORMAL, 0x809000, PAGE, d + big, "hashes");
	plan__add(p, PLAN_VMSA, 0, PAGE, d + 5 * PAGE, "vmsa0")->vcpu = 0;
	plan__add(p, PLAN_VMSA, 0, PAGE, d + 6 * PAGE, "vmsa1")->vcpu = 1;
}

/* The chain the slow way: one page at a time, no pool. */
static void reference(const struct plan *p, uint8_t ld[SNP_LD_SIZE])
{
	static const uint8_t zero_page[PAGE];

	for (size_t i = 0; i < p->nops; i++) {
		const struct plan_op *op = &p->ops[i];
		int type = snp__page_type(op->kind);

		for (size_t k = 0; k < op->len / PAGE; k++) {
			uint8_t c[SNP_LD_SIZE] = { 0 };

			if (type == SNP_PAGE_NORMAL || type == SNP_PAGE_VMSA)
				EVP_Digest(op->data ? op->data + k * PAGE : zero_page, PAGE, c, NULL,
					   EVP_sha384(), NULL);
			snp__page_info(ld, c, type, type == SNP_PAGE_VMSA ? SNP_VMSA_GPA :
						    op->gpa + k * PAGE);
		}
	}
}

START_TEST(replay_matches_reference)
{
	uint8_t want[SNP_LD_SIZE] = { 0 };
	struct plan p;

	plan__init(&p);
	test_plan(&p);
	reference(&p, want);
	for (unsigned workers = 0; workers < 4; workers++) {
		struct hash_pool *hp = hash_pool__new(workers);
		struct snp_replay r = { .pool = hp };
		uint8_t ld[SNP_LD_SIZE] = { 0 };
		struct oplog log = { 0 };

		r.log = &log;
		ck_assert_int_eq(snp__replay(ld, &p, &r), 0);
		ck_assert_mem_eq(ld, want, SNP_LD_SIZE);
		ck_assert_uint_eq(log.n, p.nops);
		ck_assert_mem_eq(log.e[log.n - 1].digest, want, SNP_LD_SIZE);
		ck_assert_uint_eq(log.e[7].gpa, SNP_VMSA_GPA);
		ck_assert_str_eq(log.e[4].type, "unmeasured");
		oplog__exit(&log);
		hash_pool__free(hp);
	}
	plan__exit(&p);
}
END_TEST

START_TEST(seeded_replay_skips)
{
	uint8_t want[SNP_LD_SIZE] = { 0 }, ld[SNP_LD_SIZE] = { 0 };
	struct hash_pool *hp = hash_pool__new(1);
	struct oplog log = { 0 };
	struct snp_replay r = { .pool = hp, .log = &log, .skip = 1, .log_skipped = true };
	struct plan p, fw;

	plan__init(&p);
	plan__init(&fw);
	test_plan(&p);
	reference(&p, want);
	/* The firmware alone, then the rest from its digest. */
	plan__add(&fw, PLAN_NORMAL, p.ops[0].gpa, p.ops[0].len, p.ops[0].data, "firmware");
	reference(&fw, ld);
	ck_assert_int_eq(snp__replay(ld, &p, &r), 0);
	ck_assert_mem_eq(ld, want, SNP_LD_SIZE);
	ck_assert_uint_eq(log.n, p.nops);
	ck_assert_str_eq(log.e[0].what, "firmware");
	oplog__exit(&log);
	plan__exit(&fw);
	plan__exit(&p);
	hash_pool__free(hp);
}
END_TEST

START_TEST(replay_refuses_foreign_ops)
{
	uint8_t ld[SNP_LD_SIZE] = { 0 };
	struct hash_pool *hp = hash_pool__new(0);
	struct snp_replay r = { .pool = hp };
	struct plan p;

	plan__init(&p);
	plan__add(&p, PLAN_ZERO, 0, PAGE, NULL, "zero");
	plan__add(&p, PLAN_TDX_ADD, PAGE, PAGE, NULL, "TD_HOB");
	ck_assert_int_eq(snp__replay(ld, &p, &r), -1);
	ck_assert_str_eq(err__msg(), "TD_HOB: a tdx-add op has no SNP page type");
	plan__exit(&p);

	plan__init(&p);
	plan__add(&p, PLAN_NORMAL, 0, 100, NULL, "table");
	ck_assert_int_eq(snp__replay(ld, &p, &r), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "table: length 0x64 is not whole pages"));
	plan__exit(&p);
	hash_pool__free(hp);
}
END_TEST

START_TEST(sev_stream)
{
	static const uint8_t zeros[5000];
	uint8_t a[100], want[32], got[32];
	struct oplog log = { 0 };
	struct sev_ld s;
	struct plan p;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	memset(a, 0x5a, sizeof(a));
	plan__init(&p);
	plan__add(&p, PLAN_NORMAL, 0xffc00000, sizeof(a), a, "firmware");
	plan__add(&p, PLAN_NORMAL, 0x810c00, sizeof(zeros), NULL, "zeros");
	plan__add(&p, PLAN_VMSA, 0, 50, a + 50, "vmsa0");
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, a, sizeof(a));
	EVP_DigestUpdate(c, zeros, sizeof(zeros));
	EVP_DigestUpdate(c, a + 50, 50);
	EVP_DigestFinal_ex(c, want, NULL);
	EVP_MD_CTX_free(c);

	/* In two steps, as cvm-measure runs it. */
	ck_assert_int_eq(sev_ld__init(&s), 0);
	ck_assert_int_eq(sev_ld__replay(&s, &p, 0, NULL), 0);
	ck_assert_int_eq(sev_ld__final(&s, got), 0);
	sev_ld__exit(&s);
	ck_assert_mem_eq(got, want, 32);
	ck_assert_int_eq(sev_ld__init(&s), 0);
	p.nops = 1;
	ck_assert_int_eq(sev_ld__replay(&s, &p, 0, &log), 0);
	p.nops = 3;
	ck_assert_int_eq(sev_ld__replay(&s, &p, 1, &log), 0);
	ck_assert_int_eq(sev_ld__final(&s, got), 0);
	sev_ld__exit(&s);
	ck_assert_mem_eq(got, want, 32);
	ck_assert_uint_eq(log.n, 3);
	ck_assert_mem_eq(log.e[2].digest, want, 32);
	ck_assert_str_eq(log.e[2].type, "vmsa");
	oplog__exit(&log);

	plan__add(&p, PLAN_ZERO, 0, PAGE, NULL, "zero");
	ck_assert_int_eq(sev_ld__init(&s), 0);
	ck_assert_int_eq(sev_ld__replay(&s, &p, 0, NULL), -1);
	ck_assert_str_eq(err__msg(), "zero: a zero op has no SEV launch command");
	sev_ld__exit(&s);
	plan__exit(&p);
}
END_TEST

START_TEST(pool_digests)
{
	struct hash_pool *hp = hash_pool__new(2);
	struct hash_job *whole, *pages, *empty;
	uint8_t want[48];
	struct blob b;
	const uint8_t *d;

	ck_assert_int_eq(blob__open(&b, test__shared("vectors/kernel/initrd.bin")), 0);
	whole = hash_pool__file(hp, EVP_sha256(), b.path, 0, NULL);
	pages = hash_pool__chunks(hp, EVP_sha384(), b.data, b.size, PAGE);
	empty = hash_pool__file(hp, EVP_sha256(), test__shared("vectors/kernel/empty"), 0, NULL);
	ck_assert_ptr_nonnull(whole);
	ck_assert_ptr_nonnull(empty);
	d = hash_job__wait(whole, 0);
	ck_assert_ptr_nonnull(d);
	EVP_Digest(b.data, b.size, want, NULL, EVP_sha256(), NULL);
	ck_assert_mem_eq(d, want, 32);
	for (size_t i = 0; i < b.size / PAGE; i += 37) {
		EVP_Digest(b.data + i * PAGE, PAGE, want, NULL, EVP_sha384(), NULL);
		ck_assert_mem_eq(hash_job__wait(pages, i), want, 48);
	}
	EVP_Digest("", 0, want, NULL, EVP_sha256(), NULL);
	ck_assert_mem_eq(hash_job__wait(empty, 0), want, 32);
	hash_job__free(whole);
	hash_job__free(pages);
	hash_job__free(empty);
	blob__close(&b);

	/* Files are opened when queued, so a bad path is named right away. */
	ck_assert_ptr_null(hash_pool__file(hp, EVP_sha256(), "/nonexistent/kernel", 0, NULL));
	ck_assert_str_eq(err__msg(), "/nonexistent/kernel: No such file or directory");
	ck_assert_ptr_null(hash_pool__file(hp, EVP_sha256(), "/", 0, NULL));
	ck_assert_str_eq(err__msg(), "/: a directory, not a regular file");
	hash_pool__free(hp);
}
END_TEST

/* A file that shrinks between queueing and hashing is named, status 2. */
START_TEST(pool_file_shrinks)
{
	char path[] = "/tmp/cvm-test-shrinkXXXXXX";
	int fd = mkstemp(path);
	struct hash_pool *hp = hash_pool__new(0);      /* runs when waited for */
	struct hash_job *j;

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(hp);
	ck_assert_int_eq(ftruncate(fd, 1 << 20), 0);
	j = hash_pool__file(hp, EVP_sha256(), path, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(ftruncate(fd, 100000), 0);
	ck_assert_ptr_null(hash_job__wait(j, 0));
	ck_assert_str_eq(strchr(err__msg(), ':'), ": shorter than when opened");
	ck_assert_int_eq(strncmp(err__msg(), path, strlen(path)), 0);
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
	hash_job__free(j);
	hash_pool__free(hp);
	close(fd);
	unlink(path);
}
END_TEST

static Suite *snp_suite(void)
{
	Suite *s = suite_create("snp");
	TCase *t = tcase_create("replay");

	tcase_add_test(t, page_info_vector);
	tcase_add_test(t, replay_matches_reference);
	tcase_add_test(t, seeded_replay_skips);
	tcase_add_test(t, replay_refuses_foreign_ops);
	tcase_add_test(t, sev_stream);
	tcase_add_test(t, pool_digests);
	tcase_add_test(t, pool_repeated_chunks);
	tcase_add_test(t, pool_file_shrinks);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(snp_suite)

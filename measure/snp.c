#include <string.h>

#include "loader/error.h"
#include "measure/digest.h"
#include "measure/fileio.h"
#include "measure/snp.h"

#define PAGE            4096ull
#define PAGE_INFO_LEN   0x70
#define WINDOW_PAGES    1024    /* digests in flight per window: 48 KiB */
#define AHEAD           3       /* windows hashed ahead of the chain */

int snp__page_type(enum plan_kind kind)
{
	switch (kind) {
	case PLAN_NORMAL:     return SNP_PAGE_NORMAL;
	case PLAN_VMSA:       return SNP_PAGE_VMSA;
	case PLAN_ZERO:       return SNP_PAGE_ZERO;
	case PLAN_UNMEASURED: return SNP_PAGE_UNMEASURED;
	case PLAN_SECRETS:    return SNP_PAGE_SECRETS;
	case PLAN_CPUID:      return SNP_PAGE_CPUID;
	default:              return -1;
	}
}

const char *snp__page_type_name(enum snp_page_type type)
{
	static const char *const names[] = {
		[SNP_PAGE_NORMAL] = "normal", [SNP_PAGE_VMSA] = "vmsa",
		[SNP_PAGE_ZERO] = "zero", [SNP_PAGE_UNMEASURED] = "unmeasured",
		[SNP_PAGE_SECRETS] = "secrets", [SNP_PAGE_CPUID] = "cpuid",
	};

	/* snp__page_type's -1 never gets here, but arm64's gcc 12 with ASan
	 * cannot tell (-Warray-bounds). */
	return (unsigned)type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

static int chain(EVP_MD_CTX *ctx, const EVP_MD *md, uint8_t ld[SNP_LD_SIZE],
		 const uint8_t contents[SNP_LD_SIZE], enum snp_page_type type, uint64_t gpa)
{
	uint8_t info[PAGE_INFO_LEN] = { 0 };

	memcpy(info, ld, SNP_LD_SIZE);
	memcpy(info + 0x30, contents, SNP_LD_SIZE);
	info[0x60] = PAGE_INFO_LEN;
	info[0x62] = type;
	/* IMI_PAGE and the VMPL permissions stay 0: KVM cannot set them. */
	for (int i = 0; i < 8; i++)
		info[0x68 + i] = gpa >> (8 * i);
	if (!EVP_DigestInit_ex(ctx, md, NULL) || !EVP_DigestUpdate(ctx, info, sizeof(info)) ||
	    !EVP_DigestFinal_ex(ctx, ld, NULL))
		return err__set_status(CVM_EXIT_FAIL, "SHA-384 failed");
	return 0;
}

int snp__page_info(uint8_t ld[SNP_LD_SIZE], const uint8_t contents[SNP_LD_SIZE],
		   enum snp_page_type type, uint64_t gpa)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ret;

	if (!ctx)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	ret = chain(ctx, digest__sha384(), ld, contents, type, gpa);
	EVP_MD_CTX_free(ctx);
	return ret;
}

/* Page-content digests run ahead of the chain in windows, so memory stays
 * bounded however large a NORMAL region is. */
struct window {
	size_t op;
	uint64_t first, n;
	struct hash_job *job;
};

struct replay {
	const struct plan *p;
	struct hash_pool *pool;
	const EVP_MD *md;
	size_t next_op;         /* where the feeder continues */
	uint64_t next_page;
	struct window ring[AHEAD];
	size_t head, count;
};

static bool hashed(const struct plan_op *op)
{
	return (op->kind == PLAN_NORMAL || op->kind == PLAN_VMSA) && op->data;
}

static int feed(struct replay *r)
{
	while (r->count < AHEAD && r->next_op < r->p->nops) {
		const struct plan_op *op = &r->p->ops[r->next_op];
		uint64_t npages = op->len / PAGE, n;
		struct window *w;

		if (!hashed(op) || r->next_page >= npages) {
			r->next_op++;
			r->next_page = 0;
			continue;
		}
		n = npages - r->next_page < WINDOW_PAGES ? npages - r->next_page : WINDOW_PAGES;
		w = &r->ring[(r->head + r->count) % AHEAD];
		w->op = r->next_op;
		w->first = r->next_page;
		w->n = n;
		fileio__populate(op->data + w->first * PAGE, n * PAGE);
		w->job = hash_pool__chunks(r->pool, r->md, op->data + w->first * PAGE, n * PAGE, PAGE);
		if (!w->job)
			return -1;
		r->count++;
		r->next_page += n;
	}
	return 0;
}

/* The digest of page K of op I, from the window at the head of the ring. */
static const uint8_t *page_digest(struct replay *r, size_t i, uint64_t k)
{
	struct window *w = &r->ring[r->head];

	if (!r->count || w->op != i || k < w->first || k >= w->first + w->n) {
		err__set_status(CVM_EXIT_FAIL, "SNP replay: page %llu of op %zu was not queued",
				(unsigned long long)k, i);
		return NULL;
	}
	return hash_job__wait(w->job, k - w->first);
}

/* Retires the head window once its last page is chained. */
static int advance(struct replay *r, uint64_t k)
{
	struct window *w = &r->ring[r->head];

	if (k + 1 < w->first + w->n)
		return 0;
	hash_job__free(w->job);
	w->job = NULL;
	r->head = (r->head + 1) % AHEAD;
	r->count--;
	return feed(r);
}

static int check_ops(const struct plan *p)
{
	for (size_t i = 0; i < p->nops; i++) {
		const struct plan_op *op = &p->ops[i];

		if (snp__page_type(op->kind) < 0)
			return err__set("%s: a %s op has no SNP page type", op->what,
					plan__kind_name(op->kind));
		if (op->len % PAGE || (op->kind == PLAN_VMSA && op->len != PAGE))
			return err__set("%s: length %#llx is not whole pages", op->what,
					(unsigned long long)op->len);
	}
	return 0;
}

static int replay_op(struct replay *r, EVP_MD_CTX *ctx, uint8_t ld[SNP_LD_SIZE], size_t i,
		     const uint8_t zero_page[SNP_LD_SIZE])
{
	static const uint8_t none[SNP_LD_SIZE];
	const struct plan_op *op = &r->p->ops[i];
	enum snp_page_type type = snp__page_type(op->kind);

	for (uint64_t k = 0; k < op->len / PAGE; k++) {
		const uint8_t *contents = none;
		uint64_t gpa = type == SNP_PAGE_VMSA ? SNP_VMSA_GPA : op->gpa + k * PAGE;

		if (hashed(op))
			contents = page_digest(r, i, k);
		else if (type == SNP_PAGE_NORMAL)
			contents = zero_page;
		if (!contents || chain(ctx, r->md, ld, contents, type, gpa) < 0)
			return -1;
		if (hashed(op) && advance(r, k) < 0)
			return -1;
	}
	return 0;
}

static int log_op(struct oplog *log, const struct plan_op *op, const uint8_t ld[SNP_LD_SIZE])
{
	enum snp_page_type type = snp__page_type(op->kind);

	return oplog__add(log, op, snp__page_type_name(type),
			  type == SNP_PAGE_VMSA ? SNP_VMSA_GPA : op->gpa, ld, SNP_LD_SIZE);
}

int snp__replay(uint8_t ld[SNP_LD_SIZE], const struct plan *p, const struct snp_replay *opt)
{
	static const uint8_t zeros[PAGE];
	struct replay r = { .p = p, .pool = opt->pool, .next_op = opt->skip };
	uint8_t zero_page[SNP_LD_SIZE];
	EVP_MD_CTX *ctx = NULL;
	const EVP_MD *md;
	int ret = -1;

	if (check_ops(p) < 0)
		return -1;
	for (size_t i = 0; opt->log && opt->log_skipped && i < opt->skip && i < p->nops; i++)
		if (log_op(opt->log, &p->ops[i], ld) < 0)
			return -1;
	md = digest__sha384();
	ctx = EVP_MD_CTX_new();
	if (!md || !ctx) {
		err__set_status(CVM_EXIT_FAIL, "SHA-384 is not available");
		goto out;
	}
	r.md = md;
	if (!EVP_Digest(zeros, sizeof(zeros), zero_page, NULL, md, NULL)) {
		err__set_status(CVM_EXIT_FAIL, "SHA-384 failed");
		goto out;
	}
	if (feed(&r) < 0)
		goto out;
	for (size_t i = opt->skip; i < p->nops; i++) {
		if (replay_op(&r, ctx, ld, i, zero_page) < 0)
			goto out;
		if (opt->log && log_op(opt->log, &p->ops[i], ld) < 0)
			goto out;
	}
	ret = 0;
out:
	for (; r.count; r.count--, r.head = (r.head + 1) % AHEAD)
		hash_job__free(r.ring[r.head].job);
	EVP_MD_CTX_free(ctx);
	return ret;
}

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "loader/bytes.h"
#include "loader/error.h"
#include "measure/digest.h"
#include "measure/rim.h"

/* Measurement descriptors (RMM spec: RmmMeasurementDescriptor*). */
#define DESC_LEN        0x100
#define DESC_DATA       0
#define DESC_REC        1
#define DESC_RIPAS      2

static const EVP_MD *md_of(enum plan_realm_hash h)
{
	switch (h) {
	case PLAN_REALM_SHA256: return digest__sha256();
	case PLAN_REALM_SHA512: return digest__sha512();
	case PLAN_REALM_SHA384: return digest__sha384();
	}
	return NULL;
}

size_t rim__hash_size(enum plan_realm_hash h)
{
	const EVP_MD *md = md_of(h);

	return md ? (size_t)EVP_MD_get_size(md) : 0;
}

const char *rim__hash_name(enum plan_realm_hash h)
{
	switch (h) {
	case PLAN_REALM_SHA256: return "sha256";
	case PLAN_REALM_SHA512: return "sha512";
	case PLAN_REALM_SHA384: return "sha384";
	}
	return "?";
}

/* OUT (64 bytes) = H(BUF), zero past the digest. */
static int hash(enum plan_realm_hash h, const void *buf, size_t len, uint8_t out[RIM_MAX])
{
	const EVP_MD *md = md_of(h);

	memset(out, 0, RIM_MAX);
	if (!md)
		return err__set("realm hash algorithm %d: not sha256 (0), sha512 (1) or sha384 (2)",
				(int)h);
	if (!EVP_Digest(buf, len, out, NULL, md, NULL))
		return err__set_status(CVM_EXIT_FAIL, "%s: hashing failed", rim__hash_name(h));
	return 0;
}

/* A descriptor of TYPE carrying the current RIM, hashed into the next. */
static void desc_init(uint8_t d[DESC_LEN], int type, const uint8_t rim[RIM_MAX])
{
	memset(d, 0, DESC_LEN);
	bytes__put_le(d + 0x00, 8, type);
	bytes__put_le(d + 0x08, 8, DESC_LEN);
	memcpy(d + 0x10, rim, RIM_MAX);
}

int rim__create(const struct plan_realm *r, uint8_t rim[RIM_MAX])
{
	uint8_t *page = calloc(1, RIM_GRANULE);
	int ret;

	if (!page)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	bytes__put_le(page + 0x00, 8, r->flags0);
	bytes__put_le(page + 0x08, 4, r->s2sz);
	bytes__put_le(page + 0x10, 4, r->sve_vl);
	bytes__put_le(page + 0x18, 4, r->num_bps);
	bytes__put_le(page + 0x20, 4, r->num_wps);
	bytes__put_le(page + 0x28, 4, r->pmu_num_ctrs);
	bytes__put_le(page + 0x30, 1, r->hash);
	ret = hash(r->hash, page, RIM_GRANULE, rim);
	free(page);
	return ret;
}

/* CONTENT = H(the granule: LEN bytes, zero-padded; NULL: a zero page). */
static int granule_hash(enum plan_realm_hash h, const uint8_t *granule, size_t len,
			uint8_t content[RIM_MAX])
{
	static const uint8_t zero[RIM_GRANULE];
	uint8_t pad[RIM_GRANULE];

	if (granule && len < RIM_GRANULE) {
		memset(pad, 0, sizeof(pad));
		memcpy(pad, granule, len);
		granule = pad;
	}
	return hash(h, granule ? granule : zero, RIM_GRANULE, content);
}

/* One DATA_CREATE whose content hash is known (zeros: unmeasured). */
static int data_desc(enum plan_realm_hash h, uint8_t rim[RIM_MAX], uint64_t ipa, bool measured,
		     const uint8_t content[RIM_MAX])
{
	uint8_t d[DESC_LEN];

	desc_init(d, DESC_DATA, rim);
	bytes__put_le(d + 0x50, 8, ipa);
	bytes__put_le(d + 0x58, 8, measured);
	memcpy(d + 0x60, content, RIM_MAX);
	return hash(h, d, sizeof(d), rim);
}

int rim__data(enum plan_realm_hash h, uint8_t rim[RIM_MAX], uint64_t ipa, bool measured,
	      const uint8_t *granule, size_t len, uint8_t content[RIM_MAX])
{
	memset(content, 0, RIM_MAX);
	if (measured && granule_hash(h, granule, len, content) < 0)
		return -1;
	return data_desc(h, rim, ipa, measured, content);
}

int rim__ripas(enum plan_realm_hash h, uint8_t rim[RIM_MAX], uint64_t base, uint64_t top)
{
	uint8_t d[DESC_LEN];

	desc_init(d, DESC_RIPAS, rim);
	bytes__put_le(d + 0x50, 8, base);
	bytes__put_le(d + 0x58, 8, top);
	return hash(h, d, sizeof(d), rim);
}

int rim__rec(enum plan_realm_hash h, uint8_t rim[RIM_MAX], const struct plan_realm_rec *rec,
	     uint8_t content[RIM_MAX])
{
	uint8_t d[DESC_LEN], page[RIM_GRANULE];

	memset(page, 0, sizeof(page));
	bytes__put_le(page + 0x000, 8, rec->flags);
	bytes__put_le(page + 0x200, 8, rec->pc);
	for (int i = 0; i < 8; i++)
		bytes__put_le(page + 0x300 + 8 * i, 8, rec->gprs[i]);
	if (hash(h, page, sizeof(page), content) < 0)
		return -1;
	desc_init(d, DESC_REC, rim);
	memcpy(d + 0x50, content, RIM_MAX);
	return hash(h, d, sizeof(d), rim);
}

static struct rim_step *log_step(struct rim_log *l, enum rim_step_kind kind, size_t op)
{
	struct rim_step *s;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;

		s = realloc(l->s, cap * sizeof(*s));
		if (!s) {
			err__set_status(CVM_EXIT_FAIL, "out of memory");
			return NULL;
		}
		l->s = s;
		l->cap = cap;
	}
	s = &l->s[l->n++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->op = op;
	return s;
}

/* Records one call and the RIM after it; a no-op without a log. */
static int log_add(struct rim_log *l, enum rim_step_kind kind, size_t op, uint64_t ipa,
		   bool measured, const uint8_t *content, const uint8_t rim[RIM_MAX])
{
	struct rim_step *s;

	if (!l)
		return 0;
	s = log_step(l, kind, op);
	if (!s)
		return -1;
	s->ipa = ipa;
	s->measured = measured;
	s->has_content = content != NULL;
	if (content)
		memcpy(s->content, content, RIM_MAX);
	memcpy(s->rim, rim, RIM_MAX);
	return 0;
}

/* The memo's hashes of OP's bytes, or a new memo entry for them while the
 * memo is filled (its content still to be written), or NULL. */
static struct rim_memo_op *memo_op(struct rim_memo *m, enum plan_realm_hash h,
				   const struct plan_op *op, bool *known)
{
	struct rim_memo_op *e;
	size_t granules = (op->len + RIM_GRANULE - 1) / RIM_GRANULE;

	*known = false;
	if (!m || !op->data || op->kind != PLAN_REALM_DATA)
		return NULL;
	for (size_t i = 0; i < m->n; i++) {
		e = &m->op[i];
		if (e->h == h && e->len == op->len &&
		    (e->data == op->data || !memcmp(e->data, op->data, op->len))) {
			*known = true;
			return e;
		}
	}
	if (m->filled || !(e = realloc(m->op, (m->n + 1) * sizeof(*e))))
		return NULL;            /* no room: hashed without the memo */
	m->op = e;
	e = &m->op[m->n];
	*e = (struct rim_memo_op){ op->data, op->len, h, calloc(granules, RIM_MAX) };
	if (!e->content)
		return NULL;
	m->n++;
	return e;
}

/* Every granule of a DATA op, one DATA_CREATE each. */
static int replay_data(const struct plan *p, size_t i, uint8_t rim[RIM_MAX], struct rim_log *log,
		       struct rim_memo *memo)
{
	const struct plan_op *op = &p->ops[i];
	enum plan_realm_hash h = p->realm->hash;
	bool measured = op->kind == PLAN_REALM_DATA, known;
	struct rim_memo_op *m;
	uint8_t own[RIM_MAX];

	if (op->gpa % RIM_GRANULE || op->len == 0 || op->gpa + op->len < op->gpa)
		return err__set("%s: realm data [%#llx, +%#llx) is not whole 4 KiB granules", op->what,
				(unsigned long long)op->gpa, (unsigned long long)op->len);
	m = memo_op(memo, h, op, &known);
	for (uint64_t off = 0; off < op->len; off += RIM_GRANULE) {
		uint64_t n = op->len - off < RIM_GRANULE ? op->len - off : RIM_GRANULE;
		uint8_t *content = m ? m->content[off / RIM_GRANULE] : own;

		if (!known) {
			memset(content, 0, RIM_MAX);
			if (measured && granule_hash(h, op->data ? op->data + off : NULL, n,
						     content) < 0)
				return -1;
		}
		if (data_desc(h, rim, op->gpa + off, measured, content) < 0 ||
		    log_add(log, RIM_STEP_DATA, i, op->gpa + off, true, measured ? content : NULL,
			    rim) < 0)
			return -1;
	}
	return 0;
}

static int replay_op(const struct plan *p, size_t i, uint8_t rim[RIM_MAX], struct rim_log *log,
		     struct rim_memo *memo)
{
	const struct plan_op *op = &p->ops[i];
	enum plan_realm_hash h = p->realm->hash;
	uint8_t content[RIM_MAX];
	bool on;

	switch (op->kind) {
	case PLAN_REALM_DATA:
	case PLAN_REALM_DATA_UNMEASURED:
		return replay_data(p, i, rim, log, memo);
	case PLAN_REALM_RIPAS:
		if (p->realm->rmm == PLAN_RMM_ANY)
			return err__set("%s: RIPAS entries are measured by RMM 1.0 and not by 2.0; the plan does not say which",
					op->what);
		on = p->realm->rmm == PLAN_RMM_1_0;
		if (on && rim__ripas(h, rim, op->gpa, op->gpa + op->len) < 0)
			return -1;
		return log_add(log, RIM_STEP_RIPAS, i, op->gpa, on, NULL, rim);
	case PLAN_REALM_REC:
		if (!op->rec)
			return err__set("%s: REC without parameters", op->what);
		on = op->rec->flags & PLAN_REC_RUNNABLE;
		if (on && rim__rec(h, rim, op->rec, content) < 0)
			return -1;
		return log_add(log, RIM_STEP_REC, i, 0, on, on ? content : NULL, rim);
	default:
		return err__set("%s: a %s op has no place in a realm launch", op->what,
				plan__kind_name(op->kind));
	}
}

static bool same_realm(const struct plan_realm *a, const struct plan_realm *b)
{
	return a->rmm == b->rmm && a->hash == b->hash && a->flags0 == b->flags0 &&
	       a->s2sz == b->s2sz && a->sve_vl == b->sve_vl && a->num_bps == b->num_bps &&
	       a->num_wps == b->num_wps && a->pmu_num_ctrs == b->pmu_num_ctrs;
}

static bool same_op(const struct plan_op *a, const struct plan_op *b)
{
	if (a->kind != b->kind || a->gpa != b->gpa || a->len != b->len || !a->data != !b->data ||
	    !a->rec != !b->rec)
		return false;
	if (a->rec && memcmp(a->rec, b->rec, sizeof(*a->rec)))
		return false;
	return a->data == b->data || !a->data || !memcmp(a->data, b->data, a->len);
}

/* How many leading ops of P the memo's replay measured the same way (0 when
 * it cannot give what this replay wants: a log it did not keep). */
static size_t memo_prefix(const struct rim_memo *m, const struct plan *p, bool logged)
{
	size_t k = 0;

	if (!m || !m->filled || !m->after || (logged && !m->log.s) ||
	    !same_realm(&m->realm, p->realm))
		return 0;
	while (k < p->nops && k < m->nops && same_op(&m->ops[k], &p->ops[k]))
		k++;
	return k;
}

/* The memo's replay starts from its first K ops: RIM and LOG as after them. */
static int memo_resume(const struct rim_memo *m, size_t k, uint8_t rim[RIM_MAX],
		       struct rim_log *log)
{
	memcpy(rim, m->after[k - 1], RIM_MAX);
	for (size_t i = 0; log && i < m->steps[k - 1]; i++) {
		struct rim_step *s = log_step(log, m->log.s[i].kind, m->log.s[i].op);

		if (!s)
			return -1;
		*s = m->log.s[i];
	}
	return 0;
}

/* The first replay's ops, parameters, RIMs and log, into M. */
static int memo_keep(struct rim_memo *m, const struct plan *p, const struct rim_log *log)
{
	m->realm = *p->realm;
	m->ops = p->ops;
	m->nops = p->nops;
	if (!log)
		return 0;
	m->log.s = malloc(log->n * sizeof(*log->s));
	if (!m->log.s)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	memcpy(m->log.s, log->s, log->n * sizeof(*log->s));
	m->log.n = m->log.cap = log->n;
	return 0;
}

int rim__replay_memo(const struct plan *p, uint8_t rim[RIM_MAX], struct rim_log *log,
		     struct rim_memo *memo)
{
	bool fill = memo && !memo->filled;
	size_t k;

	if (!p->realm)
		return err__set("not a realm launch plan (no realm parameters)");
	k = memo_prefix(memo, p, log != NULL);
	if (k ? memo_resume(memo, k, rim, log) < 0 :
		(rim__create(p->realm, rim) < 0 ||
		 log_add(log, RIM_STEP_CREATE, SIZE_MAX, 0, true, NULL, rim) < 0))
		return -1;
	if (fill && p->nops && (!(memo->after = calloc(p->nops, RIM_MAX)) ||
				!(memo->steps = calloc(p->nops, sizeof(size_t)))))
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	for (size_t i = k; i < p->nops; i++) {
		if (replay_op(p, i, rim, log, memo) < 0)
			return -1;
		if (fill) {
			memcpy(memo->after[i], rim, RIM_MAX);
			memo->steps[i] = log ? log->n : 0;
		}
	}
	if (fill && memo_keep(memo, p, log) < 0)
		return -1;
	if (memo)
		memo->filled = true;
	return 0;
}

int rim__replay(const struct plan *p, uint8_t rim[RIM_MAX], struct rim_log *log)
{
	return rim__replay_memo(p, rim, log, NULL);
}

void rim_log__exit(struct rim_log *l)
{
	free(l->s);
	memset(l, 0, sizeof(*l));
}

void rim_memo__exit(struct rim_memo *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->op[i].content);
	free(m->op);
	free(m->after);
	free(m->steps);
	rim_log__exit(&m->log);
	memset(m, 0, sizeof(*m));
}

#include "loader/error.h"
#include "measure/digest.h"
#include "measure/sev-ld.h"

int sev_ld__init(struct sev_ld *s)
{
	s->ctx = EVP_MD_CTX_new();
	if (!s->ctx || !EVP_DigestInit_ex(s->ctx, digest__sha256(), NULL))
		return err__set_status(CVM_EXIT_FAIL, "SHA-256 is not available");
	return 0;
}

/* The digest so far, for the log; the stream goes on. */
static int peek(const struct sev_ld *s, uint8_t out[SEV_LD_SIZE])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_MD_CTX_copy_ex(c, s->ctx) && EVP_DigestFinal_ex(c, out, NULL);

	EVP_MD_CTX_free(c);
	return ok ? 0 : err__set_status(CVM_EXIT_FAIL, "SHA-256 failed");
}

/* An op's payload; NULL data stands for zeros. */
static int stream(struct sev_ld *s, const struct plan_op *op)
{
	static const uint8_t zeros[4096];
	uint64_t off = 0;
	int ok = 1;

	if (op->data)
		ok = EVP_DigestUpdate(s->ctx, op->data, op->len);
	for (; ok && !op->data && off < op->len; off += sizeof(zeros))
		ok = EVP_DigestUpdate(s->ctx, zeros,
				      op->len - off < sizeof(zeros) ? op->len - off : sizeof(zeros));
	return ok ? 0 : err__set_status(CVM_EXIT_FAIL, "SHA-256 failed");
}

int sev_ld__replay(struct sev_ld *s, const struct plan *p, size_t from, struct oplog *log)
{
	for (size_t i = from; i < p->nops; i++) {
		const struct plan_op *op = &p->ops[i];
		uint8_t d[SEV_LD_SIZE];

		if (op->kind != PLAN_NORMAL && op->kind != PLAN_VMSA)
			return err__set("%s: a %s op has no SEV launch command", op->what,
					plan__kind_name(op->kind));
		if (stream(s, op) < 0)
			return -1;
		if (log && (peek(s, d) < 0 ||
			    oplog__add(log, op, op->kind == PLAN_VMSA ? "vmsa" : "data", op->gpa, d,
				       sizeof(d)) < 0))
			return -1;
	}
	return 0;
}

int sev_ld__final(struct sev_ld *s, uint8_t out[SEV_LD_SIZE])
{
	if (!EVP_DigestFinal_ex(s->ctx, out, NULL))
		return err__set_status(CVM_EXIT_FAIL, "SHA-256 failed");
	return 0;
}

void sev_ld__exit(struct sev_ld *s)
{
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

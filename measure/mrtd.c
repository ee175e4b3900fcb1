#include <openssl/evp.h>
#include <string.h>

#include "loader/error.h"
#include "measure/digest.h"
#include "measure/fileio.h"
#include "measure/mrtd.h"

#define TDX_PAGE      4096
#define TDX_CHUNK     256
#define TDX_RECORD    128

static const uint8_t zero_page[TDX_PAGE];

/* A 128-byte record: the operation's ASCII name, then the GPA at byte 16. */
static void record(uint8_t r[TDX_RECORD], const char *op, uint64_t gpa)
{
	memset(r, 0, TDX_RECORD);
	memcpy(r, op, strlen(op));
	for (int i = 0; i < 8; i++)
		r[16 + i] = gpa >> (8 * i);
}

static void page_add(EVP_MD_CTX *c, uint64_t gpa)
{
	uint8_t r[TDX_RECORD];

	record(r, "MEM.PAGE.ADD", gpa);
	EVP_DigestUpdate(c, r, sizeof(r));
}

/* The 16 MR.EXTEND records of a page, staged so that the digest sees one
 * 6 KiB update instead of 32 small ones. */
static void page_extend(EVP_MD_CTX *c, uint64_t gpa, const uint8_t *page)
{
	uint8_t buf[TDX_PAGE / TDX_CHUNK * (TDX_RECORD + TDX_CHUNK)], *p = buf;

	for (int k = 0; k < TDX_PAGE / TDX_CHUNK; k++) {
		record(p, "MR.EXTEND", gpa + k * TDX_CHUNK);
		memcpy(p + TDX_RECORD, page + k * TDX_CHUNK, TDX_CHUNK);
		p += TDX_RECORD + TDX_CHUNK;
	}
	EVP_DigestUpdate(c, buf, sizeof(buf));
}

/* Page I of OP: its bytes, zeros past data_len (a partial last page is
 * staged in BUF). */
static const uint8_t *page_of(const struct plan_op *op, uint64_t i, uint8_t buf[TDX_PAGE])
{
	uint64_t off = i * TDX_PAGE;

	if (off >= op->data_len)
		return zero_page;
	if (op->data_len - off >= TDX_PAGE)
		return op->data + off;
	memset(buf, 0, TDX_PAGE);
	memcpy(buf, op->data + off, op->data_len - off);
	return buf;
}

static void replay_op(EVP_MD_CTX *c, const struct plan_op *op, enum mrtd_order order)
{
	uint64_t i, n = op->len / TDX_PAGE;
	int extend = op->kind == PLAN_TDX_EXTEND;
	uint8_t buf[TDX_PAGE];

	if (op->kind == PLAN_TDX_AUG)
		return;
	if (extend && op->data)
		fileio__populate(op->data, op->data_len);
	if (order == MRTD_TWO_PASS) {
		for (i = 0; i < n; i++)
			page_add(c, op->gpa + i * TDX_PAGE);
		for (i = 0; extend && i < n; i++)
			page_extend(c, op->gpa + i * TDX_PAGE, page_of(op, i, buf));
		return;
	}
	for (i = 0; i < n; i++) {
		page_add(c, op->gpa + i * TDX_PAGE);
		if (extend)
			page_extend(c, op->gpa + i * TDX_PAGE, page_of(op, i, buf));
	}
}

uint64_t mrtd__stream_bytes(const struct plan *p)
{
	uint64_t n = 0;

	for (size_t i = 0; i < p->nops; i++) {
		uint64_t pages = p->ops[i].len / TDX_PAGE;

		if (p->ops[i].kind == PLAN_TDX_ADD || p->ops[i].kind == PLAN_TDX_EXTEND)
			n += pages * TDX_RECORD;
		if (p->ops[i].kind == PLAN_TDX_EXTEND)
			n += pages * (TDX_PAGE / TDX_CHUNK) * (TDX_RECORD + TDX_CHUNK);
	}
	return n;
}

int mrtd__replay(const struct plan *p, enum mrtd_order order, uint8_t out[MRTD_SIZE])
{
	EVP_MD_CTX *c;
	size_t i;

	for (i = 0; i < p->nops; i++) {
		const struct plan_op *op = &p->ops[i];

		if (op->kind != PLAN_TDX_ADD && op->kind != PLAN_TDX_EXTEND &&
		    op->kind != PLAN_TDX_AUG)
			return err__set("%s: a %s op has no place in a TDX launch", op->what,
					plan__kind_name(op->kind));
		if ((op->gpa | op->len) & (TDX_PAGE - 1))
			return err__set("%s: [%#llx, +%#llx) is not whole 4 KiB pages", op->what,
					(unsigned long long)op->gpa, (unsigned long long)op->len);
	}
	c = EVP_MD_CTX_new();
	if (!c || !EVP_DigestInit_ex(c, digest__sha384(), NULL)) {
		EVP_MD_CTX_free(c);
		return err__set_status(1, "SHA-384 unavailable");
	}
	for (i = 0; i < p->nops; i++)
		replay_op(c, &p->ops[i], order);
	EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
	return 0;
}

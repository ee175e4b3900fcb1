#include <stdlib.h>
#include <string.h>

#include "loader/error.h"
#include "measure/oplog.h"
#include "measure/output.h"

int oplog__add(struct oplog *l, const struct plan_op *op, const char *type, uint64_t gpa,
	       const uint8_t *digest, size_t dlen)
{
	struct oplog_entry *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;

		e = realloc(l->e, cap * sizeof(*e));
		if (!e)
			return err__set_status(CVM_EXIT_FAIL, "out of memory");
		l->e = e;
		l->cap = cap;
	}
	e = &l->e[l->n++];
	memcpy(e->what, op->what, sizeof(e->what));
	e->type = type;
	e->gpa = gpa;
	e->len = op->len;
	memcpy(e->digest, digest, dlen);
	e->dlen = dlen;
	return 0;
}

void oplog__print(FILE *f, const struct oplog *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct oplog_entry *e = &l->e[i];

		fprintf(f, "%-18s gpa 0x%012llx len 0x%07llx %-10s ", e->what,
			(unsigned long long)e->gpa, (unsigned long long)e->len, e->type);
		out__hex(f, e->digest, e->dlen);
		fputc('\n', f);
	}
}

void oplog__exit(struct oplog *l)
{
	free(l->e);
	memset(l, 0, sizeof(*l));
}

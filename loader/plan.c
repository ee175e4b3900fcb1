#include <stdlib.h>
#include <string.h>

#include "loader/error.h"
#include "loader/plan.h"

struct plan_mem {
	struct plan_mem *next;
	struct blob blob;       /* a mapped file, or ... */
	uint8_t buf[];          /* ... an owned buffer */
};

void plan__init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
}

void plan__exit(struct plan *p)
{
	struct plan_mem *m = p->mem, *next;

	for (; m; m = next) {
		next = m->next;
		blob__close(&m->blob);
		free(m);
	}
	free(p->ops);
	fw_cfg_list__exit(&p->fw_cfg);
	memset(p, 0, sizeof(*p));
}

struct plan_op *plan__add(struct plan *p, enum plan_kind kind, uint64_t gpa,
			  uint64_t len, const void *data, const char *what)
{
	return plan__add_part(p, kind, gpa, len, data, data ? len : 0, what);
}

struct plan_op *plan__add_part(struct plan *p, enum plan_kind kind, uint64_t gpa,
			       uint64_t len, const void *data, uint64_t data_len,
			       const char *what)
{
	struct plan_op *op;

	/* The SEV and realm replays read DATA as LEN bytes. */
	if (data && data_len < len && kind != PLAN_TDX_ADD && kind != PLAN_TDX_EXTEND) {
		err__set_status(CVM_EXIT_FAIL, "%s: a %s op cannot carry fewer bytes than it loads",
				what, plan__kind_name(kind));
		return NULL;
	}
	if (p->nops == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct plan_op *ops = realloc(p->ops, cap * sizeof(*ops));

		if (!ops) {
			err__set_status(CVM_EXIT_FAIL, "out of memory");
			return NULL;
		}
		p->ops = ops;
		p->cap = cap;
	}
	op = &p->ops[p->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->gpa = gpa;
	op->len = len;
	op->data = data_len ? data : NULL;
	op->data_len = !op->data ? 0 : data_len < len ? data_len : len;
	strncpy(op->what, what, sizeof(op->what) - 1);
	return op;
}

static struct plan_mem *mem_new(struct plan *p, size_t len)
{
	struct plan_mem *m = calloc(1, sizeof(*m) + len);

	if (!m) {
		err__set_status(CVM_EXIT_FAIL, "out of memory");
		return NULL;
	}
	m->next = p->mem;
	p->mem = m;
	return m;
}

void *plan__alloc(struct plan *p, size_t len)
{
	struct plan_mem *m = mem_new(p, len);

	return m ? m->buf : NULL;
}

int plan__map_max(struct plan *p, const char *path, uint64_t max, const char *what,
		  struct blob *out)
{
	const struct plan_mem *s = p->maps_from ? p->maps_from->mem : NULL;
	struct plan_mem *m;

	for (; s; s = s->next)
		if (s->blob.path && !strcmp(s->blob.path, path) && (!max || s->blob.size <= max)) {
			*out = s->blob;
			return 0;
		}
	m = mem_new(p, 0);
	if (!m)
		return -1;
	/* Unlisted again: a later plan's maps_from must not find it. */
	if (blob__open_max(&m->blob, path, max, what) < 0) {
		p->mem = m->next;
		free(m);
		return -1;
	}
	*out = m->blob;
	return 0;
}

int plan__map(struct plan *p, const char *path, struct blob *out)
{
	return plan__map_max(p, path, 0, NULL, out);
}

int plan__add_file(struct plan *p, const char *name, const void *data, size_t len)
{
	return fw_cfg_list__add_file(&p->fw_cfg, name, data, len);
}

const struct fw_cfg_item *plan__file(const struct plan *p, const char *name)
{
	return fw_cfg_list__find(&p->fw_cfg, 0, name);
}

static int cmp_gpa(const void *a, const void *b)
{
	const struct plan_op *x = *(const struct plan_op * const *)a;
	const struct plan_op *y = *(const struct plan_op * const *)b;

	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

int plan__validate(const struct plan *p)
{
	const struct plan_op **v;
	size_t i, n = 0;
	int ret = 0;

	v = malloc((p->nops + 1) * sizeof(*v));
	if (!v)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	for (i = 0; i < p->nops; i++) {
		const struct plan_op *op = &p->ops[i];

		/* RIPAS entries cover the granules populated inside them. */
		if (op->kind == PLAN_VMSA || op->kind == PLAN_REALM_RIPAS || op->len == 0)
			continue;
		if (op->gpa + op->len < op->gpa) {
			ret = err__set("%s: [%#llx, +%#llx) wraps the address space", op->what,
				       (unsigned long long)op->gpa, (unsigned long long)op->len);
			goto out;
		}
		v[n++] = op;
	}
	qsort(v, n, sizeof(*v), cmp_gpa);
	for (i = 1; i < n; i++) {
		if (v[i - 1]->gpa + v[i - 1]->len > v[i]->gpa) {
			ret = err__set("%s [%#llx, %#llx) overlaps %s [%#llx, %#llx)",
				       v[i]->what, (unsigned long long)v[i]->gpa,
				       (unsigned long long)(v[i]->gpa + v[i]->len), v[i - 1]->what,
				       (unsigned long long)v[i - 1]->gpa,
				       (unsigned long long)(v[i - 1]->gpa + v[i - 1]->len));
			goto out;
		}
	}
out:
	free(v);
	return ret;
}

const char *plan__kind_name(enum plan_kind kind)
{
	static const char *const names[PLAN_KIND_COUNT] = {
		[PLAN_LOAD] = "load",         [PLAN_NORMAL] = "normal",
		[PLAN_ZERO] = "zero",         [PLAN_UNMEASURED] = "unmeasured",
		[PLAN_SECRETS] = "secrets",   [PLAN_CPUID] = "cpuid",
		[PLAN_VMSA] = "vmsa",         [PLAN_TDX_ADD] = "tdx-add",
		[PLAN_TDX_EXTEND] = "tdx-add+extend", [PLAN_TDX_AUG] = "tdx-aug",
		[PLAN_REALM_DATA] = "realm-data", [PLAN_REALM_DATA_UNMEASURED] = "realm-data-unmeasured",
		[PLAN_REALM_RIPAS] = "realm-ripas", [PLAN_REALM_REC] = "realm-rec",
	};

	return kind < PLAN_KIND_COUNT ? names[kind] : "?";
}

const char *plan__entry_name(enum plan_entry_mode mode)
{
	static const char *const names[PLAN_ENTRY_MODE_COUNT] = {
		[PLAN_ENTRY_NONE] = "reset state",
		[PLAN_ENTRY_X86_PVH] = "x86 PVH (32-bit)",
		[PLAN_ENTRY_X86_64] = "x86 64-bit Linux",
		[PLAN_ENTRY_ARM64_LINUX] = "arm64 Linux",
	};

	return mode < PLAN_ENTRY_MODE_COUNT ? names[mode] : "?";
}

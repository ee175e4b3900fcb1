#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/error.h"
#include "loader/parse.h"
#include "loader/realm-ops.h"

#define GRANULE 4096ull
#define MAX_FIELDS 10

/* Where a granule or an RTT entry was created, to name both lines of an overlap. */
struct span {
	uint64_t base, top;
	unsigned line;
};

struct spans {
	struct span *s;
	size_t n, cap;
};

struct ctx {
	struct plan *p;
	struct realm_ops *ro;
	const char *name, *dir;
	enum plan_rmm rmm;
	unsigned line;
	const char *op;                 /* the current line's operation */
	struct plan_realm *realm;       /* after create */
	unsigned create_line, print_line;
	size_t nops;
	uint32_t nrecs;
	struct spans data, ripas;
};

/* "NAME: line N: OP FIELD VALUE: why" as the error; returns -1. */
static int bad(const struct ctx *c, const char *field, const char *val, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(const struct ctx *c, const char *field, const char *val, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return err__set("%s: line %u: %s%s%s%s%.40s: %s", c->name, c->line, c->op,
			field ? " " : "", field ? field : "", val ? " " : "", val ? val : "", why);
}

/* Decimal or 0x-hex, nothing else (no sign, no octal). */
static int number(const struct ctx *c, const char *field, const char *tok, uint64_t *out)
{
	if (!isdigit((unsigned char)tok[0]) || (tok[0] == '0' && isdigit((unsigned char)tok[1])) ||
	    parse__u64(tok, out) < 0)
		return bad(c, field, tok, "not a number (decimal or 0x-hex, at most 64 bits)");
	return 0;
}

static int numbers(const struct ctx *c, char **f, const char *const *names, int n, uint64_t *v)
{
	for (int i = 0; i < n; i++)
		if (number(c, names[i], f[i], &v[i]) < 0)
			return -1;
	return 0;
}

static int spans_add(struct spans *s, uint64_t base, uint64_t top, unsigned line)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct span *n = realloc(s->s, cap * sizeof(*n));

		if (!n)
			return err__set_status(CVM_EXIT_FAIL, "out of memory");
		s->s = n;
		s->cap = cap;
	}
	s->s[s->n++] = (struct span){ base, top, line };
	return 0;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The first line (in script order) that overlaps an earlier one; 0 if none. */
static unsigned spans_overlap(struct spans *s, unsigned *earlier, uint64_t *at)
{
	unsigned best = 0;

	if (s->n < 2)
		return 0;
	qsort(s->s, s->n, sizeof(*s->s), cmp_span);
	for (size_t i = 1; i < s->n; i++) {
		const struct span *a = &s->s[i - 1], *b = &s->s[i];
		const struct span *late = a->line > b->line ? a : b;

		if (a->top > b->base && (!best || late->line < best)) {
			best = late->line;
			*earlier = late == a ? b->line : a->line;
			*at = late->base;
		}
	}
	return best;
}

/* IPAs a realm can populate: the protected half of its IPA space. */
static uint64_t protected_top(const struct plan_realm *r)
{
	return 1ull << (r->s2sz - 1);
}

static int op_create(struct ctx *c, char **f)
{
	static const char *const names[] = { "ALGO", "FLAGS0", "S2SZ", "SVE_VL", "NUM_BPS",
					     "NUM_WPS", "PMU_NUM_CTRS" };
	struct plan_realm *r;
	uint64_t v[7], max_ipa;

	if (c->create_line)
		return bad(c, NULL, NULL, "the realm was created at line %u", c->create_line);
	if (numbers(c, f, names, 7, v) < 0)
		return -1;
	if (v[0] > PLAN_REALM_SHA384)
		return bad(c, names[0], f[0], "not 0 (sha256), 1 (sha512) or 2 (sha384)");
	if (v[0] == PLAN_REALM_SHA384 && c->rmm == PLAN_RMM_1_0)
		return bad(c, names[0], f[0], "sha384 needs RMM 2.0 (1.0 has sha256 and sha512)");
	if (v[1] & ~(PLAN_REALM_LPA2 | PLAN_REALM_SVE | PLAN_REALM_PMU))
		return bad(c, names[1], f[1], "bits other than LPA2 (0x1), SVE (0x2), PMU (0x4)");
	max_ipa = v[1] & PLAN_REALM_LPA2 ? 52 : 48;
	if (v[2] < 32 || v[2] > max_ipa)
		return bad(c, names[2], f[2], "IPA bits are 32 to %llu%s", (unsigned long long)max_ipa,
			   max_ipa == 48 ? " without LPA2" : "");
	if (v[3] > 15)
		return bad(c, names[3], f[3], "at most 15 (VQ - 1 of a 2048-bit vector)");
	/* TF-RMM checks only the feature register's bound (6 bits), and the
	 * v14 KVM leaves both 0. */
	for (int i = 4; i <= 5; i++)
		if (v[i] > 63)
			return bad(c, names[i], f[i], "at most 63 (the count minus one)");
	if (v[6] > 31)
		return bad(c, names[6], f[6], "at most 31");
	r = plan__alloc(c->p, sizeof(*r));
	if (!r)
		return -1;
	*r = (struct plan_realm){
		.rmm = c->rmm, .hash = (enum plan_realm_hash)v[0], .flags0 = v[1],
		.s2sz = v[2], .sve_vl = v[3], .num_bps = v[4], .num_wps = v[5], .pmu_num_ctrs = v[6],
	};
	c->realm = r;
	c->p->realm = r;
	c->create_line = c->line;
	return 0;
}

static int op_ripas(struct ctx *c, char **f)
{
	static const char *const names[] = { "BASE", "TOP" };
	uint64_t v[2], size;

	if (numbers(c, f, names, 2, v) < 0)
		return -1;
	if (v[0] % GRANULE)
		return bad(c, names[0], f[0], "not 4 KiB aligned");
	if (v[1] <= v[0])
		return bad(c, names[1], f[1], "not above BASE %s", f[0]);
	size = v[1] - v[0];
	if ((size != GRANULE && size != 2ull << 20 && size != 1ull << 30) || v[0] % size)
		return bad(c, names[1], f[1], "[BASE, TOP) is not one RTT entry (an aligned 4 KiB, 2 MiB or 1 GiB block)");
	if (v[1] > protected_top(c->realm))
		return bad(c, names[1], f[1], "beyond the protected IPA space of S2SZ %u (%#llx)",
			   c->realm->s2sz, (unsigned long long)protected_top(c->realm));
	if (spans_add(&c->ripas, v[0], v[1], c->line) < 0 ||
	    !plan__add(c->p, PLAN_REALM_RIPAS, v[0], size, NULL, ""))
		return -1;
	return 0;
}

/* FILE of a data line, mapped once however many lines use it. */
static const struct blob *data_file(struct ctx *c, const char *file)
{
	struct realm_ops *ro = c->ro;
	struct realm_ops_file *rf;
	const struct blob *found = NULL;
	const char *why;
	char *path;

	if (asprintf(&path, "%s%s%s", file[0] == '/' ? "" : c->dir, file[0] == '/' ? "" : "/",
		     file) < 0) {
		err__set_status(CVM_EXIT_FAIL, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < ro->nfiles && !found; i++)
		if (!strcmp(ro->files[i].path, path))
			found = &ro->files[i].blob;
	if (found || ro->nfiles == REALM_OPS_MAX_FILES) {
		if (!found)
			bad(c, "FILE", file, "more than %u distinct data files", REALM_OPS_MAX_FILES);
		free(path);
		return found;
	}
	rf = realloc(ro->files, (ro->nfiles + 1) * sizeof(*rf));
	if (rf)
		ro->files = rf;
	rf = rf ? &ro->files[ro->nfiles] : NULL;
	if (!rf || !(rf->path = plan__alloc(c->p, strlen(path) + 1))) {
		free(path);
		err__set_status(CVM_EXIT_FAIL, "out of memory");
		return NULL;
	}
	strcpy((char *)rf->path, path);
	free(path);
	if (plan__map(c->p, rf->path, &rf->blob) < 0) {
		char msg[256];

		/* blob__open said "PATH: reason": name the line, keep the reason. */
		why = err__msg();
		if (!strncmp(why, rf->path, strlen(rf->path)) && why[strlen(rf->path)] == ':')
			why += strlen(rf->path) + 2;
		snprintf(msg, sizeof(msg), "%s", why);
		bad(c, "FILE", file, "%s", msg);
		return NULL;
	}
	ro->nfiles++;
	return &rf->blob;
}

static int op_data(struct ctx *c, char **f)
{
	static const char *const names[] = { "IPA", "FLAGS" };
	const struct blob *b = NULL;
	const uint8_t *data = NULL;
	uint64_t v[2], off;

	if (numbers(c, f, names, 2, v) < 0 || number(c, "OFFSET", f[3], &off) < 0)
		return -1;
	if (v[0] % GRANULE)
		return bad(c, names[0], f[0], "not 4 KiB aligned");
	if (v[0] >= protected_top(c->realm))
		return bad(c, names[0], f[0], "beyond the protected IPA space of S2SZ %u (%#llx)",
			   c->realm->s2sz, (unsigned long long)protected_top(c->realm));
	if (v[1] > 1)
		return bad(c, names[1], f[1], "not 0 (unmeasured) or 1 (measured)");
	if (!strcmp(f[2], "-")) {
		if (off)
			return bad(c, "OFFSET", f[3], "must be 0 with '-' (the zero page)");
	} else if (!(b = data_file(c, f[2]))) {
		return -1;
	}
	if (b && off < b->size) {
		if (b->size - off >= GRANULE) {
			data = b->data + off;
		} else {
			uint8_t *buf = plan__alloc(c->p, GRANULE);   /* zero past EOF */

			if (!buf)
				return -1;
			memcpy(buf, b->data + off, b->size - off);
			data = buf;
		}
	}
	if (spans_add(&c->data, v[0], v[0] + GRANULE, c->line) < 0 ||
	    !plan__add(c->p, v[1] ? PLAN_REALM_DATA : PLAN_REALM_DATA_UNMEASURED, v[0], GRANULE,
		       data, ""))
		return -1;
	return 0;
}

static int op_rec(struct ctx *c, char **f)
{
	static const char *const names[] = { "FLAGS", "PC", "X0", "X1", "X2", "X3", "X4", "X5",
					     "X6", "X7" };
	struct plan_realm_rec *rec;
	struct plan_op *op;
	uint64_t v[10];

	if (numbers(c, f, names, 10, v) < 0)
		return -1;
	if (v[0] & ~PLAN_REC_RUNNABLE)
		return bad(c, names[0], f[0], "bits other than RUNNABLE (0x1)");
	rec = plan__alloc(c->p, sizeof(*rec));
	op = rec ? plan__add(c->p, PLAN_REALM_REC, 0, 0, NULL, "") : NULL;
	if (!op)
		return -1;
	rec->flags = v[0];
	rec->pc = v[1];
	memcpy(rec->gprs, v + 2, sizeof(rec->gprs));
	op->rec = rec;
	op->vcpu = c->nrecs++;
	return 0;
}

static const struct {
	const char *name;
	int nfields;
	const char *usage;
	int (*fn)(struct ctx *c, char **f);
} ops[] = {
	{ "create", 7, "ALGO FLAGS0 S2SZ SVE_VL NUM_BPS NUM_WPS PMU_NUM_CTRS", op_create },
	{ "ripas", 2, "BASE TOP", op_ripas },
	{ "data", 4, "IPA FLAGS FILE OFFSET", op_data },
	{ "rec", 10, "FLAGS PC X0 X1 X2 X3 X4 X5 X6 X7", op_rec },
	{ "print", 0, "", NULL },
};

/* One line, NUL-ended and writable; comments and blanks already count. */
static int parse_line(struct ctx *c, char *s)
{
	char *tok[MAX_FIELDS + 1], *save = NULL;
	int n = 0;
	size_t i, before = c->p->nops;

	s[strcspn(s, "#")] = 0;
	for (char *t = strtok_r(s, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save), n++)
		if (n <= MAX_FIELDS)
			tok[n] = t;
	if (!n)
		return 0;
	c->op = tok[0];
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]) && strcmp(ops[i].name, tok[0]); i++)
		;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return bad(c, NULL, NULL, "unknown operation (create, ripas, data, rec, print)");
	if (c->print_line)
		return bad(c, NULL, NULL, "after print (line %u ended the script)", c->print_line);
	if (!c->create_line && i != 0)
		return bad(c, NULL, NULL, "before create");
	if (n - 1 != ops[i].nfields)
		return bad(c, NULL, NULL, "expects %s%s(%d fields), got %d", ops[i].usage,
			   ops[i].nfields ? " " : "", ops[i].nfields, n - 1);
	if (++c->nops > REALM_OPS_MAX_OPS)
		return bad(c, NULL, NULL, "more than %u operations", REALM_OPS_MAX_OPS);
	if (!ops[i].fn) {
		c->print_line = c->line;
		return 0;
	}
	if (ops[i].fn(c, tok + 1) < 0)
		return -1;
	if (c->p->nops > before)
		snprintf(c->p->ops[c->p->nops - 1].what, sizeof(c->p->ops[0].what), "line %u",
			 c->line);
	return 0;
}

static int check_overlaps(struct ctx *c)
{
	struct { struct spans *s; const char *op, *field, *what; } k[] = {
		{ &c->data, "data", "IPA", "granule" },
		{ &c->ripas, "ripas", "BASE", "RTT entry" },
	};

	for (int i = 0; i < 2; i++) {
		unsigned earlier = 0;
		uint64_t at = 0;
		char val[24];

		c->line = spans_overlap(k[i].s, &earlier, &at);
		if (!c->line)
			continue;
		c->op = k[i].op;
		snprintf(val, sizeof(val), "%#llx", (unsigned long long)at);
		return bad(c, k[i].field, val, "overlaps the %s of line %u", k[i].what, earlier);
	}
	return 0;
}

static int parse(struct ctx *c, const char *buf, size_t len)
{
	char line[REALM_OPS_MAX_LINE + 1];
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = (nl ? (size_t)(nl - buf) : len) - pos;

		c->line++;
		c->op = "";
		if (n > REALM_OPS_MAX_LINE)
			return err__set("%s: line %u: longer than %u bytes", c->name, c->line,
					REALM_OPS_MAX_LINE);
		if (memchr(buf + pos, 0, n))
			return err__set("%s: line %u: a NUL byte: not a text file", c->name, c->line);
		memcpy(line, buf + pos, n);
		line[n] = 0;
		if (parse_line(c, line) < 0)
			return -1;
		pos += n + 1;
	}
	if (!c->create_line)
		return err__set("%s: no create line", c->name);
	return check_overlaps(c);
}

int realm_ops__parse(struct plan *p, struct realm_ops *ro, const char *name, const char *dir,
		     const char *buf, size_t len, enum plan_rmm rmm)
{
	struct ctx c = { .p = p, .ro = ro, .name = name, .dir = dir, .rmm = rmm };
	int ret;

	if (p->nops || p->realm)
		return err__set_status(CVM_EXIT_FAIL, "%s: the plan is not empty", name);
	ret = parse(&c, buf, len);
	free(c.data.s);
	free(c.ripas.s);
	return ret;
}

int realm_ops__load(struct plan *p, struct realm_ops *ro, const char *path, enum plan_rmm rmm)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 1;
	char *dir = plan__alloc(p, n + 2);

	if (!dir || plan__map(p, path, &ro->script) < 0)
		return -1;
	if (!slash)
		dir[0] = '.';
	else if (slash == path)
		dir[0] = '/';
	else
		memcpy(dir, path, n);
	return realm_ops__parse(p, ro, path, dir, (const char *)ro->script.data, ro->script.size,
				rmm);
}

void realm_ops__exit(struct realm_ops *ro)
{
	free(ro->files);
	memset(ro, 0, sizeof(*ro));
}

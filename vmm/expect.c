#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "loader/error.h"
#include "vmm/expect.h"

#define INF -1          /* {n,} */

enum node_type { N_CLASS, N_BOL, N_EOL, N_CAT, N_ALT, N_REP };

/* The parse tree: CAT and ALT hold a list of children (first, then each
 * child's next), so a long pattern is wide, not deep. */
struct node {
	enum node_type type;
	int first, next;        /* child list; -1 ends it */
	int min, max;           /* N_REP */
	int cls;                /* N_CLASS */
};

enum op { OP_CLASS, OP_SPLIT, OP_JMP, OP_BOL, OP_EOL, OP_MATCH };

struct inst {
	enum op op;
	int x, y;               /* CLASS: x = class; SPLIT: x, y; JMP: x */
};

struct expect {
	struct inst *prog;
	int nprog;
	uint8_t (*cls)[32];     /* byte bitmaps */
	/* the simulation: pcs of CLASS instructions waiting for a byte */
	int *cur, *nxt, ncur;
	int *stack;
	uint32_t *seen, *seen_end, gen;
	bool line_start;
	bool empty_match;       /* the pattern matched the empty line start */
};

struct parser {
	const char *name;       /* the option, for messages */
	const char *s;
	size_t pos, len;
	struct node *n;
	int nn;
	uint8_t (*cls)[32];
	int ncls;
	int err;
};

static int fail(struct parser *p, const char *what)
{
	if (!p->err)
		p->err = err__set("%s: at byte %zu: %s", p->name, p->pos + 1, what);
	return -1;
}

static int node(struct parser *p, enum node_type t)
{
	struct node *n = &p->n[p->nn];

	*n = (struct node){ .type = t, .first = -1, .next = -1, .cls = -1 };
	return p->nn++;
}

static int class_node(struct parser *p)
{
	int i = node(p, N_CLASS);

	p->n[i].cls = p->ncls;
	memset(p->cls[p->ncls++], 0, 32);
	return i;
}

static void set(uint8_t *c, unsigned b)
{
	c[b / 8] |= 1u << (b % 8);
}

static int peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

/* [:name:] in the C locale. */
static int named_class(struct parser *p, uint8_t *c)
{
	static const struct {
		const char *name;
		int (*is)(int);
	} names[] = {
		{ "alpha", isalpha }, { "digit", isdigit }, { "alnum", isalnum },
		{ "upper", isupper }, { "lower", islower }, { "space", isspace },
		{ "blank", isblank }, { "punct", ispunct }, { "print", isprint },
		{ "graph", isgraph }, { "cntrl", iscntrl }, { "xdigit", isxdigit },
	};
	const char *end = strstr(p->s + p->pos + 2, ":]");
	size_t n;

	if (!end)
		return fail(p, "'[:' without ':]'");
	n = end - (p->s + p->pos + 2);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].name) == n && !strncmp(names[i].name, p->s + p->pos + 2, n)) {
			for (int b = 0; b < 128; b++)
				if (names[i].is(b))
					set(c, b);
			p->pos = end + 2 - p->s;
			return 0;
		}
	}
	return fail(p, "unknown character class (alpha digit alnum upper lower space blank punct print graph cntrl xdigit)");
}

/* After '[': a POSIX bracket expression, backslash literal inside. */
static int bracket(struct parser *p)
{
	int i = class_node(p);
	uint8_t *c = p->cls[p->n[i].cls];
	bool neg = false, first = true;

	if (peek(p) == '^') {
		neg = true;
		p->pos++;
	}
	for (;; first = false) {
		int lo = peek(p), hi;

		if (lo < 0)
			return fail(p, "'[' without ']'");
		if (lo == ']' && !first)
			break;
		if (lo == '[' && p->pos + 1 < p->len && p->s[p->pos + 1] == ':') {
			if (named_class(p, c) < 0)
				return -1;
			continue;
		}
		if (lo == '[' && p->pos + 1 < p->len && strchr(".=", p->s[p->pos + 1]))
			return fail(p, "collating elements and equivalence classes are not supported");
		p->pos++;
		hi = lo;
		if (peek(p) == '-' && p->pos + 1 < p->len && p->s[p->pos + 1] != ']') {
			p->pos++;
			hi = peek(p);
			p->pos++;
			if (hi < lo)
				return fail(p, "range out of order");
		}
		for (int b = lo; b <= hi; b++)
			set(c, b);
	}
	p->pos++;
	if (neg)
		for (int b = 0; b < 32; b++)
			c[b] = ~c[b];
	return i;
}

static int number(struct parser *p, int *v)
{
	if (!isdigit(peek(p)))
		return fail(p, "a bound needs a number: {n}, {n,} or {n,m}");
	for (*v = 0; isdigit(peek(p)); p->pos++) {
		*v = *v * 10 + (peek(p) - '0');
		if (*v > EXPECT_MAX_REPEAT)
			return fail(p, "a bound is at most 255");
	}
	return 0;
}

/* After '{'. */
static int bound(struct parser *p, int *min, int *max)
{
	if (number(p, min) < 0)
		return -1;
	*max = *min;
	if (peek(p) == ',') {
		p->pos++;
		*max = INF;
		if (peek(p) != '}' && number(p, max) < 0)
			return -1;
	}
	if (peek(p) != '}')
		return fail(p, "'{' without '}'");
	p->pos++;
	if (*max != INF && *max < *min)
		return fail(p, "{n,m} with m < n");
	return 0;
}

static int alt(struct parser *p, int depth);

static int atom(struct parser *p, int depth)
{
	int c = peek(p), i;

	p->pos++;
	switch (c) {
	case '(':
		if (depth >= EXPECT_MAX_DEPTH)
			return fail(p, "groups nested too deep");
		i = alt(p, depth + 1);
		if (i < 0)
			return -1;
		if (peek(p) != ')')
			return fail(p, "'(' without ')'");
		p->pos++;
		return i;
	case '*': case '+': case '?': case '{':
		p->pos--;
		return fail(p, "nothing to repeat");
	case '[':
		return bracket(p);
	case '^':
		return node(p, N_BOL);
	case '$':
		return node(p, N_EOL);
	case '.':
		i = class_node(p);
		memset(p->cls[p->n[i].cls], 0xff, 32);
		return i;
	case '\\':
		c = peek(p);
		if (c < 0)
			return fail(p, "trailing backslash");
		if (isalnum(c))
			return fail(p, "backslash before a letter or digit (\\d, \\w, \\1 ...) is not supported");
		p->pos++;
		break;
	}
	i = class_node(p);
	set(p->cls[p->n[i].cls], c);
	return i;
}

static int repeat(struct parser *p, int depth)
{
	int i = atom(p, depth), c;

	while (i >= 0 && (c = peek(p)) >= 0 && strchr("*+?{", c)) {
		int r, min = 0, max = INF;

		p->pos++;
		if (++depth > EXPECT_MAX_DEPTH)
			return fail(p, "repetitions nested too deep");
		if (c == '+')
			min = 1;
		else if (c == '?')
			max = 1;
		else if (c == '{' && bound(p, &min, &max) < 0)
			return -1;
		r = node(p, N_REP);
		p->n[r].first = i;
		p->n[r].min = min;
		p->n[r].max = max;
		i = r;
	}
	return i;
}

/* Alternatives up to a ')' or the end: an N_ALT of N_CATs of repeats. */
static int alt(struct parser *p, int depth)
{
	int a = node(p, N_ALT), *tail = &p->n[a].first;

	for (;;) {
		int cat = node(p, N_CAT), *ct = &p->n[cat].first, c;

		while ((c = peek(p)) >= 0 && c != '|' && c != ')') {
			int i = repeat(p, depth);

			if (i < 0)
				return -1;
			*ct = i;
			ct = &p->n[i].next;
		}
		*tail = cat;
		tail = &p->n[cat].next;
		if (peek(p) != '|')
			return a;
		p->pos++;
	}
}

/* Instructions node I compiles to, saturating past the limit. */
static long size(const struct parser *p, int i)
{
	const struct node *n = &p->n[i];
	long s = 0, k = 0, e;

	switch (n->type) {
	case N_CAT:
	case N_ALT:
		for (int c = n->first; c >= 0 && s <= EXPECT_MAX_STATES; c = p->n[c].next, k++)
			s += size(p, c);
		return n->type == N_ALT && k > 1 ? s + 2 * (k - 1) : s;
	case N_REP:
		e = size(p, n->first);
		if (e > EXPECT_MAX_STATES)
			return e;
		return n->min * e + (n->max == INF ? e + 2 : (n->max - n->min) * (e + 1));
	default:
		return 1;
	}
}

static int emit1(struct expect *e, enum op op, int x, int y)
{
	e->prog[e->nprog] = (struct inst){ op, x, y };
	return e->nprog++;
}

static void emit(struct expect *e, const struct parser *p, int i)
{
	const struct node *n = &p->n[i];
	int c, split, jmps = -1;

	switch (n->type) {
	case N_CLASS:
		emit1(e, OP_CLASS, n->cls, 0);
		break;
	case N_BOL:
	case N_EOL:
		emit1(e, n->type == N_BOL ? OP_BOL : OP_EOL, 0, 0);
		break;
	case N_CAT:
		for (c = n->first; c >= 0; c = p->n[c].next)
			emit(e, p, c);
		break;
	case N_ALT:
		for (c = n->first; c >= 0; c = p->n[c].next) {
			if (p->n[c].next < 0) {
				emit(e, p, c);
				break;
			}
			split = emit1(e, OP_SPLIT, e->nprog + 1, 0);
			emit(e, p, c);
			jmps = emit1(e, OP_JMP, jmps, 0);     /* chained until patched */
			e->prog[split].y = e->nprog;
		}
		while (jmps >= 0) {
			c = e->prog[jmps].x;
			e->prog[jmps].x = e->nprog;
			jmps = c;
		}
		break;
	case N_REP:
		/* An empty body repeated matches the empty string, as nothing
		 * does; emitting it anyway costs min^depth calls when nested. */
		if (size(p, n->first) == 0)
			break;
		for (c = 0; c < n->min; c++)
			emit(e, p, n->first);
		if (n->max == INF) {
			split = emit1(e, OP_SPLIT, e->nprog + 1, 0);
			emit(e, p, n->first);
			emit1(e, OP_JMP, split, 0);
			e->prog[split].y = e->nprog;
		}
		for (c = n->min; n->max != INF && c < n->max; c++) {
			split = emit1(e, OP_SPLIT, e->nprog + 1, 0);
			emit(e, p, n->first);
			e->prog[split].y = e->nprog;
		}
		break;
	}
}

struct expect *expect__new(const char *pattern, const char *name)
{
	size_t len = strlen(pattern);
	struct parser p = { .name = name, .s = pattern, .len = len };
	struct expect *e = NULL;
	long n;
	int root;

	if (len > EXPECT_MAX_PATTERN) {
		err__set("%s: %zu bytes of pattern, at most %d", name, len, EXPECT_MAX_PATTERN);
		return NULL;
	}
	/* Each byte makes at most two nodes (a class and a repetition; a list
	 * and its first item for '(' and '|'), plus the outer list pair. */
	p.n = calloc(2 * len + 4, sizeof(*p.n));
	p.cls = calloc(len + 1, sizeof(*p.cls));
	if (!p.n || !p.cls)
		goto oom;
	root = alt(&p, 0);
	if (root >= 0 && p.pos < p.len)
		fail(&p, "')' without '('");
	if (p.err)
		goto out;
	n = size(&p, root) + 1;
	if (n > EXPECT_MAX_STATES) {
		err__set("%s: more than %d NFA states once {n,m} and the rest are expanded", name,
			 EXPECT_MAX_STATES);
		goto out;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->prog = calloc(n, sizeof(*e->prog))) ||
	    !(e->cur = calloc(n, sizeof(int))) || !(e->nxt = calloc(n, sizeof(int))) ||
	    !(e->stack = calloc(4 * n + 2, sizeof(int))) || !(e->seen = calloc(n, sizeof(uint32_t))) ||
	    !(e->seen_end = calloc(n, sizeof(uint32_t))))
		goto oom;
	emit(e, &p, root);
	emit1(e, OP_MATCH, 0, 0);
	e->cls = p.cls;
	p.cls = NULL;
	expect__newline(e);
	goto out;
oom:
	err__set_status(CVM_EXIT_FAIL, "out of memory");
	expect__free(e);
	e = NULL;
out:
	free(p.n);
	free(p.cls);
	return e;
}

void expect__free(struct expect *e)
{
	if (!e)
		return;
	free(e->prog);
	free(e->cls);
	free(e->cur);
	free(e->nxt);
	free(e->stack);
	free(e->seen);
	free(e->seen_end);
	free(e);
}

#define MATCHED     1   /* MATCH reached */
#define MATCHED_END 2   /* ... only through a '$' */

/* Follows the empty moves from PC at the current position into the next
 * list; MATCHED or MATCHED_END when MATCH is reached.  Past a '$' only the
 * accept check goes on: nothing can be consumed after the end. */
static int closure(struct expect *e, int pc, int *list, int *n)
{
	int sp = 0, match = 0;

	e->stack[sp++] = pc << 1;
	while (sp) {
		int top = e->stack[--sp], ended = top & 1;
		const struct inst *in;
		uint32_t *seen;

		pc = top >> 1;
		seen = ended ? e->seen_end : e->seen;
		if (seen[pc] == e->gen)
			continue;
		seen[pc] = e->gen;
		in = &e->prog[pc];
		switch (in->op) {
		case OP_CLASS:
			if (!ended)
				list[(*n)++] = pc;
			break;
		case OP_MATCH:
			match |= ended ? MATCHED_END : MATCHED;
			break;
		case OP_JMP:
			e->stack[sp++] = in->x << 1 | ended;
			break;
		case OP_SPLIT:
			e->stack[sp++] = in->y << 1 | ended;
			e->stack[sp++] = in->x << 1 | ended;
			break;
		case OP_BOL:
			if (e->line_start)
				e->stack[sp++] = (pc + 1) << 1 | ended;
			break;
		case OP_EOL:
			e->stack[sp++] = (pc + 1) << 1 | 1;
			break;
		}
	}
	return match;
}

/* A fresh generation of the seen marks; cleared when the counter wraps. */
static void next_gen(struct expect *e)
{
	if (++e->gen == 0) {
		memset(e->seen, 0, e->nprog * sizeof(*e->seen));
		memset(e->seen_end, 0, e->nprog * sizeof(*e->seen_end));
		e->gen = 1;
	}
}

void expect__newline(struct expect *e)
{
	e->line_start = true;
	next_gen(e);
	e->ncur = 0;
	/* An empty match here holds for the line whatever follows, unless it
	 * needed the line to end here. */
	e->empty_match = closure(e, 0, e->cur, &e->ncur) & MATCHED;
}

bool expect__feed(struct expect *e, uint8_t byte)
{
	int match = e->empty_match, n = 0, *t;

	next_gen(e);
	e->line_start = false;
	e->empty_match = false;
	for (int i = 0; i < e->ncur; i++) {
		const struct inst *in = &e->prog[e->cur[i]];

		if (e->cls[in->x][byte / 8] & (1u << (byte % 8)))
			match |= closure(e, e->cur[i] + 1, e->nxt, &n);
	}
	/* A match may start at any byte: a new thread at the next one. */
	match |= closure(e, 0, e->nxt, &n);
	t = e->cur;
	e->cur = e->nxt;
	e->nxt = t;
	e->ncur = n;
	return match != 0;
}

/* Reading the flattened device tree the loader passed in x0 (Devicetree
 * Specification v0.4, chapter 5): one walk over the structure block, every
 * offset and length checked against the blob's own header first. */
#include "arm64.h"

#define FDT_MAGIC	0xd00dfeed
#define FDT_BEGIN_NODE	1
#define FDT_END_NODE	2
#define FDT_PROP	3
#define FDT_NOP		4
#define FDT_END		9
#define HDR_SIZE	40
#define DTB_MAX		0x200000	/* booting.rst's limit */
#define MAX_DEPTH	16
#define PATH_MAX_LEN	64

/* Byte loads: with the MMU off, memory is Device memory, which faults on
 * unaligned accesses, and a hostile blob may be misaligned. */
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A big-endian number of CELLS (1 or 2) cells. */
static uint64_t cells(const uint8_t *p, uint32_t n)
{
	return n == 2 ? (uint64_t)be32(p) << 32 | be32(p + 4) : be32(p);
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* True when NAME is PREFIX alone or PREFIX@unit-address. */
static bool named(const char *name, const char *prefix)
{
	while (*prefix && *name == *prefix)
		name++, prefix++;
	return !*prefix && (!*name || *name == '@');
}

/* True when the string list VAL (LEN bytes) holds S. */
static bool has_string(const char *val, uint32_t len, const char *s)
{
	for (uint32_t i = 0; i < len; ) {
		if (streq(val + i, s))
			return true;
		while (i < len && val[i])
			i++;
		i++;
	}
	return false;
}

/* What the walk knows about each open node. */
struct level {
	const char *name;
	uint32_t acells, scells;	/* for its children's reg */
	uint64_t reg;			/* its own first address; ~0: none */
	bool pl011, debug_exit, psci;
	const char *method;
};

/* lv[0] stands for the root's parent, lv[ROOT] is the root, lv[CHILD] a
 * node right under it. */
#define ROOT	1
#define CHILD	2

struct walk {
	const uint8_t *blob;
	uint32_t strings, strings_size;
	struct level lv[MAX_DEPTH];
	int depth;			/* lv[depth] is the open node */
	const char *stdout_path;
	uint64_t first_uart, stdout_uart;
	struct guest_boot *b;
	struct dt_info *dt;
};

/* The node's full path ("/name"), only for nodes right under the root. */
static bool path_is(const struct walk *w, const char *path)
{
	const char *p = path;

	if (w->depth != CHILD || *p++ != '/')
		return false;
	for (const char *n = w->lv[CHILD].name; *n; n++, p++)
		if (*p != *n)
			return false;
	return *p == 0 || *p == ':';	/* stdout-path may carry ":options" */
}

static const char *prop_reg(struct walk *w, const uint8_t *val, uint32_t len)
{
	const struct level *parent = &w->lv[w->depth - 1];
	struct level *node = &w->lv[w->depth];
	uint32_t a = parent->acells, s = parent->scells, entry = 4 * (a + s);

	if (a < 1 || a > 2 || s > 2)
		return "device tree: #address-cells or #size-cells beyond 2";
	if (len < entry)
		return NULL;
	node->reg = cells(val, a);
	if (w->depth == CHILD && named(node->name, "memory")) {
		for (uint32_t off = 0; off + entry <= len; off += entry) {
			if (w->b->nr_map == MAP_MAX)
				return "device tree: more memory ranges than the guest keeps";
			boot__add_mem(w->b, cells(val + off, a), s ? cells(val + off + 4 * a, s) : 0,
				      MAP_RAM);
		}
	}
	if (w->depth == CHILD + 1 && streq(w->lv[CHILD].name, "cpus") &&
	    named(node->name, "cpu")) {
		if (w->dt->nr_cpus == DT_MAX_CPUS)
			return "device tree: more cpu nodes than the guest handles";
		w->dt->mpidr[w->dt->nr_cpus++] = node->reg;
	}
	return NULL;
}

static const char *prop_chosen(struct walk *w, const char *name, const uint8_t *val,
			       uint32_t len)
{
	if (streq(name, "bootargs") && len)
		boot__copy_cmdline(w->b, (uint64_t)val);
	else if (streq(name, "stdout-path") && len && !val[len - 1])
		w->stdout_path = (const char *)val;
	else if (streq(name, "linux,initrd-start") && (len == 4 || len == 8))
		w->b->initrd = cells(val, len / 4);
	else if (streq(name, "linux,initrd-end") && (len == 4 || len == 8))
		w->b->initrd_size = cells(val, len / 4);	/* made a size at the end */
	return NULL;
}

static const char *prop(struct walk *w, const char *name, const uint8_t *val, uint32_t len)
{
	struct level *node = &w->lv[w->depth];

	if (streq(name, "#address-cells") && len == 4)
		node->acells = be32(val);
	else if (streq(name, "#size-cells") && len == 4)
		node->scells = be32(val);
	else if (streq(name, "reg"))
		return prop_reg(w, val, len);
	else if (streq(name, "compatible")) {
		node->pl011 = has_string((const char *)val, len, "arm,pl011");
		node->debug_exit = has_string((const char *)val, len, "cvm,debug-exit");
		node->psci = has_string((const char *)val, len, "arm,psci-0.2") ||
			     has_string((const char *)val, len, "arm,psci");
	} else if (streq(name, "method") && len && !val[len - 1])
		node->method = (const char *)val;
	else if (w->depth == CHILD && streq(node->name, "chosen"))
		return prop_chosen(w, name, val, len);
	return NULL;
}

/* A node ends: what it turned out to be. */
static void end_node(struct walk *w)
{
	const struct level *node = &w->lv[w->depth];

	if (w->depth == CHILD && streq(node->name, "chosen"))
		w->dt->chosen = true;
	if (node->reg != ~0ull && node->pl011) {
		if (!w->first_uart)
			w->first_uart = node->reg;
		if (w->stdout_path && path_is(w, w->stdout_path))
			w->stdout_uart = node->reg;
	}
	if (node->reg != ~0ull && node->debug_exit)
		w->dt->debug_exit = node->reg;
	if (node->psci)
		w->dt->psci = node->method;
}

static const char *check_header(const uint8_t *blob, uint32_t *st, uint32_t *st_size)
{
	uint32_t total = be32(blob + 4), version = be32(blob + 20);

	if (be32(blob) != FDT_MAGIC)
		return "device tree: no FDT magic at x0";
	if (version < 17 || be32(blob + 24) > 17)
		return "device tree: not version 17";
	if (total < HDR_SIZE || total > DTB_MAX)
		return "device tree: totalsize beyond 2 MiB";
	*st = be32(blob + 8);
	*st_size = be32(blob + 36);
	if (*st % 4 || *st > total || *st_size > total - *st ||
	    be32(blob + 12) > total || be32(blob + 32) > total - be32(blob + 12))
		return "device tree: blocks beyond totalsize";
	return NULL;
}

/* One token at *POS (a multiple of 4) of the structure block [0, END). */
static const char *step(struct walk *w, uint32_t *pos, uint32_t end, const uint8_t *st,
			bool *done)
{
	uint32_t tok = be32(st + *pos), len, nameoff;
	const char *name, *bad;

	*pos += 4;
	switch (tok) {
	case FDT_BEGIN_NODE:
		if (++w->depth == MAX_DEPTH)
			return "device tree: nodes nested too deep";
		name = (const char *)st + *pos;
		while (*pos < end && st[*pos])
			(*pos)++;
		if (*pos == end)
			return "device tree: node name runs off the structure block";
		*pos = (*pos + 4) & ~3u;
		w->lv[w->depth] = (struct level){ .name = name, .acells = 2, .scells = 1,
						 .reg = ~0ull };
		return NULL;
	case FDT_END_NODE:
		if (w->depth < ROOT)
			return "device tree: END_NODE without a node";
		end_node(w);
		w->depth--;
		*done = w->depth == 0;
		return NULL;
	case FDT_PROP:
		if (w->depth < ROOT || end - *pos < 8)
			return "device tree: property outside a node";
		len = be32(st + *pos);
		nameoff = be32(st + *pos + 4);
		*pos += 8;
		if (len > end - *pos || nameoff >= w->strings_size)
			return "device tree: property beyond its block";
		name = (const char *)w->blob + w->strings + nameoff;
		bad = prop(w, name, st + *pos, len);
		*pos = (*pos + len + 3) & ~3u;
		return bad;
	case FDT_NOP:
		return NULL;
	case FDT_END:
		return "device tree: ends before its root node closes";
	default:
		return "device tree: unknown token";
	}
}

const char *dt__read(uint64_t dtb, struct guest_boot *b, struct dt_info *dt)
{
	struct walk w = { .blob = (const uint8_t *)dtb, .b = b, .dt = dt };
	uint32_t st, st_size, pos = 0;
	const char *bad;
	bool done = false;

	if (dtb % 8)
		return "device tree: x0 is not 8-byte aligned";
	bad = check_header(w.blob, &st, &st_size);
	if (bad)
		return bad;
	dt->size = be32(w.blob + 4);
	w.strings = be32(w.blob + 12);
	w.strings_size = be32(w.blob + 32);
	/* The root's parent: its cells would size the root's reg (none). */
	w.lv[0] = (struct level){ .acells = 2, .scells = 1, .reg = ~0ull };
	while (!done) {
		if (st_size - pos < 4)
			return "device tree: structure block ends inside the tree";
		bad = step(&w, &pos, st_size, w.blob + st, &done);
		if (bad)
			return bad;
	}
	if (b->initrd_size) {
		if (b->initrd_size < b->initrd)
			return "device tree: linux,initrd-end below linux,initrd-start";
		b->initrd_size -= b->initrd;
	}
	dt->uart = w.stdout_uart ? w.stdout_uart : w.first_uart;
	return NULL;
}

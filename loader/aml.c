#include <stdlib.h>
#include <string.h>

#include "loader/aml.h"
#include "loader/bytes.h"

/* Opcodes (ACPI 6.3, 20.3). */
#define ZERO_OP       0x00
#define ONE_OP        0x01
#define NAME_OP       0x08
#define BYTE_PREFIX   0x0a
#define WORD_PREFIX   0x0b
#define DWORD_PREFIX  0x0c
#define STRING_PREFIX 0x0d
#define QWORD_PREFIX  0x0e
#define SCOPE_OP      0x10
#define BUFFER_OP     0x11
#define PACKAGE_OP    0x12
#define EXT_PREFIX    0x5b
#define DEVICE_OP     0x82      /* after EXT_PREFIX */
#define ROOT_CHAR     '\\'

/* Small resource descriptors (ACPI 6.3, 6.4.2). */
#define RES_IRQ_NOFLAGS 0x22    /* type 4, 2 bytes */
#define RES_IO          0x47    /* type 8, 7 bytes */
#define RES_END         0x79    /* type 15, 1 byte */
#define IO_DECODE16     0x01

enum { OPEN_PLAIN, OPEN_BUFFER };

void aml__init(struct aml *a)
{
	memset(a, 0, sizeof(*a));
}

void aml__exit(struct aml *a)
{
	free(a->buf);
	memset(a, 0, sizeof(*a));
}

/* Makes room for N bytes at POS (the end, or inside for PkgLengths). */
static uint8_t *insert(struct aml *a, size_t pos, size_t n)
{
	if (a->failed || !bytes__reserve(&a->buf, &a->cap, a->len + n)) {
		a->failed = true;
		return NULL;
	}
	memmove(a->buf + pos + n, a->buf + pos, a->len - pos);
	a->len += n;
	return a->buf + pos;
}

static void emit(struct aml *a, const void *p, size_t n)
{
	uint8_t *d = insert(a, a->len, n);

	if (d)
		memcpy(d, p, n);
}

static void emit1(struct aml *a, uint8_t b)
{
	emit(a, &b, 1);
}

static void name_string(struct aml *a, const char *name)
{
	if (name[0] == ROOT_CHAR)
		emit1(a, *name++);
	if (strlen(name) != 4 || !((name[0] >= 'A' && name[0] <= 'Z') || name[0] == '_')) {
		a->failed = true;
		return;
	}
	for (int i = 1; i < 4; i++)
		if (!((name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '_'))
			a->failed = true;
	emit(a, name, 4);
}

static void open_obj(struct aml *a, uint8_t kind)
{
	if (a->depth == AML_MAX_DEPTH) {
		a->failed = true;
		return;
	}
	a->open[a->depth] = a->len;
	a->kind[a->depth++] = kind;
}

void aml__scope_begin(struct aml *a, const char *name)
{
	emit1(a, SCOPE_OP);
	open_obj(a, OPEN_PLAIN);
	name_string(a, name);
}

void aml__device_begin(struct aml *a, const char *name)
{
	emit1(a, EXT_PREFIX);
	emit1(a, DEVICE_OP);
	open_obj(a, OPEN_PLAIN);
	name_string(a, name);
}

void aml__package_begin(struct aml *a, uint8_t count)
{
	emit1(a, PACKAGE_OP);
	open_obj(a, OPEN_PLAIN);
	emit1(a, count);
}

void aml__resources_begin(struct aml *a)
{
	emit1(a, BUFFER_OP);
	open_obj(a, OPEN_BUFFER);
}

/* The integer encoding of V, into P (9 bytes at most); returns its size. */
static size_t int_bytes(uint8_t *p, uint64_t v)
{
	if (v <= 1) {
		p[0] = v ? ONE_OP : ZERO_OP;
		return 1;
	}
	unsigned n = v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffff ? 4 : 8;

	p[0] = n == 1 ? BYTE_PREFIX : n == 2 ? WORD_PREFIX : n == 4 ? DWORD_PREFIX : QWORD_PREFIX;
	bytes__put_le(p + 1, n, v);
	return n + 1;
}

void aml__end(struct aml *a)
{
	uint8_t enc[9];
	size_t start, body, total, n;

	if (!a->depth) {
		a->failed = true;
		return;
	}
	start = a->open[--a->depth];
	if (a->kind[a->depth] == OPEN_BUFFER) {
		uint8_t end[2] = { RES_END, 0 };  /* checksum 0: "valid" */
		size_t sz;

		emit(a, end, sizeof(end));
		sz = int_bytes(enc, a->len - start);
		if (insert(a, start, sz))
			memcpy(a->buf + start, enc, sz);
	}
	/* PkgLength counts itself: one byte up to 63, else 1-3 more bytes,
	 * the low nibble in the lead byte (ACPI 6.3, 20.2.4). */
	body = a->len - start;
	for (n = 1; n <= 4; n++) {
		total = body + n;
		if (total < (n == 1 ? 0x40u : 1u << (4 + 8 * (n - 1))))
			break;
	}
	if (n > 4) {
		a->failed = true;
		return;
	}
	if (n == 1) {
		enc[0] = total;
	} else {
		enc[0] = (n - 1) << 6 | (total & 0xf);
		bytes__put_le(enc + 1, n - 1, total >> 4);
	}
	if (insert(a, start, n))
		memcpy(a->buf + start, enc, n);
}

void aml__name(struct aml *a, const char *name)
{
	emit1(a, NAME_OP);
	name_string(a, name);
}

void aml__int(struct aml *a, uint64_t v)
{
	uint8_t enc[9];

	emit(a, enc, int_bytes(enc, v));
}

void aml__string(struct aml *a, const char *s)
{
	emit1(a, STRING_PREFIX);
	emit(a, s, strlen(s) + 1);
}

static unsigned hex(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

void aml__eisaid(struct aml *a, const char *id)
{
	uint8_t b[4];
	uint16_t vendor;

	if (strlen(id) != 7) {
		a->failed = true;
		return;
	}
	/* Three letters in 5 bits each, then four hex digits, big-endian. */
	vendor = (id[0] - '@') << 10 | (id[1] - '@') << 5 | (id[2] - '@');
	b[0] = vendor >> 8;
	b[1] = vendor;
	b[2] = hex(id[3]) << 4 | hex(id[4]);
	b[3] = hex(id[5]) << 4 | hex(id[6]);
	aml__int(a, bytes__get_le(b, 4));
}

void aml__io(struct aml *a, uint16_t base, uint8_t align, uint8_t len)
{
	uint8_t d[8] = { RES_IO, IO_DECODE16 };

	bytes__put_le(d + 2, 2, base);          /* minimum */
	bytes__put_le(d + 4, 2, base);          /* maximum */
	d[6] = align;
	d[7] = len;
	emit(a, d, sizeof(d));
}

void aml__irq(struct aml *a, uint8_t irq)
{
	uint8_t d[3] = { RES_IRQ_NOFLAGS };

	if (irq > 15)
		a->failed = true;
	bytes__put_le(d + 1, 2, 1u << (irq & 15));
	emit(a, d, sizeof(d));
}

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/acpi.h"
#include "loader/aml.h"
#include "loader/blob.h"
#include "loader/bytes.h"
#include "loader/error.h"
#include "tests/unit/test.h"

/* The table-loader format is checked against QEMU's own blobs
 * (../shared/vectors/acpi: q35 tables, RSDP and script as QEMU emits
 * them), not against acpi.c. */

#define RSDP_GPA   0xf0000ull
#define TABLES_GPA 0x7ffe0000ull

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* Maps a vector into a writable copy. */
static uint8_t *load(const char *name, size_t *len)
{
	struct blob b;
	uint8_t *d;

	ck_assert_msg(blob__open(&b, test__shared(name)) == 0, "%s", err__msg());
	d = malloc(b.size);
	memcpy(d, b.data, b.size);
	*len = b.size;
	blob__close(&b);
	return d;
}

static void link_vector(const char *base)
{
	char path[256];
	size_t slen, rlen, tlen;
	uint8_t *script, *rsdp, *tables;
	struct acpi_placed f[2];
	uint32_t rsdt, n;

	snprintf(path, sizeof(path), "vectors/acpi/%s.table-loader.bin", base);
	script = load(path, &slen);
	snprintf(path, sizeof(path), "vectors/acpi/%s.rsdp.bin", base);
	rsdp = load(path, &rlen);
	snprintf(path, sizeof(path), "vectors/acpi/%s.bin", base);
	tables = load(path, &tlen);
	f[0] = (struct acpi_placed){ ACPI_FILE_RSDP, rsdp, rlen, RSDP_GPA };
	f[1] = (struct acpi_placed){ ACPI_FILE_TABLES, tables, tlen, TABLES_GPA };

	ck_assert_msg(acpi__link(script, slen, f, 2) == 0, "%s: %s", base, err__msg());
	/* A revision-0 RSDP pointing at the RSDT; every table it lists and
	 * the FADT's FACS and DSDT land in the blob with valid checksums. */
	ck_assert_uint_eq(sum(rsdp, 20), 0);
	rsdt = bytes__get_le(rsdp + 16, 4);
	ck_assert_uint_ge(rsdt, TABLES_GPA);
	rsdt -= TABLES_GPA;
	ck_assert_int_eq(memcmp(tables + rsdt, "RSDT", 4), 0);
	ck_assert_uint_eq(sum(tables + rsdt, bytes__get_le(tables + rsdt + 4, 4)), 0);
	n = (bytes__get_le(tables + rsdt + 4, 4) - ACPI_HEADER) / 4;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t t = bytes__get_le(tables + rsdt + ACPI_HEADER + 4 * i, 4) - TABLES_GPA;

		ck_assert_uint_lt(t, tlen);
		ck_assert_uint_eq(sum(tables + t, bytes__get_le(tables + t + 4, 4)), 0);
		if (!memcmp(tables + t, "FACP", 4)) {
			uint32_t dsdt = bytes__get_le(tables + t + 40, 4) - TABLES_GPA;

			ck_assert_uint_eq(bytes__get_le(tables + t + 36, 4), TABLES_GPA);   /* FACS */
			ck_assert_uint_eq(bytes__get_le(tables + t + 140, 8), TABLES_GPA + dsdt);
			ck_assert_int_eq(memcmp(tables + dsdt, "DSDT", 4), 0);
			ck_assert_uint_eq(sum(tables + dsdt, bytes__get_le(tables + dsdt + 4, 4)), 0);
		}
	}
	free(script);
	free(rsdp);
	free(tables);
}

START_TEST(link_qemu_blobs)
{
	link_vector("quex_1c-1g-nic");
	link_vector("quex_1c-nic");
	link_vector("quex_4c-nic");
}
END_TEST

/* A two-blob builder as the x86 one uses it. */
static void small_build(struct acpi_builder *b)
{
	static const uint8_t body[4] = { 1, 2, 3, 4 };
	size_t t[1], tab;

	acpi__init(b);
	acpi__alloc(b, ACPI_FILE_RSDP, 16, ACPI_ZONE_FSEG, 1);
	acpi__alloc(b, ACPI_FILE_TABLES, 64, ACPI_ZONE_HIGH, 0x20000);
	acpi__append(b, 1, NULL, 64);           /* a FACS-sized gap first */
	tab = acpi__table_begin(b, 1, "TEST", 7);
	acpi__append(b, 1, body, sizeof(body));
	acpi__table_end(b, 1, tab);
	t[0] = tab;
	acpi__rsdp(b, 0, 1, acpi__xsdt(b, 1, t, 1));
}

START_TEST(script_matches_qemu_format)
{
	struct acpi_builder b;
	size_t qlen;
	uint8_t *q = load("vectors/acpi/quex_4c-nic.table-loader.bin", &qlen);
	const uint8_t *s;

	small_build(&b);
	ck_assert(!b.failed);
	s = b.script.data;
	ck_assert_uint_eq(b.script.len % ACPI_LOADER_ENTRY, 0);
	/* The two ALLOCATEs are QEMU's to the byte (same files, alignment,
	 * zones). */
	ck_assert_int_eq(memcmp(s, q, 2 * ACPI_LOADER_ENTRY), 0);
	/* TEST's checksum: QEMU's layout (result, start, length at 60/64/68). */
	s += 2 * ACPI_LOADER_ENTRY;
	ck_assert_uint_eq(bytes__get_le(s, 4), ACPI_LOADER_ADD_CHECKSUM);
	ck_assert_str_eq((const char *)s + 4, ACPI_FILE_TABLES);
	ck_assert_uint_eq(bytes__get_le(s + 60, 4), 64 + 9);
	ck_assert_uint_eq(bytes__get_le(s + 64, 4), 64);
	ck_assert_uint_eq(bytes__get_le(s + 68, 4), ACPI_HEADER + 4);
	/* The XSDT's entry: ADD_POINTER tables -> tables, at 116/120. */
	s += ACPI_LOADER_ENTRY;
	ck_assert_uint_eq(bytes__get_le(s, 4), ACPI_LOADER_ADD_POINTER);
	ck_assert_str_eq((const char *)s + 4, ACPI_FILE_TABLES);
	ck_assert_str_eq((const char *)s + 60, ACPI_FILE_TABLES);
	ck_assert_uint_eq(bytes__get_le(s + 116, 4), 64 + ACPI_HEADER + 4 + ACPI_HEADER);
	ck_assert_uint_eq(s[120], 8);
	/* Unlinked, the pointer holds the pointee's offset; checksums are 0. */
	ck_assert_uint_eq(bytes__get_le(b.blob[1].data + 64 + 40 + 36, 8), 64);
	ck_assert_uint_eq(b.blob[1].data[64 + 9], 0);
	ck_assert_uint_eq(b.blob[0].len, ACPI_RSDP_SIZE);
	ck_assert_int_eq(memcmp(b.blob[0].data, "RSD PTR ", 8), 0);
	ck_assert_uint_eq(b.blob[0].data[15], 2);
	ck_assert_uint_eq(bytes__get_le(b.blob[0].data + 24, 8), 64 + ACPI_HEADER + 4);
	ck_assert_uint_eq(b.blob[0].data[8], 0);
	ck_assert_uint_eq(b.blob[0].data[32], 0);
	acpi__exit(&b);
	free(q);
}
END_TEST

START_TEST(fw_cfg_files_padded_as_qemu)
{
	struct acpi_builder b;
	struct fw_cfg_list l;
	struct plan p;

	small_build(&b);
	plan__init(&p);
	fw_cfg_list__init(&l);
	ck_assert_int_eq(acpi__fw_cfg(&b, &p, &l), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.items[0].name, ACPI_FILE_RSDP);
	ck_assert_uint_eq(l.items[0].len, ACPI_RSDP_SIZE);
	ck_assert_str_eq(l.items[1].name, ACPI_FILE_TABLES);
	ck_assert_uint_eq(l.items[1].len, 0x20000);
	ck_assert_int_eq(memcmp(l.items[1].data, b.blob[1].data, b.blob[1].len), 0);
	for (size_t i = b.blob[1].len; i < 0x20000; i++)
		ck_assert_uint_eq(l.items[1].data[i], 0);
	ck_assert_str_eq(l.items[2].name, ACPI_FILE_LOADER);
	ck_assert_uint_eq(l.items[2].len, 4096);
	ck_assert_uint_eq(l.items[2].key, 0);
	ck_assert_ptr_eq(fw_cfg_list__find(&l, 0, ACPI_FILE_LOADER), &l.items[2]);
	fw_cfg_list__exit(&l);
	plan__exit(&p);
	acpi__exit(&b);
}
END_TEST

START_TEST(place_links_at_addresses)
{
	static const uint64_t gpa[2] = { 0xf0000, 0x100000 };
	struct acpi_builder b;
	struct acpi_placed out[2];
	struct plan p;
	const uint8_t *x;

	small_build(&b);
	plan__init(&p);
	ck_assert_int_eq(acpi__place(&b, &p, gpa, out), 0);
	ck_assert_uint_eq(out[1].len, b.blob[1].len);   /* unpadded */
	ck_assert_uint_eq(sum(out[0].data, 20), 0);
	ck_assert_uint_eq(sum(out[0].data, 36), 0);
	ck_assert_uint_eq(bytes__get_le(out[0].data + 24, 8), 0x100000 + 64 + ACPI_HEADER + 4);
	x = out[1].data + 64 + ACPI_HEADER + 4;
	ck_assert_int_eq(memcmp(x, "XSDT", 4), 0);
	ck_assert_uint_eq(sum(x, ACPI_HEADER + 8), 0);
	ck_assert_uint_eq(bytes__get_le(x + ACPI_HEADER, 8), 0x100000 + 64);
	ck_assert_uint_eq(sum(out[1].data + 64, ACPI_HEADER + 4), 0);
	/* The builder's own blobs stay unlinked. */
	ck_assert_uint_eq(b.blob[0].data[8], 0);
	plan__exit(&p);
	acpi__exit(&b);
}
END_TEST

/* A script of one command after the two ALLOCATEs of small_build(). */
static int link_one(struct acpi_builder *b, const uint8_t *cmd, uint64_t rsdp_gpa,
		    uint64_t tables_gpa)
{
	uint8_t script[3 * ACPI_LOADER_ENTRY];
	uint8_t r[ACPI_RSDP_SIZE], t[256];
	struct acpi_placed f[2] = {
		{ ACPI_FILE_RSDP, r, sizeof(r), rsdp_gpa },
		{ ACPI_FILE_TABLES, t, sizeof(t), tables_gpa },
	};

	memset(r, 0, sizeof(r));
	memcpy(r, "RSD ", 4);                   /* a value no pointer may hold */
	memset(t, 0, sizeof(t));
	memcpy(script, b->script.data, 2 * ACPI_LOADER_ENTRY);
	memcpy(script + 2 * ACPI_LOADER_ENTRY, cmd, ACPI_LOADER_ENTRY);
	return acpi__link(script, sizeof(script), f, 2);
}

static void cmd_pointer(uint8_t *c, const char *from, const char *to, uint32_t off, uint8_t size)
{
	memset(c, 0, ACPI_LOADER_ENTRY);
	c[0] = ACPI_LOADER_ADD_POINTER;
	strcpy((char *)c + 4, from);
	strcpy((char *)c + 60, to);
	bytes__put_le(c + 116, 4, off);
	c[120] = size;
}

static void cmd_checksum(uint8_t *c, uint32_t result, uint32_t start, uint32_t len)
{
	memset(c, 0, ACPI_LOADER_ENTRY);
	c[0] = ACPI_LOADER_ADD_CHECKSUM;
	strcpy((char *)c + 4, ACPI_FILE_TABLES);
	bytes__put_le(c + 60, 4, result);
	bytes__put_le(c + 64, 4, start);
	bytes__put_le(c + 68, 4, len);
}

START_TEST(link_refuses_bad_scripts)
{
	struct acpi_builder b;
	uint8_t c[ACPI_LOADER_ENTRY];
	uint8_t r[ACPI_RSDP_SIZE], t[256];
	struct acpi_placed f[2] = {
		{ ACPI_FILE_RSDP, r, sizeof(r), RSDP_GPA },
		{ ACPI_FILE_TABLES, t, sizeof(t), TABLES_GPA },
	};

	memset(r, 0, sizeof(r));
	memset(t, 0, sizeof(t));
	small_build(&b);
	/* Fine as a baseline, and zero commands are padding. */
	memset(c, 0, sizeof(c));
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), 0);
	cmd_pointer(c, ACPI_FILE_RSDP, ACPI_FILE_TABLES, 24, 8);
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), 0);

	/* Placement: misaligned, outside the F segment. */
	memset(c, 0, sizeof(c));
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA + 8, TABLES_GPA), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "16-byte aligned"));
	ck_assert_int_eq(link_one(&b, c, 0x1000, TABLES_GPA), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "F segment"));
	ck_assert_int_eq(link_one(&b, c, 0xffff0, TABLES_GPA), -1);     /* runs past 1 MiB */

	/* Pointers: bad size, field outside the blob, value outside the
	 * pointee, a result that does not fit, unknown files. */
	cmd_pointer(c, ACPI_FILE_RSDP, ACPI_FILE_TABLES, 24, 3);
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), -1);
	cmd_pointer(c, ACPI_FILE_RSDP, ACPI_FILE_TABLES, 32, 8);
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), -1);
	cmd_pointer(c, ACPI_FILE_RSDP, ACPI_FILE_TABLES, UINT32_MAX, 8);
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), -1);
	cmd_pointer(c, ACPI_FILE_RSDP, ACPI_FILE_TABLES, 0, 4);  /* "RSD " >= 256 */
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "pointer value"));
	cmd_pointer(c, ACPI_FILE_RSDP, ACPI_FILE_TABLES, 24, 2);
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, 0x10000), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "does not fit"));
	cmd_pointer(c, ACPI_FILE_RSDP, "etc/other", 24, 8);
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), -1);
	cmd_pointer(c, "etc/other", ACPI_FILE_TABLES, 24, 8);
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), -1);
	memset(c + 4, 'x', ACPI_LOADER_NAME);   /* unterminated name */
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), -1);

	/* Checksums outside the blob. */
	cmd_checksum(c, 256, 0, 1);
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), -1);
	cmd_checksum(c, 0, 200, 57);
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), -1);
	cmd_checksum(c, 0, UINT32_MAX, 2);
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), -1);
	cmd_checksum(c, 0, 0, 256);
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), 0);

	/* Unknown commands (WRITE_POINTER included), a second ALLOCATE, a
	 * bad alignment or zone, a use before ALLOCATE, a ragged script. */
	memset(c, 0, sizeof(c));
	c[0] = 4;
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "unsupported command 4"));
	memcpy(c, b.script.data, ACPI_LOADER_ENTRY);
	ck_assert_int_eq(link_one(&b, c, RSDP_GPA, TABLES_GPA), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "allocated twice"));
	ck_assert_int_eq(acpi__link(b.script.data + ACPI_LOADER_ENTRY, ACPI_LOADER_ENTRY, f, 2), 0);
	c[60] = 3;                              /* alignment 3 */
	ck_assert_int_eq(acpi__link(c, sizeof(c), f, 2), -1);
	memcpy(c, b.script.data, ACPI_LOADER_ENTRY);
	c[64] = 9;                              /* zone 9 */
	ck_assert_int_eq(acpi__link(c, sizeof(c), f, 2), -1);
	cmd_checksum(c, 0, 0, 1);
	ck_assert_int_eq(acpi__link(c, sizeof(c), f, 2), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "unallocated"));
	ck_assert_int_eq(acpi__link(b.script.data, ACPI_LOADER_ENTRY + 1, f, 2), -1);
	acpi__exit(&b);
}
END_TEST

/* AML encodings (ACPI 6.3, chapter 20), byte for byte. */
START_TEST(aml_encodings)
{
	static const uint8_t want[] = {
		0x10, 0x0c, '\\', '_', 'S', 'B', '_',           /* Scope (\_SB), PkgLength 12 */
		0x08, '_', 'U', 'I', 'D', 0x00,                 /* Name (_UID, Zero) */
		0x08, 'X', '_', '_', '_', 0x12, 0x16, 0x05,     /* Name (X, Package (5) { */
		0x01, 0x0a, 0x02, 0x0b, 0x00, 0x01,             /*   One, 2, 0x100, */
		0x0c, 0x00, 0x00, 0x01, 0x00,                   /*   0x10000, */
		0x0e, 0, 0, 0, 0, 1, 0, 0, 0,                   /*   0x100000000 }) */
		0x08, 'I', 'D', '_', '_', 0x0c, 0x41, 0xd0, 0x05, 0x01,   /* EisaId ("PNP0501") */
		0x08, 'R', '_', '_', '_', 0x11, 0x10, 0x0a, 0x0d,         /* Buffer (13) { */
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08, /*   IO (Decode16, 0x3f8, ...) */
		0x22, 0x10, 0x00,                               /*   IRQNoFlags () {4} */
		0x79, 0x00,                                     /*   EndTag } */
	};
	struct aml a;

	aml__init(&a);
	aml__scope_begin(&a, "\\_SB_");
	aml__name(&a, "_UID");
	aml__int(&a, 0);
	aml__end(&a);
	aml__name(&a, "X___");
	aml__package_begin(&a, 5);
	aml__int(&a, 1);
	aml__int(&a, 2);
	aml__int(&a, 0x100);
	aml__int(&a, 0x10000);
	aml__int(&a, 0x100000000ull);
	aml__end(&a);
	aml__name(&a, "ID__");
	aml__eisaid(&a, "PNP0501");
	aml__name(&a, "R___");
	aml__resources_begin(&a);
	aml__io(&a, 0x3f8, 0, 8);
	aml__irq(&a, 4);
	aml__end(&a);
	ck_assert(!a.failed);
	ck_assert_uint_eq(a.len, sizeof(want));
	ck_assert_int_eq(memcmp(a.buf, want, sizeof(want)), 0);
	aml__exit(&a);
}
END_TEST

/* PkgLength: 1 byte up to 63 in all, then 2 (to 4095), 3 (to 2^20 - 1). */
static void pkglength_case(size_t body, const uint8_t *enc, size_t n)
{
	struct aml a;

	aml__init(&a);
	aml__package_begin(&a, 0);
	for (size_t i = 1; i < body; i++)       /* the count byte is body too */
		aml__int(&a, 0);
	aml__end(&a);
	ck_assert(!a.failed);
	ck_assert_uint_eq(a.len, 1 + n + body);
	ck_assert_int_eq(memcmp(a.buf + 1, enc, n), 0);
	aml__exit(&a);
}

START_TEST(aml_pkglength)
{
	pkglength_case(62, (const uint8_t[]){ 63 }, 1);
	pkglength_case(63, (const uint8_t[]){ 0x41, 0x04 }, 2);          /* 65 */
	pkglength_case(4093, (const uint8_t[]){ 0x4f, 0xff }, 2);        /* 4095 */
	pkglength_case(4094, (const uint8_t[]){ 0x81, 0x00, 0x01 }, 3);  /* 4097 */
}
END_TEST

START_TEST(aml_refuses)
{
	struct aml a;

	aml__init(&a);
	aml__name(&a, "toolong");
	ck_assert(a.failed);
	aml__exit(&a);
	aml__init(&a);
	aml__name(&a, "1ABC");                  /* a NameSeg starts with a letter or _ */
	ck_assert(a.failed);
	aml__exit(&a);
	aml__init(&a);
	aml__end(&a);                           /* nothing open */
	ck_assert(a.failed);
	aml__exit(&a);
	aml__init(&a);
	aml__irq(&a, 16);
	ck_assert(a.failed);
	aml__exit(&a);
	aml__init(&a);
	for (int i = 0; i <= AML_MAX_DEPTH; i++)
		aml__package_begin(&a, 1);
	ck_assert(a.failed);
	aml__exit(&a);
}
END_TEST

static Suite *acpi_suite(void)
{
	Suite *s = suite_create("acpi");
	TCase *t = tcase_create("loader");

	tcase_add_test(t, link_qemu_blobs);
	tcase_add_test(t, script_matches_qemu_format);
	tcase_add_test(t, fw_cfg_files_padded_as_qemu);
	tcase_add_test(t, place_links_at_addresses);
	tcase_add_test(t, link_refuses_bad_scripts);
	tcase_add_test(t, aml_encodings);
	tcase_add_test(t, aml_pkglength);
	tcase_add_test(t, aml_refuses);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(acpi_suite)

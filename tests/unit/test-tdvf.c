/* TDVF metadata parsing on images built in memory, good and hostile, and
 * the TDX plan built from such images (AUG, padding, td-shim sections). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/error.h"
#include "loader/tdvf.h"
#include "loader/tdx.h"
#include "measure/mrtd.h"
#include "tests/unit/fw-image.h"
#include "tests/unit/test.h"

#define IMG_SIZE  0x10000
#define DESC_OFF  0x8000

struct sec {
	uint32_t off, raw;
	uint64_t gpa, size;
	uint32_t type, attr;
};

static void put64(uint8_t *p, uint64_t v)
{
	fw_image__put32(p, v);
	fw_image__put32(p + 4, v >> 32);
}

/* An image whose footer table holds one TDX_METADATA_OFFSET entry pointing
 * at a descriptor at DESC_OFF with sections S; free() it. */
static uint8_t *image(const struct sec *s, uint32_t n)
{
	struct fw_image m;
	uint8_t *d;

	fw_image__init(&m, IMG_SIZE);
	fw_image__u32(&m, &ovmf_guid_tdx_metadata, IMG_SIZE - DESC_OFF);
	fw_image__close(&m);
	memset(m.b, 0xa5, DESC_OFF);            /* file bytes for BFV/CFV */
	d = m.b + DESC_OFF;
	memcpy(d, "TDVF", 4);
	fw_image__put32(d + 4, 16 + 32 * n);
	fw_image__put32(d + 8, 1);
	fw_image__put32(d + 12, n);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *e = d + 16 + 32 * i;

		fw_image__put32(e, s[i].off);
		fw_image__put32(e + 4, s[i].raw);
		put64(e + 8, s[i].gpa);
		put64(e + 16, s[i].size);
		fw_image__put32(e + 24, s[i].type);
		fw_image__put32(e + 28, s[i].attr);
	}
	return m.b;
}

static const struct sec good[] = {
	{ 0x1000, 0x3000, 0xfffc0000, 0x4000, TDVF_BFV, TDVF_ATTR_MR_EXTEND },
	{ 0, 0x1000, 0xfffbf000, 0x1000, TDVF_CFV, 0 },
	{ 0, 0, 0x809000, 0x2000, TDVF_TD_HOB, 0 },
	{ 0, 0, 0x800000, 0x6000, TDVF_TEMP_MEM, 0 },
	{ 0, 0, 0x900000, 0x10000, TDVF_PERM_MEM, TDVF_ATTR_PAGE_AUG },
};
#define NGOOD 5

static int parse(const uint8_t *img, struct tdvf *t, bool required)
{
	struct ovmf o;

	ck_assert_int_eq(ovmf__parse(&o, "fw.fd", img, IMG_SIZE), 0);
	return tdvf__parse(t, &o, required);
}

START_TEST(good_image)
{
	uint8_t *img = image(good, NGOOD);
	struct tdvf t;

	ck_assert_int_eq(parse(img, &t, true), 0);
	ck_assert_uint_eq(t.nsections, NGOOD);
	ck_assert_uint_eq(t.sections[0].gpa, 0xfffc0000);
	ck_assert_uint_eq(t.sections[0].raw_size, 0x3000);
	ck_assert_uint_eq(t.sections[4].attributes, TDVF_ATTR_PAGE_AUG);
	ck_assert_ptr_eq(tdvf__find(&t, TDVF_TD_HOB), &t.sections[2]);
	ck_assert_ptr_null(tdvf__find(&t, TDVF_PAYLOAD));
	ck_assert_str_eq(tdvf__type_name(TDVF_TEMP_MEM), "TempMem");
	ck_assert_str_eq(tdvf__type_name(TDVF_TD_PARAMS), "TD_PARAMS");
	ck_assert_str_eq(tdvf__type_name(42), "?");
	free(img);
}
END_TEST

START_TEST(print_text_and_json)
{
	uint8_t *img = image(good, NGOOD);
	char *buf;
	size_t len;
	struct tdvf t;
	FILE *f;

	ck_assert_int_eq(parse(img, &t, true), 0);
	f = open_memstream(&buf, &len);
	tdvf__print(f, &t, false);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "TDVF section 0: BFV"));
	ck_assert_ptr_nonnull(strstr(buf, "gpa 0xfffc0000+0x4000 MR_EXTEND\n"));
	ck_assert_ptr_nonnull(strstr(buf, "TDVF section 4: PermMem"));
	ck_assert_ptr_nonnull(strstr(buf, "PAGE_AUG\n"));
	free(buf);

	f = open_memstream(&buf, &len);
	tdvf__print(f, &t, true);
	fclose(f);
	ck_assert_int_eq(buf[0], '[');
	ck_assert_ptr_nonnull(strstr(buf, "{\"index\": 0, \"type\": \"BFV\", \"data_offset\": 4096, "
				     "\"raw_size\": 12288, \"gpa\": 4294705152, \"mem_size\": 16384, "
				     "\"attributes\": [\"MR_EXTEND\"]}"));
	ck_assert_ptr_nonnull(strstr(buf, "\"attributes\": [\"PAGE_AUG\"]}]"));
	free(buf);

	/* An image without metadata prints an empty list. */
	memset(img + IMG_SIZE - 32 - 18, 0, 18);
	ck_assert_int_eq(parse(img, &t, false), 0);
	ck_assert_uint_eq(t.nsections, 0);
	f = open_memstream(&buf, &len);
	tdvf__print(f, &t, true);
	fclose(f);
	ck_assert_str_eq(buf, "[]");
	free(buf);
	free(img);
}
END_TEST

START_TEST(absent_metadata)
{
	uint8_t *img = image(good, NGOOD);
	struct tdvf t;

	/* Corrupt the entry's GUID: the table is fine, the entry unknown. */
	img[IMG_SIZE - 32 - 18 - 16] ^= 0xff;
	ck_assert_int_eq(parse(img, &t, false), 0);
	ck_assert_uint_eq(t.nsections, 0);
	ck_assert_int_eq(parse(img, &t, true), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "fw.fd: TDX metadata"));
	free(img);
}
END_TEST

/* Each hostile descriptor: the byte patch and a word the message must hold. */
START_TEST(hostile_descriptor)
{
	static const struct {
		size_t off;
		uint32_t val;
		const char *want;
	} cases[] = {
		{ DESC_OFF, 0x46564455, "Signature" },
		{ DESC_OFF + 8, 2, "Version" },
		{ DESC_OFF + 12, 1, "NumberOfSectionEntries" },
		{ DESC_OFF + 12, 65, "NumberOfSectionEntries" },
		{ DESC_OFF + 4, 16 + 32 * NGOOD + 4, "Length" },
		/* the entry's from-end offset: outside the image, then too
		 * close to the end for the sections */
		{ IMG_SIZE - 32 - 18 - 22, IMG_SIZE + 0x1000, "outside the image" },
		{ IMG_SIZE - 32 - 18 - 22, 0x60, "run past the end" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *img = image(good, NGOOD);
		struct tdvf t;

		fw_image__put32(img + cases[i].off, cases[i].val);
		if (cases[i].val == 0x60)       /* keep a valid header at the new place */
			memcpy(img + IMG_SIZE - 0x60, img + DESC_OFF, 16);
		ck_assert_int_eq(parse(img, &t, true), -1);
		ck_assert_msg(strstr(err__msg(), cases[i].want) && strstr(err__msg(), "fw.fd"),
			      "case %zu: %s", i, err__msg());
		ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
		ck_assert_uint_eq(t.nsections, 0);
		free(img);
	}
}
END_TEST

START_TEST(hostile_sections)
{
	static const struct {
		struct sec s;
		const char *want;
	} cases[] = {
		{ { 0, 0, 0x800800, 0x1000, TDVF_TEMP_MEM, 0 }, "section 1 (TempMem) MemoryAddress" },
		{ { 0, 0, 0x800000, 0x1800, TDVF_TEMP_MEM, 0 }, "section 1 (TempMem) MemoryDataSize" },
		{ { 0, 0, 0x800000, 0, TDVF_TEMP_MEM, 0 }, "MemoryDataSize" },
		{ { 0, 0x2000, 0xfff00000, 0x1000, TDVF_CFV, 0 }, "smaller than RawDataSize" },
		{ { 0xf000, 0x2000, 0xfff00000, 0x2000, TDVF_CFV, 0 }, "section 1 (CFV) DataOffset" },
		{ { 0xffffffff, 0x1000, 0xfff00000, 0x1000, TDVF_CFV, 0 }, "DataOffset" },
		{ { 0, 0, 0xfffffffffffff000ull, 0x2000, TDVF_TEMP_MEM, 0 }, "wraps" },
		{ { 0, 0x1000, 0xfffff000, 0x2000, TDVF_CFV, 0 }, "above 4 GiB" },
		{ { 0, 0, 0xfff00000, 0x1000, TDVF_BFV, 1 }, "section 1 (BFV) RawDataSize" },
		{ { 0, 0x1000, 0x809000, 0x1000, TDVF_TD_HOB, 0 }, "section 1 (TD_HOB) RawDataSize" },
		{ { 0, 0, 0x800000, 0x1000, 9, 0 }, "section 1 Type: unknown type 9" },
		{ { 0, 0, 0x800000, 0x1000, TDVF_TEMP_MEM, 4 }, "Attributes: unknown bits 0x4" },
		{ { 0, 0, 0x800000, 0x1000, TDVF_TEMP_MEM, 3 }, "MR_EXTEND on a PAGE_AUG" },
		/* MRTD once read past the HOB buffer for the second one */
		{ { 0, 0, 0x900000, 0x10000, TDVF_TD_HOB, 0 }, "section 1 (TD_HOB) Type: a second TD_HOB" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sec s[2] = { good[2], cases[i].s };
		uint8_t *img = image(s, 2);
		struct tdvf t;

		ck_assert_int_eq(parse(img, &t, true), -1);
		ck_assert_msg(strstr(err__msg(), cases[i].want) && !strncmp(err__msg(), "fw.fd: ", 7),
			      "case %zu: %s", i, err__msg());
		free(img);
	}
}
END_TEST

/* The plan builder maps a file: write the image to a temporary one. */
static char *write_image(const struct sec *s, uint32_t n)
{
	char *path = strdup("/tmp/cvm-test-tdvf-XXXXXX");
	uint8_t *img = image(s, n);
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, img, IMG_SIZE), IMG_SIZE);
	close(fd);
	free(img);
	return path;
}

START_TEST(plan_from_sections)
{
	char *path = write_image(good, NGOOD);
	struct tdx_launch cfg = { path, 64ull << 20 };
	struct tdx_layout l;
	uint8_t mrtd[48];
	struct plan p;

	plan__init(&p);
	ck_assert_msg(tdx__build_plan(&p, &cfg, &l) == 0, "%s", err__msg());
	ck_assert_uint_eq(p.nops, NGOOD);
	ck_assert_int_eq(p.ops[0].kind, PLAN_TDX_EXTEND);
	/* BFV: 0x3000 file bytes then a zero page, which is not allocated */
	ck_assert_uint_eq(p.ops[0].len, 0x4000);
	ck_assert_uint_eq(p.ops[0].data_len, 0x3000);
	ck_assert_int_eq(p.ops[0].data[0x2fff], 0xa5);
	ck_assert_int_eq(p.ops[4].kind, PLAN_TDX_AUG);
	ck_assert_int_eq(mrtd__replay(&p, MRTD_SINGLE_PASS, mrtd), 0);
	plan__exit(&p);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(plan_rejects)
{
	static const struct {
		struct sec s;
		const char *want;
	} cases[] = {
		{ { 0, 0, 0xa00000, 0x1000, TDVF_PAYLOAD, 0 }, "section 2 (Payload): filled by the VMM" },
		{ { 0, 0, 0xa00000, 0x1000, TDVF_TD_PARAMS, 0 }, "(TD_PARAMS)" },
		/* overlapping the TD HOB: both added, the plan refuses */
		{ { 0x1000, 0x1000, 0x80a000, 0x1000, TDVF_PAYLOAD, 0 }, "overlaps" },
		/* a second TempMem straddling the TD HOB's accepted range */
		{ { 0, 0, 0x808000, 0x2000, TDVF_TEMP_MEM, 0 }, "not inside guest RAM" },
		/* sizes beyond the guest's RAM: one line, before any work */
		{ { 0x1000, 0x1000, 0x1000000, 0x400000000ull, TDVF_PAYLOAD, TDVF_ATTR_MR_EXTEND },
		  "section 2 (Payload) [0x1000000, 0x401000000) is outside the guest's RAM" },
		{ { 0, 0, 0x1000000, 0x100000000000ull, TDVF_TEMP_MEM, 0 }, "outside the guest's RAM" },
		{ { 0, 0, 0x1000000, 0x100000000000ull, TDVF_PERM_MEM, TDVF_ATTR_PAGE_AUG },
		  "outside the guest's RAM" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sec s[3] = { good[0], good[2], cases[i].s };
		char *path = write_image(s, 3);
		struct tdx_launch cfg = { path, 64ull << 20 };
		struct tdx_layout l;
		struct plan p;

		plan__init(&p);
		ck_assert_int_eq(tdx__build_plan(&p, &cfg, &l), -1);
		ck_assert_msg(strstr(err__msg(), cases[i].want), "case %zu: %s", i, err__msg());
		plan__exit(&p);
		unlink(path);
		free(path);
	}
}
END_TEST

/* Sections larger than their bytes cost no memory: a TD_HOB of 16 TiB in a
 * guest that has the RAM is planned with the HOB's bytes only (ASan would
 * refuse a 16 TiB allocation), a Payload's padding is not copied. */
START_TEST(plan_huge_sections_unallocated)
{
	struct sec s[3] = {
		good[0],
		{ 0, 0, 0x100000000ull, 0x100000000000ull, TDVF_TD_HOB, 0 },
		{ 0x1000, 0x1000, 0x1000000, 0x40000000, TDVF_PAYLOAD, 0 },
	};
	char *path = write_image(s, 3);
	struct tdx_launch cfg = { path, 0x200000000000ull };
	struct tdx_layout l;
	struct plan p;

	plan__init(&p);
	ck_assert_msg(tdx__build_plan(&p, &cfg, &l) == 0, "%s", err__msg());
	ck_assert_uint_eq(p.ops[1].len, 0x100000000000ull);
	ck_assert_uint_eq(p.ops[1].data_len, l.hob_len);
	ck_assert_ptr_eq(p.ops[1].data, l.hob);
	ck_assert_uint_eq(p.ops[2].data_len, 0x1000);
	ck_assert_ptr_eq(p.ops[2].data, l.firmware.data + 0x1000);
	plan__exit(&p);
	unlink(path);
	free(path);
}
END_TEST

static Suite *tdvf_suite(void)
{
	Suite *s = suite_create("tdvf");
	TCase *t = tcase_create("metadata");
	TCase *pl = tcase_create("plan");

	tcase_add_test(t, good_image);
	tcase_add_test(t, print_text_and_json);
	tcase_add_test(t, absent_metadata);
	tcase_add_test(t, hostile_descriptor);
	tcase_add_test(t, hostile_sections);
	tcase_add_test(pl, plan_from_sections);
	tcase_add_test(pl, plan_rejects);
	tcase_add_test(pl, plan_huge_sections_unallocated);
	suite_add_tcase(s, t);
	suite_add_tcase(s, pl);
	return s;
}

TEST_SUITE(tdvf_suite)

#include <string.h>

#include "loader/blob.h"
#include "loader/error.h"
#include "loader/ovmf.h"
#include "tests/unit/fw-image.h"
#include "tests/unit/test.h"

#define IMG 4096

static void img_std(struct fw_image *m)
{
	fw_image__init(m, IMG);
	fw_image__u32(m, &ovmf_guid_sev_es_reset, 0x80b004);
	fw_image__u32x2(m, &ovmf_guid_sev_secret, 0x810000, 0xc00);
	fw_image__u32(m, &ovmf_guid_sev_metadata, 0x100);
	fw_image__close(m);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = v;
	p[1] = v >> 8;
}

/* Parsing M fails with one line naming the file and FIELD; frees M. */
static void expect_err(struct fw_image *m, const char *field)
{
	struct ovmf o;

	err__clear();
	ck_assert_int_eq(ovmf__parse(&o, "fw.fd", m->b, m->size), -1);
	fw_image__free(m);
	ck_assert_msg(strstr(err__msg(), "fw.fd: ") == err__msg(), "%s", err__msg());
	ck_assert_msg(strstr(err__msg(), field), "%s lacks %s", err__msg(), field);
	ck_assert_ptr_null(strchr(err__msg(), '\n'));
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
}

START_TEST(walks_entries_backwards)
{
	struct fw_image m;
	struct ovmf o;
	const uint8_t *p;
	size_t len;

	img_std(&m);
	ck_assert_int_eq(ovmf__parse(&o, "fw.fd", m.b, IMG), 0);
	ck_assert_uint_eq(o.nentries, 3);
	ck_assert(guid__eq(&ovmf_guid_sev_es_reset, o.entries[0].guid));
	ck_assert(guid__eq(&ovmf_guid_sev_metadata, o.entries[2].guid));
	p = ovmf__find(&o, &ovmf_guid_sev_secret, &len);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(p[2], 0x81);
	ck_assert_ptr_null(ovmf__find(&o, &ovmf_guid_tdx_metadata, &len));
	p = ovmf__from_end(&o, &ovmf_guid_sev_metadata, 16, "SEV metadata", 1);
	ck_assert_ptr_eq(p, m.b + IMG - 0x100);
	fw_image__free(&m);
}
END_TEST

START_TEST(no_table_is_not_an_error)
{
	static const uint8_t zeros[IMG];
	struct ovmf o;

	ck_assert_int_eq(ovmf__parse(&o, "fw.fd", zeros, IMG), 0);
	ck_assert_uint_eq(o.nentries, 0);
	ck_assert_int_eq(ovmf__parse(&o, "fw.fd", zeros, 49), 0);
	ck_assert_uint_eq(o.nentries, 0);
	ck_assert_int_eq(ovmf__parse(&o, "fw.fd", NULL, 0), 0);
	err__clear();
	ck_assert_ptr_null(ovmf__from_end(&o, &ovmf_guid_sev_metadata, 16, "SEV metadata", 0));
	ck_assert_str_eq(err__msg(), "unknown error");
	ck_assert_ptr_null(ovmf__from_end(&o, &ovmf_guid_sev_metadata, 16, "SEV metadata", 1));
	ck_assert_ptr_nonnull(strstr(err__msg(), "fw.fd: SEV metadata"));
}
END_TEST

START_TEST(hostile_tables)
{
	struct fw_image m;

	/* Table length smaller than the footer itself. */
	img_std(&m);
	put16(m.b + IMG - 50, 10);
	expect_err(&m, "footer table length");

	/* Table length reaching before the image start. */
	img_std(&m);
	put16(m.b + IMG - 50, 0xffff);
	expect_err(&m, "footer table length");

	/* An entry length below 18. */
	fw_image__init(&m, IMG);
	fw_image__add(&m, &ovmf_guid_sev_es_reset, "abcd", 4, 17);
	fw_image__close(&m);
	expect_err(&m, "entry 0 length");

	/* An entry length reaching below the table start. */
	fw_image__init(&m, IMG);
	fw_image__u32(&m, &ovmf_guid_sev_es_reset, 1);
	fw_image__add(&m, &ovmf_guid_sev_secret, "abcd", 4, 40);
	fw_image__close(&m);
	expect_err(&m, "entry 1 length");

	/* Truncated: the table is 4 bytes longer than its entries. */
	fw_image__init(&m, IMG);
	fw_image__u32(&m, &ovmf_guid_sev_es_reset, 1);
	m.cursor -= 4;
	fw_image__close(&m);
	expect_err(&m, "entry 1: truncated");
}
END_TEST

START_TEST(too_many_entries)
{
	struct fw_image m;
	struct ovmf o;

	fw_image__init(&m, IMG);
	for (int i = 0; i < OVMF_MAX_ENTRIES; i++)
		fw_image__u32(&m, &ovmf_guid_sev_es_reset, i);
	fw_image__close(&m);
	ck_assert_int_eq(ovmf__parse(&o, "fw.fd", m.b, IMG), 0);
	ck_assert_uint_eq(o.nentries, OVMF_MAX_ENTRIES);
	fw_image__u32(&m, &ovmf_guid_sev_es_reset, 99);
	fw_image__close(&m);
	expect_err(&m, "more than 32 entries");
}
END_TEST

START_TEST(from_end_outside_image)
{
	struct fw_image m;
	struct ovmf o;

	fw_image__init(&m, IMG);
	fw_image__u32(&m, &ovmf_guid_sev_metadata, IMG + 1);
	fw_image__u32(&m, &ovmf_guid_tdx_metadata, 8);
	fw_image__add(&m, &ovmf_guid_svsm_info, "ab", 2, 20);
	fw_image__close(&m);
	ck_assert_int_eq(ovmf__parse(&o, "fw.fd", m.b, IMG), 0);
	ck_assert_ptr_null(ovmf__from_end(&o, &ovmf_guid_sev_metadata, 16, "SEV metadata", 1));
	ck_assert_ptr_nonnull(strstr(err__msg(), "fw.fd: SEV metadata offset"));
	/* 8 bytes from the end cannot hold a 16-byte header. */
	ck_assert_ptr_null(ovmf__from_end(&o, &ovmf_guid_tdx_metadata, 16, "TDVF metadata", 1));
	ck_assert_ptr_nonnull(strstr(err__msg(), "fw.fd: TDVF metadata offset"));
	ck_assert_ptr_nonnull(ovmf__from_end(&o, &ovmf_guid_tdx_metadata, 8, "TDVF metadata", 1));
	/* A payload too short to hold the offset. */
	ck_assert_ptr_null(ovmf__from_end(&o, &ovmf_guid_svsm_info, 1, "SVSM info", 1));
	ck_assert_ptr_nonnull(strstr(err__msg(), "need 4"));
	fw_image__free(&m);
}
END_TEST

START_TEST(real_images)
{
	static const struct {
		const char *path;
		uint32_t reset_eip;
		int has_asev;
	} imgs[] = {
		{ "vectors/firmware/OVMF.amdsev.fd", 0x80b004, 1 },
		{ "vectors/firmware/OVMF.inteltdx.ms.fd", 0x80b004, 1 },
		{ "vectors/firmware/bookworm_OVMF.fd", 0x80b004, 1 },
		{ "vectors/firmware/bookworm_OVMF_CODE_4M.fd", 0x808004, 0 },
		{ "vectors/sev-snp-measure/ovmf_AmdSev_suffix.bin", 0x80b004, 1 },
	};

	for (size_t i = 0; i < sizeof(imgs) / sizeof(imgs[0]); i++) {
		struct blob b;
		struct ovmf o;
		const uint8_t *p;
		size_t len;

		ck_assert_int_eq(blob__open(&b, test__shared(imgs[i].path)), 0);
		ck_assert_int_eq(ovmf__parse(&o, imgs[i].path, b.data, b.size), 0);
		ck_assert_msg(o.nentries > 0, "%s", imgs[i].path);
		p = ovmf__find(&o, &ovmf_guid_sev_es_reset, &len);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq(len, 4);
		ck_assert_uint_eq(p[0] | p[1] << 8 | p[2] << 16, imgs[i].reset_eip);
		p = ovmf__from_end(&o, &ovmf_guid_sev_metadata, 16, "SEV metadata", 0);
		ck_assert_int_eq(p != NULL, imgs[i].has_asev);
		if (p)
			ck_assert_int_eq(memcmp(p, "ASEV", 4), 0);
		blob__close(&b);
	}
}
END_TEST

static Suite *ovmf_suite(void)
{
	Suite *s = suite_create("ovmf");
	TCase *t = tcase_create("footer");

	tcase_add_test(t, walks_entries_backwards);
	tcase_add_test(t, no_table_is_not_an_error);
	tcase_add_test(t, hostile_tables);
	tcase_add_test(t, too_many_entries);
	tcase_add_test(t, from_end_outside_image);
	tcase_add_test(t, real_images);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(ovmf_suite)

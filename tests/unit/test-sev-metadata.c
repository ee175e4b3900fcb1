#include <string.h>

#include "loader/blob.h"
#include "loader/error.h"
#include "loader/sev-metadata.h"
#include "tests/unit/fw-image.h"
#include "tests/unit/test.h"

#define IMG 8192
#define ASEV_OFF 0x800

/* An image whose metadata holds the N items. */
static void image(struct fw_image *m, const uint32_t (*items)[3], uint32_t n)
{
	fw_image__init(m, IMG);
	fw_image__u32(m, &ovmf_guid_sev_es_reset, 0x80b004);
	fw_image__u32(m, &ovmf_guid_sev_metadata, ASEV_OFF);
	fw_image__close(m);
	fw_image__asev(m, ASEV_OFF, items, n);
}

static int parse(struct fw_image *m, struct sev_metadata *md)
{
	struct ovmf o;

	err__clear();
	ck_assert_int_eq(ovmf__parse(&o, "fw.fd", m->b, m->size), 0);
	return sev_metadata__parse(md, &o);
}

/* Parsing fails with one line naming the file and every one of WANT. */
static void expect_err(struct fw_image *m, const char *const *want)
{
	struct sev_metadata md;

	ck_assert_int_eq(parse(m, &md), -1);
	ck_assert_msg(strstr(err__msg(), "fw.fd: SEV metadata") == err__msg(), "%s", err__msg());
	for (; *want; want++)
		ck_assert_msg(strstr(err__msg(), *want), "'%s' lacks '%s'", err__msg(), *want);
	ck_assert_ptr_null(strchr(err__msg(), '\n'));
	fw_image__free(m);
}

static const uint32_t good[][3] = {
	{ 0x800000, 0x9000, 1 }, { 0x80d000, 0x1000, 2 }, { 0x80e000, 0x1000, 3 },
	{ 0x80f000, 0x1000, 4 }, { 0x811000, 0x1f000, 1 }, { 0, 0, 1 },
	{ 0x810000, 0x1000, 0x10 },
};

START_TEST(sections_in_table_order)
{
	struct fw_image m;
	struct sev_metadata md;

	image(&m, good, 7);
	ck_assert_int_eq(parse(&m, &md), 0);
	ck_assert_uint_eq(md.nsections, 7);
	ck_assert_uint_eq(md.sections[4].gpa, 0x811000);
	ck_assert_uint_eq(md.sections[4].size, 0x1f000);
	ck_assert_int_eq(md.sections[6].type, SEV_SECTION_KERNEL_HASHES);
	ck_assert(sev_metadata__has(&md, SEV_SECTION_SVSM_CAA));
	ck_assert_str_eq(sev_section__name(md.sections[6].type), "SNP_KERNEL_HASHES");
	ck_assert_ptr_null(sev_section__name(7));
	fw_image__free(&m);
}
END_TEST

START_TEST(no_metadata_entry)
{
	struct fw_image m;
	struct sev_metadata md;

	fw_image__init(&m, IMG);
	fw_image__u32(&m, &ovmf_guid_sev_es_reset, 0x80b004);
	fw_image__close(&m);
	ck_assert_int_eq(parse(&m, &md), 0);
	ck_assert_uint_eq(md.nsections, 0);
	ck_assert(!sev_metadata__has(&md, SEV_SECTION_CPUID));
	fw_image__free(&m);
}
END_TEST

START_TEST(hostile_items)
{
	static const uint32_t unknown[][3] = { { 0x800000, 0x1000, 1 }, { 0x801000, 0x1000, 7 } };
	static const uint32_t odd[][3] = { { 0x800000, 0x1800, 1 } };
	static const uint32_t high[][3] = { { 0xfffff000, 0x2000, 1 } };
	static const uint32_t overlap[][3] = { { 0x800000, 0x9000, 1 }, { 0x808000, 0x1000, 3 } };
	static const uint32_t big_secrets[][3] = { { 0x80d000, 0x2000, 2 } };
	struct fw_image m;

	image(&m, unknown, 2);
	expect_err(&m, (const char *[]){ "section 1", "type 0x7", NULL });
	image(&m, odd, 1);
	expect_err(&m, (const char *[]){ "section 0", "not 4 KiB aligned", NULL });
	image(&m, high, 1);
	expect_err(&m, (const char *[]){ "section 0", "above 4 GiB", NULL });
	image(&m, overlap, 2);
	expect_err(&m, (const char *[]){ "section 1 (CPUID)", "overlaps section 0", NULL });
	image(&m, big_secrets, 1);
	expect_err(&m, (const char *[]){ "section 0 (SNP_SECRETS)", "one page", NULL });
}
END_TEST

START_TEST(hostile_header)
{
	struct fw_image m;

	image(&m, good, 7);
	memcpy(m.b + IMG - ASEV_OFF, "VSEA", 4);
	expect_err(&m, (const char *[]){ "signature", NULL });

	image(&m, good, 7);
	fw_image__put32(m.b + IMG - ASEV_OFF + 8, 2);
	expect_err(&m, (const char *[]){ "version", NULL });

	/* The header's size cannot hold its items. */
	image(&m, good, 7);
	fw_image__put32(m.b + IMG - ASEV_OFF + 4, 16 + 12 * 6);
	expect_err(&m, (const char *[]){ "size", NULL });

	/* Items running past the end of the image. */
	image(&m, good, 7);
	fw_image__put32(m.b + IMG - ASEV_OFF + 12, 200);
	fw_image__put32(m.b + IMG - ASEV_OFF + 4, 16 + 12 * 200);
	expect_err(&m, (const char *[]){ "num_items", NULL });
	fw_image__init(&m, IMG);
	fw_image__u32(&m, &ovmf_guid_sev_metadata, 96);
	fw_image__close(&m);
	fw_image__asev(&m, 96, good, 0);
	fw_image__put32(m.b + IMG - 96 + 12, 7);
	fw_image__put32(m.b + IMG - 96 + 4, 16 + 12 * 7);
	expect_err(&m, (const char *[]){ "size", "96 bytes to the image end", NULL });

	/* The offset from the end points outside the image. */
	fw_image__init(&m, IMG);
	fw_image__u32(&m, &ovmf_guid_sev_metadata, IMG + 0x1000);
	fw_image__close(&m);
	expect_err(&m, (const char *[]){ "offset", "outside the image", NULL });
}
END_TEST

START_TEST(debian_images)
{
	struct blob b;
	struct ovmf o;
	struct sev_metadata md;

	ck_assert_int_eq(blob__open(&b, test__shared("vectors/firmware/OVMF.amdsev.fd")), 0);
	ck_assert_int_eq(ovmf__parse(&o, b.path, b.data, b.size), 0);
	ck_assert_int_eq(sev_metadata__parse(&md, &o), 0);
	/* KERNEL_HASHES comes last in the 2026 Debian build. */
	ck_assert_uint_eq(md.nsections, 7);
	ck_assert_int_eq(md.sections[6].type, SEV_SECTION_KERNEL_HASHES);
	ck_assert_uint_eq(md.sections[5].gpa, 0x811000);
	ck_assert_uint_eq(md.sections[5].size, 0x1f000);
	blob__close(&b);

	/* The IntelTdx build has 0-size items. */
	ck_assert_int_eq(blob__open(&b, test__shared("vectors/firmware/OVMF.inteltdx.ms.fd")), 0);
	ck_assert_int_eq(ovmf__parse(&o, b.path, b.data, b.size), 0);
	ck_assert_int_eq(sev_metadata__parse(&md, &o), 0);
	ck_assert_uint_eq(md.nsections, 6);
	ck_assert_uint_eq(md.sections[4].size, 0);
	blob__close(&b);

	ck_assert_int_eq(blob__open(&b, test__shared("vectors/firmware/bookworm_OVMF_CODE_4M.fd")), 0);
	ck_assert_int_eq(ovmf__parse(&o, b.path, b.data, b.size), 0);
	ck_assert_int_eq(sev_metadata__parse(&md, &o), 0);
	ck_assert_uint_eq(md.nsections, 0);
	blob__close(&b);
}
END_TEST

static Suite *sev_metadata_suite(void)
{
	Suite *s = suite_create("sev-metadata");
	TCase *t = tcase_create("asev");

	tcase_add_test(t, sections_in_table_order);
	tcase_add_test(t, no_metadata_entry);
	tcase_add_test(t, hostile_items);
	tcase_add_test(t, hostile_header);
	tcase_add_test(t, debian_images);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(sev_metadata_suite)

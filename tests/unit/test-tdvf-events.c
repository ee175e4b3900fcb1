/* The TDVF boot event model beyond the vectors' one layout: no initrd, an
 * empty one, no command line, the pre-202411 separator, an empty variable
 * store, and errors from either thread. */
#include <openssl/evp.h>
#include <string.h>

#include "loader/error.h"
#include "measure/tdvf-events.h"
#include "tests/unit/tdx-test.h"
#include "tests/unit/test.h"

struct ctx {
	struct plan p;
	struct tdx_layout layout;
	struct blob kernel, initrd, empty;
	struct tdvf_boot b;
};

static void setup(struct ctx *c, const char *firmware)
{
	struct tdx_launch cfg = { test__shared(firmware), 1ull << 30 };

	plan__init(&c->p);
	ck_assert_int_eq(tdx__build_plan(&c->p, &cfg, &c->layout), 0);
	ck_assert_int_eq(plan__map(&c->p, test__shared("vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64"), &c->kernel), 0);
	ck_assert_int_eq(plan__map(&c->p, test__shared("vectors/kernel/initrd.bin"), &c->initrd), 0);
	ck_assert_int_eq(plan__map(&c->p, test__shared("vectors/kernel/empty"), &c->empty), 0);
	tdx_test__vector_acpi(&c->p, "quex_4c-nic");
	c->b = (struct tdvf_boot){
		.layout = &c->layout, .plan = &c->p, .kernel = &c->kernel,
		.initrd = &c->initrd, .cmdline = "console=ttyS0",
	};
}

static const struct rtmr_event *find(const struct rtmr_log *l, const char *desc)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->ev[i].desc, desc))
			return &l->ev[i];
	return NULL;
}

static void sha384_utf16(uint8_t *out, const char *s)
{
	uint8_t buf[256] = { 0 };
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		buf[2 * i] = s[i];
	EVP_Digest(buf, 2 * (n + 1), out, NULL, EVP_sha384(), NULL);
}

START_TEST(initrd_and_cmdline_variants)
{
	struct rtmr_log with, without, empty, bare;
	uint8_t want[48];
	struct ctx c;

	setup(&c, "vectors/firmware/OVMF.inteltdx.ms.fd");
	ck_assert_int_eq(tdvf_events__build(&c.b, &with), 0);
	ck_assert_uint_eq(with.n, 20);
	sha384_utf16(want, "console=ttyS0 initrd=initrd");
	ck_assert_mem_eq(find(&with, "cmdline(UTF-16LE+NUL)")->digest, want, 48);

	/* No -initrd: no suffix, no initrd event, another setup header. */
	c.b.initrd = NULL;
	ck_assert_int_eq(tdvf_events__build(&c.b, &without), 0);
	ck_assert_uint_eq(without.n, 19);
	ck_assert_ptr_null(find(&without, "initrd"));
	sha384_utf16(want, "console=ttyS0");
	ck_assert_mem_eq(find(&without, "cmdline(UTF-16LE+NUL)")->digest, want, 48);
	ck_assert_mem_ne(without.ev[11].digest, with.ev[11].digest, 48);
	ck_assert_mem_eq(without.ev[0].digest, with.ev[0].digest, 48);

	/* An empty -initrd: QEMU still patches the header, OVMF sees no initrd. */
	c.b.initrd = &c.empty;
	ck_assert_int_eq(tdvf_events__build(&c.b, &empty), 0);
	ck_assert_uint_eq(empty.n, 19);
	ck_assert_mem_eq(find(&empty, "cmdline(UTF-16LE+NUL)")->digest, want, 48);
	ck_assert_mem_ne(empty.ev[11].digest, without.ev[11].digest, 48);

	/* Neither: LoadOptions stay empty and the stub measures nothing. */
	c.b.initrd = NULL;
	c.b.cmdline = NULL;
	ck_assert_int_eq(tdvf_events__build(&c.b, &bare), 0);
	ck_assert_uint_eq(bare.n, 18);
	ck_assert_ptr_null(find(&bare, "cmdline(UTF-16LE+NUL)"));
	for (size_t i = 0; i < bare.n; i++)
		ck_assert_uint_ne(bare.ev[i].reg, 2);

	/* Only an initrd: the suffix alone. */
	c.b.initrd = &c.initrd;
	c.b.cmdline = "";
	ck_assert_int_eq(tdvf_events__build(&c.b, &bare), 0);
	sha384_utf16(want, " initrd=initrd");
	ck_assert_mem_eq(find(&bare, "cmdline(UTF-16LE+NUL)")->digest, want, 48);
	plan__exit(&c.p);
}
END_TEST

START_TEST(separator_layouts)
{
	struct rtmr_log post, pre;
	uint8_t rpost[RTMR_COUNT][RTMR_SIZE], rpre[RTMR_COUNT][RTMR_SIZE];
	struct ctx c;

	setup(&c, "vectors/firmware/OVMF.inteltdx.ms.fd");
	ck_assert_int_eq(tdvf_events__build(&c.b, &post), 0);
	c.b.separator = TDVF_SEPARATOR_PRE_202411;
	ck_assert_int_eq(tdvf_events__build(&c.b, &pre), 0);
	ck_assert_uint_eq(find(&post, "separator(ReadyToBoot)")->reg, 1);
	ck_assert_uint_eq(find(&pre, "separator(ReadyToBoot)")->reg, 0);
	ck_assert_uint_eq(find(&pre, "separator")->reg, 0);
	rtmr__replay(&post, rpost);
	rtmr__replay(&pre, rpre);
	ck_assert_mem_ne(rpost[0], rpre[0], 48);
	ck_assert_mem_ne(rpost[1], rpre[1], 48);
	ck_assert_mem_eq(rpost[2], rpre[2], 48);
	plan__exit(&c.p);
}
END_TEST

/* bookworm's OVMF.fd enrolls nothing: the empty-variable digests that a
 * hardware TDX quote confirmed (MEASUREMENT.md 3.3). */
START_TEST(empty_variable_store)
{
	static const struct {
		const char *name, *prefix;
	} want[] = {
		{ "SecureBoot", "9dc3a1f8" }, { "PK", "6f2e3cbc" }, { "KEK", "d607c0ef" },
		{ "db", "08a74f89" },         { "dbx", "18cc6e01" },
	};
	struct rtmr_log log;
	struct ctx c;

	setup(&c, "vectors/firmware/bookworm_OVMF.fd");
	ck_assert_int_eq(tdvf_events__build(&c.b, &log), 0);
	for (size_t i = 0; i < 5; i++) {
		const struct rtmr_event *e = find(&log, want[i].name);
		char hex[9];

		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->type, EV_EFI_VARIABLE_DRIVER_CONFIG);
		snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", e->digest[0], e->digest[1],
			 e->digest[2], e->digest[3]);
		ck_assert_str_eq(hex, want[i].prefix);
	}
	plan__exit(&c.p);
}
END_TEST

START_TEST(errors_from_both_threads)
{
	struct rtmr_log log;
	struct ctx c;

	setup(&c, "vectors/firmware/OVMF.inteltdx.ms.fd");
	/* The kernel thread fails: its line reaches the caller. */
	c.b.kernel = &c.initrd;
	ck_assert_int_eq(tdvf_events__build(&c.b, &log), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "initrd.bin: setup header version"));
	c.b.initrd = NULL;
	ck_assert_int_eq(tdvf_events__build(&c.b, &log), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "initrd.bin: PE DOS header"));
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);

	/* The caller's side fails (no CFV) while the kernel thread succeeds. */
	c.b.kernel = &c.kernel;
	c.layout.tdvf.sections[1].type = TDVF_TEMP_MEM;
	ck_assert_int_eq(tdvf_events__build(&c.b, &log), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "no CFV section"));

	/* A CFV that holds no variable store. */
	c.layout.tdvf.sections[1].type = TDVF_CFV;
	c.layout.tdvf.sections[1].data_offset = 0x1000;
	ck_assert_int_eq(tdvf_events__build(&c.b, &log), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "OVMF.inteltdx.ms.fd: CFV firmware volume header"));
	plan__exit(&c.p);
}
END_TEST

static Suite *tdvf_events_suite(void)
{
	Suite *s = suite_create("tdvf-events");
	TCase *t = tcase_create("model");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, initrd_and_cmdline_variants);
	tcase_add_test(t, separator_layouts);
	tcase_add_test(t, empty_variable_store);
	tcase_add_test(t, errors_from_both_threads);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(tdvf_events_suite)

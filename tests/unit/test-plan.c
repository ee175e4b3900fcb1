#include <string.h>

#include "loader/error.h"
#include "loader/plan.h"
#include "tests/unit/test.h"

START_TEST(ops_keep_order_and_data)
{
	struct plan p;
	uint8_t *buf;

	plan__init(&p);
	buf = plan__alloc(&p, 4096);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(buf[100], 0);
	memset(buf, 0xab, 4096);
	ck_assert_ptr_nonnull(plan__add(&p, PLAN_NORMAL, 0x1000, 4096, buf, "a"));
	ck_assert_ptr_nonnull(plan__add(&p, PLAN_ZERO, 0x3000, 8192, NULL, "b"));
	for (int i = 0; i < 100; i++)
		ck_assert_ptr_nonnull(plan__add(&p, PLAN_LOAD, 0x10000 + i * 16, 16, NULL, "c"));
	ck_assert_uint_eq(p.nops, 102);
	ck_assert_str_eq(p.ops[0].what, "a");
	ck_assert_ptr_eq(p.ops[0].data, buf);
	ck_assert_uint_eq(p.ops[1].len, 8192);
	ck_assert_int_eq(plan__validate(&p), 0);
	plan__exit(&p);
}
END_TEST

START_TEST(overlap_is_named)
{
	struct plan p;

	plan__init(&p);
	plan__add(&p, PLAN_LOAD, 0x100000, 0x2000, NULL, "kernel");
	plan__add(&p, PLAN_VMSA, 0, 4096, NULL, "vmsa0");
	plan__add(&p, PLAN_VMSA, 0, 4096, NULL, "vmsa1");
	ck_assert_int_eq(plan__validate(&p), 0);
	plan__add(&p, PLAN_LOAD, 0x101000, 0x1000, NULL, "initrd");
	ck_assert_int_eq(plan__validate(&p), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "initrd"));
	ck_assert_ptr_nonnull(strstr(err__msg(), "kernel"));
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
	plan__exit(&p);
}
END_TEST

START_TEST(wrap_is_rejected)
{
	struct plan p;

	plan__init(&p);
	plan__add(&p, PLAN_LOAD, ~0ull - 0xfff, 0x2000, NULL, "blob");
	ck_assert_int_eq(plan__validate(&p), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "wraps"));
	plan__exit(&p);
}
END_TEST

START_TEST(map_missing_file_names_it)
{
	struct plan p;
	struct blob b;

	plan__init(&p);
	ck_assert_int_eq(plan__map(&p, "/nonexistent/kernel", &b), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "/nonexistent/kernel"));
	ck_assert_int_eq(plan__map(&p, test__shared("vectors/kernel/cmdline_a.txt"), &b), 0);
	ck_assert_uint_eq(b.size, 31);
	ck_assert_int_eq(memcmp(b.data, "console=ttyS0", 13), 0);
	ck_assert_int_eq(plan__map(&p, test__shared("vectors/kernel/empty"), &b), 0);
	ck_assert_uint_eq(b.size, 0);
	plan__exit(&p);
}
END_TEST

/* Files are found by name; a name fw_cfg cannot carry, or one given twice,
 * is refused with the name. */
START_TEST(files_by_name)
{
	char longname[PLAN_FILE_NAME + 1];
	struct plan p;

	plan__init(&p);
	ck_assert_ptr_null(plan__file(&p, "etc/acpi/tables"));
	ck_assert_int_eq(plan__add_file(&p, "etc/acpi/tables", "abc", 3), 0);
	ck_assert_int_eq(plan__add_file(&p, "etc/acpi/rsdp", NULL, 0), 0);
	ck_assert_uint_eq(plan__file(&p, "etc/acpi/tables")->len, 3);
	ck_assert_ptr_eq(plan__file(&p, "etc/acpi/tables")->data, "abc");
	ck_assert_uint_eq(plan__file(&p, "etc/acpi/rsdp")->len, 0);
	ck_assert_int_eq(plan__add_file(&p, "etc/acpi/rsdp", "x", 1), -1);
	ck_assert_str_eq(err__msg(), "file etc/acpi/rsdp: given twice");
	memset(longname, 'a', PLAN_FILE_NAME);
	longname[PLAN_FILE_NAME] = 0;
	ck_assert_int_eq(plan__add_file(&p, longname, "x", 1), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "longer than 55 bytes"));
	longname[PLAN_FILE_NAME - 1] = 0;
	ck_assert_int_eq(plan__add_file(&p, longname, "x", 1), 0);
	ck_assert_uint_eq(p.nfiles, 3);
	plan__exit(&p);
	ck_assert_uint_eq(p.nfiles, 0);
}
END_TEST

static Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *t = tcase_create("core");

	tcase_add_test(t, ops_keep_order_and_data);
	tcase_add_test(t, overlap_is_named);
	tcase_add_test(t, wrap_is_rejected);
	tcase_add_test(t, map_missing_file_names_it);
	tcase_add_test(t, files_by_name);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(plan_suite)

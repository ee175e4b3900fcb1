#include <stdlib.h>
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

/* Partial data (zeros after DATA_LEN bytes) only where the replays honour
 * it; without data there is nothing to be partial. */
START_TEST(partial_ops)
{
	static const uint8_t bytes[100] = { 1 };
	struct plan p;
	struct plan_op *op;

	plan__init(&p);
	op = plan__add_part(&p, PLAN_TDX_EXTEND, 0x10000, 0x2000, bytes, sizeof(bytes), "sec");
	ck_assert_ptr_nonnull(op);
	ck_assert_uint_eq(op->data_len, sizeof(bytes));
	op = plan__add_part(&p, PLAN_TDX_ADD, 0x20000, 0x1000, NULL, 64, "zero");
	ck_assert_ptr_nonnull(op);
	ck_assert_ptr_null(op->data);
	ck_assert_uint_eq(op->data_len, 0);
	ck_assert_ptr_null(plan__add_part(&p, PLAN_NORMAL, 0x30000, 0x1000, bytes, sizeof(bytes),
					  "fw"));
	ck_assert_str_eq(err__msg(), "fw: a normal op cannot carry fewer bytes than it loads");
	ck_assert_uint_eq(p.nops, 2);
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

/* A plan with maps_from gets the other plan's mapping of a path again;
 * another path maps as usual, a lower limit refuses as it would alone, and
 * a path the other plan failed to map fails again. */
START_TEST(maps_from_shares_mappings)
{
	char *a = strdup(test__shared("vectors/kernel/cmdline_a.txt"));
	char *c = strdup(test__shared("vectors/kernel/initrd.bin"));
	struct plan first, next;
	struct blob b1, b2, b3;

	ck_assert(a && c);
	plan__init(&first);
	plan__init(&next);
	next.maps_from = &first;
	ck_assert_int_eq(plan__map(&first, "/nonexistent/kernel", &b1), -1);
	ck_assert_int_eq(plan__map(&first, a, &b1), 0);
	ck_assert_int_eq(plan__map(&next, a, &b2), 0);
	ck_assert_ptr_eq(b2.data, b1.data);
	ck_assert_uint_eq(b2.size, 31);
	ck_assert_ptr_null(next.mem);   /* nothing of its own to unmap */
	ck_assert_int_eq(plan__map_max(&next, a, 30, "a test", &b3), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "more than a test allows (30)"));
	ck_assert_int_eq(plan__map(&next, c, &b3), 0);
	ck_assert_ptr_ne(b3.data, b1.data);
	/* A map that failed is not there to be shared. */
	ck_assert_int_eq(plan__map(&next, "/nonexistent/kernel", &b3), -1);
	plan__exit(&next);
	ck_assert_int_eq(memcmp(b1.data, "console=ttyS0", 13), 0);
	plan__exit(&first);
	free(a);
	free(c);
}
END_TEST

/* The plan's fw_cfg files: found by name, one per name, names as fw_cfg
 * carries them, freed with the plan; legacy items beside them. */
START_TEST(fw_cfg_files)
{
	char name[FW_CFG_MAX_FILE_PATH + 1];
	struct plan p;

	plan__init(&p);
	ck_assert_ptr_null(plan__file(&p, "etc/acpi/tables"));
	ck_assert_int_eq(plan__add_file(&p, "etc/acpi/tables", "abc", 3), 0);
	ck_assert_int_eq(plan__add_file(&p, "etc/acpi/rsdp", NULL, 0), 0);
	ck_assert_int_eq(fw_cfg_list__add_key(&p.fw_cfg, FW_CFG_NB_CPUS, "\x02\x00", 2), 0);
	ck_assert_uint_eq(plan__file(&p, "etc/acpi/tables")->len, 3);
	ck_assert_ptr_eq(plan__file(&p, "etc/acpi/tables")->data, "abc");
	ck_assert_uint_eq(plan__file(&p, "etc/acpi/rsdp")->len, 0);
	ck_assert_uint_eq(fw_cfg_list__find(&p.fw_cfg, FW_CFG_NB_CPUS, NULL)->len, 2);
	ck_assert_int_eq(plan__add_file(&p, "etc/acpi/rsdp", "x", 1), -1);
	ck_assert_str_eq(err__msg(), "fw_cfg file etc/acpi/rsdp: given twice");
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	ck_assert_int_eq(plan__add_file(&p, name, "x", 1), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "longer than 55 characters"));
	name[sizeof(name) - 2] = 0;
	ck_assert_int_eq(plan__add_file(&p, name, "x", 1), 0);
	ck_assert_uint_eq(p.fw_cfg.n, 4);
	plan__exit(&p);
	ck_assert_uint_eq(p.fw_cfg.n, 0);
	ck_assert_ptr_null(p.fw_cfg.items);
}
END_TEST

static Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *t = tcase_create("core");

	tcase_add_test(t, ops_keep_order_and_data);
	tcase_add_test(t, overlap_is_named);
	tcase_add_test(t, wrap_is_rejected);
	tcase_add_test(t, partial_ops);
	tcase_add_test(t, map_missing_file_names_it);
	tcase_add_test(t, maps_from_shares_mappings);
	tcase_add_test(t, fw_cfg_files);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(plan_suite)

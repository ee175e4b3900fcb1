#include <stdio.h>
#include <string.h>

#include "arch/x86/boot.h"
#include "loader/error.h"
#include "tests/unit/boot-test.h"
#include "tests/unit/test.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static const char *vmlinuz(void)
{
	return test__shared("vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64");
}

/* Builds a plan for CFG into P; returns x86__build_boot_plan()'s result. */
static int build(struct plan *p, const struct x86_boot_cfg *cfg)
{
	plan__init(p);
	err__clear();
	return x86__build_boot_plan(p, cfg);
}

static void expect_error(const struct x86_boot_cfg *cfg, const char *what)
{
	struct plan p;

	ck_assert_int_eq(build(&p, cfg), -1);
	ck_assert_msg(strstr(err__msg(), what), "\"%s\" lacks \"%s\"", err__msg(), what);
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
	plan__exit(&p);
}

START_TEST(not_a_kernel)
{
	static const char text[] = "#!/bin/sh\necho not a kernel\n";
	char *file = boot_test__file(text, sizeof(text), sizeof(text));
	char *empty = boot_test__file("", 0, 0);
	struct x86_boot_cfg cfg = { .kernel = "/nonexistent/vmlinuz", .mem_size = 64 * MiB,
				    .vcpus = 1 };
	char msg[512];

	expect_error(&cfg, "/nonexistent/vmlinuz: ");
	cfg.kernel = file;
	snprintf(msg, sizeof(msg), "%s: not a kernel: neither an ELF nor a bzImage", file);
	expect_error(&cfg, msg);
	cfg.kernel = empty;
	expect_error(&cfg, "not a kernel");
	/* This test program: an ELF without a PVH note, and built for
	 * another architecture not even an x86 one. */
	cfg.kernel = "/proc/self/exe";
#ifdef __x86_64__
	expect_error(&cfg, "/proc/self/exe: ELF kernel has no PVH entry note "
			   "(XEN_ELFNOTE_PHYS32_ENTRY)");
#else
	expect_error(&cfg, "/proc/self/exe: e_machine: not a little-endian x86 ELF");
#endif
	cfg.kernel = NULL;
	expect_error(&cfg, "kernel: no kernel given");
	boot_test__remove(file);
	boot_test__remove(empty);
}
END_TEST

START_TEST(memory_and_vcpus)
{
	struct x86_boot_cfg cfg = { .kernel = vmlinuz(), .mem_size = 1 * MiB, .vcpus = 1 };

	expect_error(&cfg, "memory: 0x100000 bytes");
	cfg.mem_size = 128 * MiB + 512;
	expect_error(&cfg, "memory: 0x8000200 bytes, need a multiple of 4 KiB");
	cfg.mem_size = 128 * MiB;
	cfg.vcpus = 0;
	expect_error(&cfg, "vcpus: 0");
	cfg.vcpus = 255;
	expect_error(&cfg, "vcpus: 255 is not within 1..254 (ACPI MADT)");
}
END_TEST

struct desc {
	uint32_t base, limit;
	unsigned int type, s, dpl, p, l, db, g;
};

static struct desc decode(uint64_t d)
{
	return (struct desc){
		.limit = (d & 0xffff) | ((d >> 48) & 0xf) << 16,
		.base = ((d >> 16) & 0xffffff) | ((d >> 56) & 0xff) << 24,
		.type = (d >> 40) & 0xf, .s = (d >> 44) & 1, .dpl = (d >> 45) & 3,
		.p = (d >> 47) & 1, .l = (d >> 53) & 1, .db = (d >> 54) & 1, .g = (d >> 55) & 1,
	};
}

static void expect_flat(const uint64_t *gdt, unsigned int sel, unsigned int type,
			unsigned int l, unsigned int db)
{
	struct desc d = decode(gdt[sel / 8]);

	ck_assert_uint_eq(d.base, 0);
	ck_assert_uint_eq(d.limit, 0xfffff);
	ck_assert_uint_eq(d.g, 1);
	ck_assert_uint_eq(d.type, type);
	ck_assert_uint_eq(d.s, 1);
	ck_assert_uint_eq(d.dpl, 0);
	ck_assert_uint_eq(d.p, 1);
	ck_assert_uint_eq(d.l, l);
	ck_assert_uint_eq(d.db, db);
}

START_TEST(gdt_matches_the_selectors)
{
	struct x86_boot_cfg cfg = { .kernel = vmlinuz(), .mem_size = 128 * MiB, .vcpus = 1 };
	const uint64_t *gdt;
	struct desc tss;
	struct plan p;

	ck_assert_msg(build(&p, &cfg) == 0, "%s", err__msg());
	ck_assert_uint_eq(p.entry.x86.gdt, 0x500);
	ck_assert_uint_eq(p.entry.x86.gdt_limit, 5 * 8 - 1);
	ck_assert_uint_eq(boot_test__op(&p, "gdt")->len, p.entry.x86.gdt_limit + 1);
	gdt = boot_test__gpa(&p, p.entry.x86.gdt, p.entry.x86.gdt_limit + 1);
	ck_assert_uint_eq(gdt[0], 0);
	ck_assert_uint_eq(X86_SEL_CS32, 0x08);
	ck_assert_uint_eq(X86_SEL_CS64, 0x10);
	ck_assert_uint_eq(X86_SEL_DS, 0x18);
	ck_assert_uint_eq(X86_SEL_TSS, 0x20);
	expect_flat(gdt, X86_SEL_CS32, 0xb, 0, 1);
	expect_flat(gdt, X86_SEL_CS64, 0xb, 1, 0);
	expect_flat(gdt, X86_SEL_DS, 0x3, 0, 1);
	tss = decode(gdt[X86_SEL_TSS / 8]);
	ck_assert_uint_eq(tss.s, 0);
	ck_assert_uint_eq(tss.type, 0xb);
	ck_assert_uint_eq(tss.p, 1);
	ck_assert_uint_eq(tss.limit, 0x67);
	plan__exit(&p);
}
END_TEST

/* Walks 4-level paging from CR3 through the plan's bytes: the physical
 * address VA maps to, or ~0 when not present. */
static uint64_t translate(const struct plan *p, uint64_t cr3, uint64_t va)
{
	const uint64_t *pml4 = boot_test__gpa(p, cr3, 4096), *pdpt, *pd;
	uint64_t e = pml4[(va >> 39) & 511];

	if (!(e & 1))
		return ~0ull;
	ck_assert_uint_eq(e & 2, 2);
	pdpt = boot_test__gpa(p, e & ~0xfffull, 4096);
	e = pdpt[(va >> 30) & 511];
	if (!(e & 1))
		return ~0ull;
	ck_assert_uint_eq(e & 0x80, 0);
	pd = boot_test__gpa(p, e & ~0xfffull, 4096);
	e = pd[(va >> 21) & 511];
	if (!(e & 1))
		return ~0ull;
	ck_assert_uint_eq(e & 0x82, 0x82);      /* writable 2 MiB page */
	return (e & ~0x1fffffull & 0xfffffffffffffull) | (va & 0x1fffff);
}

START_TEST(identity_map_below_4g)
{
	static const uint64_t va[] = { 0, 0x7000, 0x1000200, 0x7fffffff, 0xbfffffff,
				       0xfec00000, 0xfee00000, 0xffffffff };
	struct x86_boot_cfg cfg = { .kernel = vmlinuz(), .mem_size = 128 * MiB, .vcpus = 1 };
	const struct plan_op *op;
	struct plan p;

	ck_assert_msg(build(&p, &cfg) == 0, "%s", err__msg());
	ck_assert_uint_eq(p.entry.x86.cr3, 0x9000);
	op = boot_test__op(&p, "page tables");
	ck_assert_uint_eq(op->gpa, 0x9000);
	ck_assert_uint_eq(op->len, 6 * 4096);
	for (size_t i = 0; i < sizeof(va) / sizeof(va[0]); i++)
		ck_assert_uint_eq(translate(&p, p.entry.x86.cr3, va[i]), va[i]);
	ck_assert_uint_eq(translate(&p, p.entry.x86.cr3, 4 * GiB), ~0ull);
	ck_assert_uint_eq(translate(&p, p.entry.x86.cr3, 1ull << 39), ~0ull);
	plan__exit(&p);
}
END_TEST

START_TEST(cmdline_op)
{
	char line[2049];
	struct x86_boot_cfg cfg = { .kernel = vmlinuz(), .mem_size = 128 * MiB, .vcpus = 1 };
	const struct plan_op *op;
	struct plan p;

	ck_assert_int_eq(build(&p, &cfg), 0);
	op = boot_test__op(&p, "cmdline");
	ck_assert_uint_eq(op->gpa, 0x20000);
	ck_assert_uint_eq(op->len, 1);
	ck_assert_uint_eq(op->data[0], 0);
	plan__exit(&p);

	/* The Debian kernel's cmdline_size is 2047. */
	memset(line, 'q', sizeof(line));
	line[2047] = 0;
	cfg.cmdline = line;
	ck_assert_int_eq(build(&p, &cfg), 0);
	ck_assert_uint_eq(boot_test__op(&p, "cmdline")->len, 2048);
	ck_assert_int_eq(memcmp(boot_test__op(&p, "cmdline")->data, line, 2048), 0);
	plan__exit(&p);
	line[2047] = 'q';
	line[2048] = 0;
	expect_error(&cfg, "cmdline: 2048 bytes, longer than");
	expect_error(&cfg, "cmdline_size 2047");
}
END_TEST

START_TEST(initrd_files)
{
	char *empty = boot_test__file("", 0, 0);
	char *huge = boot_test__file("x", 1, 100 * MiB);      /* sparse */
	struct x86_boot_cfg cfg = { .kernel = vmlinuz(), .initrd = empty, .mem_size = 128 * MiB,
				    .vcpus = 1 };
	char msg[512];
	struct plan p;

	ck_assert_msg(build(&p, &cfg) == 0, "%s", err__msg());
	ck_assert_ptr_null(boot_test__op(&p, "initrd"));
	plan__exit(&p);

	cfg.initrd = "/nonexistent/initrd";
	expect_error(&cfg, "/nonexistent/initrd: ");
	/* 128 MiB of RAM less the kernel's [16, 67.5) MiB leaves 60.5 and 15. */
	cfg.initrd = huge;
	snprintf(msg, sizeof(msg), "%s: initrd: 104857600 bytes do not fit", huge);
	expect_error(&cfg, msg);
	cfg.mem_size = 200 * MiB;
	ck_assert_msg(build(&p, &cfg) == 0, "%s", err__msg());
	ck_assert_uint_eq(boot_test__op(&p, "initrd")->gpa, 100 * MiB);
	plan__exit(&p);
	boot_test__remove(empty);
	boot_test__remove(huge);
}
END_TEST

START_TEST(plan_summary)
{
	struct x86_boot_cfg cfg = {
		.kernel = vmlinuz(), .initrd = test__shared("vectors/kernel/initrd.bin"),
		.cmdline = "console=ttyS0", .mem_size = 4 * GiB, .vcpus = 4,
	};
	const struct plan_op *mp;
	struct plan p;

	ck_assert_msg(build(&p, &cfg) == 0, "%s", err__msg());
	ck_assert_uint_eq(p.mem_size, 4 * GiB);
	ck_assert_uint_eq(p.vcpus, 4);
	ck_assert_int_eq(plan__validate(&p), 0);
	for (size_t i = 0; i < p.nops; i++)
		ck_assert_int_eq(p.ops[i].kind, PLAN_LOAD);
	mp = boot_test__op(&p, "mptable");
	ck_assert_uint_eq(mp->gpa, 0x9fc00);
	ck_assert_uint_eq(mp->len, 16 + 44 + 4 * 20 + 8 + 8 + 15 * 8 + 2 * 8);
	/* Above 4 GiB: this kernel has XLF_CAN_BE_LOADED_ABOVE_4G. */
	ck_assert_uint_eq(boot_test__op(&p, "initrd")->gpa, 5 * GiB - 1 * MiB);
	ck_assert_int_eq(p.entry.mode, PLAN_ENTRY_X86_64);
	ck_assert_uint_eq(p.entry.pc, 0x1000200);
	ck_assert_uint_eq(p.entry.arg, 0x7000);
	plan__exit(&p);
}
END_TEST

/* The MADT inside the plan's direct-boot tables. */
static const uint8_t *madt(const struct plan *p)
{
	const struct plan_op *t = boot_test__op(p, "acpi-tables");

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->gpa, 0xf0040);
	for (size_t off = 0; off + 8 <= t->len; off++)
		if (!memcmp(t->data + off, "APIC", 4))
			return t->data + off;
	ck_abort_msg("no MADT");
	return NULL;
}

/* Up to 40 vCPUs the MP table and ACPI both list them; above, ACPI alone. */
START_TEST(acpi_lifts_the_mp_table_limit)
{
	struct x86_boot_cfg cfg = { .kernel = vmlinuz(), .mem_size = 256 * MiB };
	static const uint32_t counts[] = { 1, 40, 41, 254 };
	struct plan p;

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		uint32_t n = counts[i], len;

		cfg.vcpus = n;
		ck_assert_msg(build(&p, &cfg) == 0, "%u vCPUs: %s", n, err__msg());
		if (n <= 40)
			ck_assert_ptr_nonnull(boot_test__op(&p, "mptable"));
		else
			ck_assert_ptr_null(boot_test__op(&p, "mptable"));
		ck_assert_int_eq(memcmp(boot_test__gpa(&p, 0xf0000, 8), "RSD PTR ", 8), 0);
		/* Header, LAPIC address and flags, one LAPIC each, the IOAPIC,
		 * two overrides, the NMI. */
		memcpy(&len, madt(&p) + 4, 4);
		ck_assert_uint_eq(len, 44 + 8 * n + 12 + 2 * 10 + 6);
		plan__exit(&p);
	}
}
END_TEST

static Suite *boot_suite(void)
{
	Suite *s = suite_create("boot");
	TCase *t = tcase_create("core");

	tcase_add_test(t, not_a_kernel);
	tcase_add_test(t, memory_and_vcpus);
	tcase_add_test(t, gdt_matches_the_selectors);
	tcase_add_test(t, identity_map_below_4g);
	tcase_add_test(t, cmdline_op);
	tcase_add_test(t, initrd_files);
	tcase_add_test(t, plan_summary);
	tcase_add_test(t, acpi_lifts_the_mp_table_limit);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(boot_suite)

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/x86/acpi.h"
#include "arch/x86/memmap.h"
#include "loader/bytes.h"
#include "loader/error.h"
#include "tests/unit/test.h"

/* Field offsets from the ACPI 6.3 specification (5.2.5 RSDP, 5.2.8 XSDT,
 * 5.2.9 FADT, 5.2.10 FACS, 5.2.12 MADT), not from acpi.c. */

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

struct tables {
	struct plan p;
	struct x86_acpi_direct d;
	const uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt, *facs;
};

/* The table at guest address GPA inside the tables blob, its checksum and
 * bounds checked. */
static const uint8_t *at(const struct tables *t, uint64_t gpa, const char *sig)
{
	const struct acpi_placed *b = &t->d.blob[1];
	const uint8_t *x;
	uint32_t len;

	ck_assert_uint_ge(gpa, b->gpa);
	ck_assert_uint_lt(gpa - b->gpa, b->len);
	x = b->data + (gpa - b->gpa);
	ck_assert_int_eq(memcmp(x, sig, 4), 0);
	len = bytes__get_le(x + 4, 4);
	ck_assert_uint_le(gpa - b->gpa + len, b->len);
	if (strcmp(sig, "FACS"))
		ck_assert_msg(sum(x, len) == 0, "%s checksum", sig);
	return x;
}

static void build(struct tables *t, uint32_t vcpus, bool fw_cfg)
{
	struct x86_acpi_cfg cfg = { .vcpus = vcpus, .fw_cfg = fw_cfg };
	uint64_t xsdt;

	plan__init(&t->p);
	ck_assert_msg(x86__acpi_direct(&t->p, &cfg, &t->d) == 0, "%s", err__msg());
	ck_assert_uint_eq(t->d.rsdp, X86_ACPI_RSDP_ADDR);
	ck_assert_uint_eq(t->d.blob[0].gpa, X86_ACPI_RSDP_ADDR);
	ck_assert_uint_eq(t->d.blob[1].gpa, X86_ACPI_TABLES_ADDR);
	ck_assert_uint_le(X86_ACPI_TABLES_ADDR + t->d.blob[1].len, X86_HIGH_MEM);

	t->rsdp = t->d.blob[0].data;
	ck_assert_uint_eq(t->d.blob[0].len, 36);
	ck_assert_int_eq(memcmp(t->rsdp, "RSD PTR ", 8), 0);
	ck_assert_uint_eq(t->rsdp[15], 2);
	ck_assert_uint_eq(sum(t->rsdp, 20), 0);
	ck_assert_uint_eq(sum(t->rsdp, 36), 0);
	ck_assert_uint_eq(bytes__get_le(t->rsdp + 20, 4), 36);
	xsdt = bytes__get_le(t->rsdp + 24, 8);
	t->xsdt = at(t, xsdt, "XSDT");
	ck_assert_uint_eq(bytes__get_le(t->xsdt + 4, 4), 36 + 2 * 8);
	t->fadt = at(t, bytes__get_le(t->xsdt + 36, 8), "FACP");
	t->madt = at(t, bytes__get_le(t->xsdt + 44, 8), "APIC");
	t->facs = at(t, bytes__get_le(t->fadt + 36, 4), "FACS");
	t->dsdt = at(t, bytes__get_le(t->fadt + 40, 4), "DSDT");
	ck_assert_uint_eq(bytes__get_le(t->fadt + 140, 8), bytes__get_le(t->fadt + 40, 4));
	ck_assert_uint_eq(bytes__get_le(t->fadt + 132, 8), 0);        /* X_FIRMWARE_CTRL */
}

static void gas(const uint8_t *g, uint8_t bits, uint64_t port)
{
	ck_assert_uint_eq(g[0], 1);             /* system I/O */
	ck_assert_uint_eq(g[1], bits);
	ck_assert_uint_eq(g[2], 0);
	ck_assert_uint_eq(bytes__get_le(g + 4, 8), port);
}

START_TEST(fadt_and_facs)
{
	struct tables t;
	const uint8_t *f;

	build(&t, 2, false);
	f = t.fadt;
	ck_assert_uint_eq(bytes__get_le(f + 4, 4), 276);
	ck_assert_uint_eq(f[8], 6);             /* FADT revision 6 ... */
	ck_assert_uint_eq(f[131], 3);           /* ... minor 3: ACPI 6.3 */
	ck_assert_uint_eq(bytes__get_le(f + 46, 2), 9);                /* SCI_INT */
	ck_assert_uint_eq(bytes__get_le(f + 48, 4), 0);                /* no SMI_CMD */
	ck_assert_uint_eq(bytes__get_le(f + 56, 4), 0xb000);           /* PM1a_EVT_BLK */
	ck_assert_uint_eq(bytes__get_le(f + 64, 4), 0xb004);           /* PM1a_CNT_BLK */
	ck_assert_uint_eq(bytes__get_le(f + 76, 4), 0xb008);           /* PM_TMR_BLK */
	ck_assert_uint_eq(bytes__get_le(f + 80, 4), 0);                /* no GPE0 */
	ck_assert_uint_eq(f[88], 4);
	ck_assert_uint_eq(f[89], 2);
	ck_assert_uint_eq(f[91], 4);
	ck_assert_uint_gt(bytes__get_le(f + 96, 2), 100);              /* no C2 */
	ck_assert_uint_gt(bytes__get_le(f + 98, 2), 1000);             /* no C3 */
	ck_assert_uint_eq(f[108], 0x32);                               /* CMOS century */
	ck_assert_uint_eq(bytes__get_le(f + 109, 2) & 0x2, 0);         /* no 8042 */
	ck_assert_uint_eq(bytes__get_le(f + 109, 2) & 0x20, 0);        /* a CMOS RTC */
	ck_assert_uint_eq(bytes__get_le(f + 112, 4) & (1 << 8), 0);    /* 24-bit timer */
	ck_assert_uint_ne(bytes__get_le(f + 112, 4) & (1 << 10), 0);   /* RESET_REG_SUP */
	ck_assert_uint_eq(bytes__get_le(f + 112, 4) & (1 << 20), 0);   /* not HW-reduced */
	gas(f + 116, 8, 0xcf9);
	ck_assert_uint_eq(f[128], 0x06);
	gas(f + 148, 32, 0xb000);
	gas(f + 172, 16, 0xb004);
	gas(f + 208, 32, 0xb008);
	/* The FACS: 64 bytes, 64-byte aligned, version 2. */
	ck_assert_uint_eq(bytes__get_le(f + 36, 4) % 64, 0);
	ck_assert_uint_eq(bytes__get_le(t.facs + 4, 4), 64);
	ck_assert_uint_eq(t.facs[32], 2);
	plan__exit(&t.p);
}
END_TEST

/* Every vCPU count the project allows: one enabled local APIC per vCPU
 * (UID = APIC id = index), the IOAPIC, both overrides and the NMI. */
START_TEST(madt_every_vcpu_count)
{
	for (uint32_t n = 1; n <= X86_ACPI_MAX_CPUS; n++) {
		unsigned lapics = 0, ioapics = 0, isos = 0, nmis = 0;
		struct tables t;
		const uint8_t *m, *e, *end;

		build(&t, n, false);
		m = t.madt;
		end = m + bytes__get_le(m + 4, 4);
		ck_assert_uint_eq(bytes__get_le(m + 36, 4), 0xfee00000);
		ck_assert_uint_eq(bytes__get_le(m + 40, 4), 1);        /* PCAT_COMPAT */
		for (e = m + 44; e < end; e += e[1]) {
			ck_assert_uint_ge(e[1], 2);
			switch (e[0]) {
			case 0:
				ck_assert_uint_eq(e[1], 8);
				ck_assert_uint_eq(e[2], lapics);
				ck_assert_uint_eq(e[3], lapics);
				ck_assert_uint_eq(bytes__get_le(e + 4, 4), 1);
				lapics++;
				break;
			case 1:
				ck_assert_uint_eq(e[1], 12);
				ck_assert_uint_eq(e[2], n);             /* the MP table's id */
				ck_assert_uint_eq(bytes__get_le(e + 4, 4), 0xfec00000);
				ck_assert_uint_eq(bytes__get_le(e + 8, 4), 0);
				ioapics++;
				break;
			case 2:
				ck_assert_uint_eq(e[1], 10);
				ck_assert_uint_eq(e[2], 0);
				if (e[3] == 0) {
					ck_assert_uint_eq(bytes__get_le(e + 4, 4), 2);
					ck_assert_uint_eq(bytes__get_le(e + 8, 2), 0);
				} else {
					ck_assert_uint_eq(e[3], 9);
					ck_assert_uint_eq(bytes__get_le(e + 4, 4), 9);
					ck_assert_uint_eq(bytes__get_le(e + 8, 2), 0xd);
				}
				isos++;
				break;
			case 4:
				ck_assert_uint_eq(e[1], 6);
				ck_assert_uint_eq(e[2], 0xff);
				ck_assert_uint_eq(e[5], 1);
				nmis++;
				break;
			default:
				ck_abort_msg("MADT entry type %u", e[0]);
			}
		}
		ck_assert_ptr_eq(e, end);
		ck_assert_uint_eq(lapics, n);
		ck_assert_uint_eq(ioapics, 1);
		ck_assert_uint_eq(isos, 2);
		ck_assert_uint_eq(nmis, 1);
		plan__exit(&t.p);
	}
}
END_TEST

static bool has(const uint8_t *p, size_t len, const void *needle, size_t n)
{
	return memmem(p, len, needle, n) != NULL;
}

START_TEST(dsdt_contents)
{
	struct tables t;
	const uint8_t *d;
	size_t len;
	char name[8];

	build(&t, 3, false);
	d = t.dsdt;
	len = bytes__get_le(d + 4, 4);
	ck_assert_uint_eq(d[8], 2);             /* 64-bit integers */
	/* COM1: PNP0501 at 0x3f8, IRQ 4; _S5 = Package { 0, 0, 0, 0 }. */
	ck_assert(has(d, len, "COM1", 4));
	ck_assert(has(d, len, "\x0c\x41\xd0\x05\x01", 5));
	ck_assert(has(d, len, "\x47\x01\xf8\x03\xf8\x03\x00\x08\x22\x10\x00\x79\x00", 13));
	ck_assert(has(d, len, "\x08_S5_\x12\x06\x04\x00\x00\x00\x00", 11));
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "C%03X", i);
		ck_assert(has(d, len, name, 4));
	}
	ck_assert(!has(d, len, "C003", 4));
	ck_assert(has(d, len, "ACPI0007", 8));
	ck_assert(!has(d, len, "QEMU0002", 8));
	plan__exit(&t.p);

	/* With fw_cfg: QEMU's device, ports 0x510-0x51b. */
	build(&t, 1, true);
	d = t.dsdt;
	len = bytes__get_le(d + 4, 4);
	ck_assert(has(d, len, "FWCF", 4));
	ck_assert(has(d, len, "QEMU0002", 8));
	ck_assert(has(d, len, "\x47\x01\x10\x05\x10\x05\x01\x0c", 8));
	plan__exit(&t.p);
}
END_TEST

START_TEST(vcpu_limits)
{
	struct x86_acpi_cfg cfg = { 0 };
	struct x86_acpi_direct d;
	struct plan p;

	plan__init(&p);
	ck_assert_int_eq(x86__acpi_direct(&p, &cfg, &d), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "vcpus: 0"));
	cfg.vcpus = X86_ACPI_MAX_CPUS + 1;
	ck_assert_int_eq(x86__acpi_direct(&p, &cfg, &d), -1);
	plan__exit(&p);
}
END_TEST

/* One builder: the fw_cfg files, linked by the script they come with at
 * the direct-boot addresses, are the direct-boot tables. */
START_TEST(fw_cfg_equals_direct)
{
	struct x86_acpi_cfg cfg = { .vcpus = 4, .fw_cfg = true };
	const struct fw_cfg_item *r, *tb, *ld;
	struct tables t;
	struct acpi_placed f[2];
	uint8_t *rsdp, *tables;

	build(&t, 4, true);
	ck_assert_int_eq(x86__acpi_fw_cfg(&t.p, &cfg), 0);
	ck_assert_uint_eq(t.p.fw_cfg.n, 3);
	r = fw_cfg_list__find(&t.p.fw_cfg, 0, ACPI_FILE_RSDP);
	tb = fw_cfg_list__find(&t.p.fw_cfg, 0, ACPI_FILE_TABLES);
	ld = fw_cfg_list__find(&t.p.fw_cfg, 0, ACPI_FILE_LOADER);
	ck_assert(r && tb && ld);
	ck_assert_uint_eq(tb->len, 0x20000);
	ck_assert_uint_eq(ld->len % 4096, 0);
	rsdp = malloc(r->len);
	tables = malloc(tb->len);
	memcpy(rsdp, r->data, r->len);
	memcpy(tables, tb->data, tb->len);
	/* Served unlinked: zero checksums, offsets in the pointers. */
	ck_assert_uint_eq(rsdp[8], 0);
	ck_assert_uint_lt(bytes__get_le(rsdp + 24, 8), tb->len);
	f[0] = (struct acpi_placed){ ACPI_FILE_RSDP, rsdp, r->len, X86_ACPI_RSDP_ADDR };
	f[1] = (struct acpi_placed){ ACPI_FILE_TABLES, tables, tb->len, X86_ACPI_TABLES_ADDR };
	ck_assert_int_eq(acpi__link(ld->data, ld->len, f, 2), 0);
	ck_assert_int_eq(memcmp(rsdp, t.d.blob[0].data, 36), 0);
	ck_assert_int_eq(memcmp(tables, t.d.blob[1].data, t.d.blob[1].len), 0);
	free(rsdp);
	free(tables);
	plan__exit(&t.p);
}
END_TEST

/* Writes every linked table to DIR as SIG.dat. */
static void dump(const struct tables *t, const char *dir)
{
	const uint8_t *tab[] = { t->fadt, t->madt, t->dsdt, t->facs, t->xsdt };
	char path[512];

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%.4s.dat", dir, (const char *)tab[i]);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fwrite(tab[i], 1, bytes__get_le(tab[i] + 4, 4), f);
		fclose(f);
	}
}

/* iasl's listing NAME in DIR, which must not flag a bad checksum. */
static char *decompiled(const char *dir, const char *name)
{
	static char buf[1 << 20];
	char path[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s missing", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	ck_assert_msg(!strstr(buf, "Incorrect checksum"), "%s: bad checksum", name);
	return buf;
}

/* iasl (Debian acpica-tools) decompiles every table we generate, finds no
 * bad checksum, and sees what we meant: 1, 2 and the most vCPUs. */
START_TEST(iasl_decompiles)
{
	static const uint32_t counts[] = { 1, 2, X86_ACPI_MAX_CPUS };
	char out[8192], err[8192];

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		char dir[] = "/tmp/cvm-acpi-XXXXXX";
		struct tables t;
		const char *s;
		char cmd[256];

		ck_assert_ptr_nonnull(mkdtemp(dir));
		build(&t, counts[i], true);
		dump(&t, dir);
		ck_assert_msg(test__run(dir, "iasl -d FACP.dat APIC.dat DSDT.dat FACS.dat XSDT.dat",
					out, sizeof(out), err, sizeof(err)) == 0,
			      "iasl: %s %s", out, err);
		ck_assert_ptr_null(strstr(out, "rror"));

		s = decompiled(dir, "APIC.dsl");
		ck_assert_uint_eq(test__count(s, "[Processor Local APIC]"), counts[i]);
		ck_assert_ptr_nonnull(strstr(s, "[I/O APIC]"));
		ck_assert_uint_eq(test__count(s, "[Interrupt Source Override]"), 2);
		ck_assert_ptr_nonnull(strstr(s, "[Local APIC NMI]"));

		s = decompiled(dir, "FACP.dsl");
		ck_assert_ptr_nonnull(strstr(s, "PM Timer Block Address : 0000B008"));
		ck_assert_ptr_nonnull(strstr(s, "PM1A Control Block Address : 0000B004"));
		ck_assert_ptr_nonnull(strstr(s, "SCI Interrupt : 0009"));
		ck_assert_ptr_nonnull(strstr(s, "Address : 0000000000000CF9"));

		s = decompiled(dir, "XSDT.dsl");
		ck_assert_uint_eq(test__count(s, "ACPI Table Address"), 2);

		s = decompiled(dir, "FACS.dsl");
		ck_assert_ptr_nonnull(strstr(s, "Version : 02"));

		s = decompiled(dir, "DSDT.dsl");
		ck_assert_ptr_nonnull(strstr(s, "EisaId (\"PNP0501\")"));
		ck_assert_ptr_nonnull(strstr(s, "IO (Decode16"));
		ck_assert_ptr_nonnull(strstr(s, "IRQNoFlags ()"));
		ck_assert_ptr_nonnull(strstr(s, "\"QEMU0002\""));
		ck_assert_ptr_nonnull(strstr(s, "Name (_S5, Package (0x04)"));
		ck_assert_uint_eq(test__count(s, "\"ACPI0007\""), counts[i]);
		/* ... and compiles back without a complaint. */
		ck_assert_int_eq(test__run(dir, "iasl DSDT.dsl", out, sizeof(out), err,
					   sizeof(err)), 0);
		ck_assert_ptr_nonnull(strstr(out, "0 Errors, 0 Warnings, 0 Remarks"));

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		ck_assert_int_eq(system(cmd), 0);
		plan__exit(&t.p);
	}
}
END_TEST

static Suite *x86_acpi_suite(void)
{
	Suite *s = suite_create("x86-acpi");
	TCase *t = tcase_create("tables");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, fadt_and_facs);
	tcase_add_test(t, madt_every_vcpu_count);
	tcase_add_test(t, dsdt_contents);
	tcase_add_test(t, vcpu_limits);
	tcase_add_test(t, fw_cfg_equals_direct);
	/* Check has no skip: say why on stdout instead of passing quietly. */
	if (system("command -v iasl >/dev/null 2>&1") == 0)
		tcase_add_test(t, iasl_decompiles);
	else
		printf("x86-acpi: SKIP iasl_decompiles: iasl not found (Debian acpica-tools, "
		       "installed by make deps)\n");
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(x86_acpi_suite)

/* The TDX launch plan, MRTD and the TDVF boot event model against the
 * known-answer vectors (EXPECTED-tdx.tsv, EVENTS-tdx-2G.tsv), in process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/error.h"
#include "loader/parse.h"
#include "loader/tdx.h"
#include "measure/mrtd.h"
#include "measure/tdvf-events.h"
#include "tests/unit/tdx-test.h"
#include "tests/unit/test.h"

#define TDX_FW "vectors/firmware/OVMF.inteltdx.ms.fd"

struct row {
	char firmware[512], order[32], acpi_tables[512], acpi_rsdp[512], acpi_loader[512];
	char memory[16], kernel[512], initrd[512], cmdline[256], separator[32];
};

/* Splits "k=v k2=\"v w\"" words and stores the values this test knows. */
static void parse_inputs(char *s, struct row *r)
{
#define KEY(name, field, path) { name, offsetof(struct row, field), sizeof(r->field), path }
	const struct {
		const char *key;
		size_t off, size;
		int path;
	} keys[] = {
		KEY("firmware", firmware, 1),       KEY("order", order, 0),
		KEY("acpi-tables", acpi_tables, 1), KEY("acpi-rsdp", acpi_rsdp, 1),
		KEY("acpi-loader", acpi_loader, 1), KEY("memory", memory, 0),
		KEY("kernel", kernel, 1),           KEY("initrd", initrd, 1),
		KEY("cmdline", cmdline, 0),         KEY("separator", separator, 0),
	};
#undef KEY

	memset(r, 0, sizeof(*r));
	while (*s) {
		char word[512], *eq, *w = word;
		int quoted = 0;
		size_t i;

		while (*s == ' ')
			s++;
		for (; *s && (quoted || *s != ' '); s++) {
			if (*s == '"')
				quoted = !quoted;
			else if (w < word + sizeof(word) - 1)
				*w++ = *s;
		}
		*w = 0;
		eq = strchr(word, '=');
		ck_assert_ptr_nonnull(eq);
		*eq = 0;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strcmp(word, keys[i].key))
				break;
		ck_assert_msg(i < sizeof(keys) / sizeof(keys[0]), "unknown input %s", word);
		if (keys[i].path) {
			char rel[512];

			snprintf(rel, sizeof(rel), "vectors/%s", eq + 1);
			snprintf((char *)r + keys[i].off, keys[i].size, "%s", test__shared(rel));
		} else {
			snprintf((char *)r + keys[i].off, keys[i].size, "%s", eq + 1);
		}
	}
}

static void hex(char *out, const uint8_t *d)
{
	for (int i = 0; i < 48; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* Builds the plan and, for rtmr rows, the event log; fills "H" (MRTD) or
 * "rtmr0=H rtmr1=H rtmr2=H" like the vector's expected column. */
static void compute(const struct row *r, int rtmr, char *out)
{
	struct tdx_launch cfg = { r->firmware, 2ull << 30 };
	struct blob k, i;
	struct tdx_layout layout;
	struct rtmr_log log;
	uint8_t d[48], reg[RTMR_COUNT][RTMR_SIZE];
	struct plan p;

	plan__init(&p);
	if (r->memory[0])
		ck_assert_int_eq(parse__size(r->memory, &cfg.mem_size), 0);
	ck_assert_msg(tdx__build_plan(&p, &cfg, &layout) == 0, "%s", err__msg());
	if (!rtmr) {
		ck_assert_int_eq(mrtd__replay(&p, strcmp(r->order, "two-pass") ? MRTD_SINGLE_PASS :
						  MRTD_TWO_PASS, d), 0);
		hex(out, d);
		plan__exit(&p);
		return;
	}
	ck_assert_int_eq(plan__map(&p, r->kernel, &k), 0);
	ck_assert_int_eq(plan__map(&p, r->initrd, &i), 0);
	tdx_test__acpi_files(&p, r->acpi_tables, r->acpi_rsdp, r->acpi_loader);
	{
		struct tdvf_boot b = {
			.layout = &layout, .plan = &p, .kernel = &k, .initrd = &i,
			.cmdline = r->cmdline,
			.separator = strcmp(r->separator, "pre-202411") ?
				     TDVF_SEPARATOR_POST_202411 : TDVF_SEPARATOR_PRE_202411,
		};

		ck_assert_msg(tdvf_events__build(&b, &log) == 0, "%s", err__msg());
	}
	rtmr__replay(&log, reg);
	ck_assert_mem_eq(reg[3], (uint8_t[48]){ 0 }, 48);
	for (int n = 0; n < 3; n++) {
		out += sprintf(out, "%srtmr%d=", n ? " " : "", n);
		hex(out, reg[n]);
		out += 96;
	}
	plan__exit(&p);
}

START_TEST(expected_rows)
{
	FILE *f = fopen(test__shared("vectors/EXPECTED-tdx.tsv"), "r");
	char line[4096];
	int rows = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		char *id, *kind, *inputs, *expected, got[512];
		struct row r;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = 0;
		id = strtok(line, "\t");
		kind = strtok(NULL, "\t");
		inputs = strtok(NULL, "\t");
		expected = strtok(NULL, "\t");
		ck_assert_ptr_nonnull(expected);
		parse_inputs(inputs, &r);
		compute(&r, !strcmp(kind, "tdx-rtmr"), got);
		ck_assert_msg(!strcmp(got, expected), "%s: got %s", id, got);
		rows++;
	}
	fclose(f);
	ck_assert_int_eq(rows, 10);
}
END_TEST

/* Every event of the 2 GiB vector, in log order: register, digest, name. */
START_TEST(events_2g)
{
	struct tdx_launch cfg = { test__shared(TDX_FW), 2ull << 30 };
	struct blob k, i;
	struct tdx_layout layout;
	struct rtmr_log log;
	char line[512];
	size_t n = 0;
	struct plan p;
	FILE *f;

	plan__init(&p);
	ck_assert_int_eq(tdx__build_plan(&p, &cfg, &layout), 0);
	ck_assert_int_eq(plan__map(&p, test__shared("vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64"), &k), 0);
	ck_assert_int_eq(plan__map(&p, test__shared("vectors/kernel/initrd.bin"), &i), 0);
	tdx_test__vector_acpi(&p, "quex_1c-nic");
	{
		struct tdvf_boot b = {
			.layout = &layout, .plan = &p, .kernel = &k, .initrd = &i,
			.cmdline = "console=ttyS0 root=/dev/vda1 ro",
		};

		ck_assert_int_eq(tdvf_events__build(&b, &log), 0);
	}

	f = fopen(test__shared("vectors/EVENTS-tdx-2G.tsv"), "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		char *reg, *digest, *desc, got[97];

		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = 0;
		reg = strtok(line, "\t");
		digest = strtok(NULL, "\t");
		desc = strtok(NULL, "\t");
		ck_assert_ptr_nonnull(desc);
		ck_assert_uint_lt(n, log.n);
		hex(got, log.ev[n].digest);
		ck_assert_msg(!strcmp(got, digest), "event %zu (%s): got %s", n, desc, got);
		ck_assert_uint_eq(log.ev[n].reg, reg[4] - '0');
		ck_assert_str_eq(log.ev[n].desc, desc);
		n++;
	}
	fclose(f);
	ck_assert_uint_eq(n, 20);
	ck_assert_uint_eq(log.n, n);
	plan__exit(&p);
}
END_TEST

/* One op per section in metadata order, each carrying what gets copied in. */
START_TEST(plan_ops)
{
	struct tdx_launch cfg = { test__shared(TDX_FW), 1ull << 30 };
	static const enum plan_kind kinds[] = { PLAN_TDX_EXTEND, PLAN_TDX_ADD, PLAN_TDX_ADD,
						PLAN_TDX_ADD, PLAN_TDX_ADD, PLAN_TDX_ADD };
	struct tdx_layout layout;
	struct plan p;

	plan__init(&p);
	ck_assert_int_eq(tdx__build_plan(&p, &cfg, &layout), 0);
	ck_assert_uint_eq(p.nops, 6);
	for (size_t i = 0; i < 6; i++)
		ck_assert_int_eq(p.ops[i].kind, kinds[i]);
	ck_assert_uint_eq(p.ops[0].gpa, 0xffc84000);
	ck_assert_uint_eq(p.ops[0].len, 0x37c000);
	ck_assert_ptr_eq(p.ops[0].data, layout.firmware.data + 0x84000);
	ck_assert_ptr_eq(p.ops[1].data, layout.firmware.data);
	ck_assert_str_eq(p.ops[1].what, "TDVF[1] CFV");
	ck_assert_ptr_null(p.ops[2].data);                      /* TempMem: zeros */
	ck_assert_str_eq(p.ops[4].what, "TDVF[4] TD_HOB");
	ck_assert_ptr_eq(p.ops[4].data, layout.hob);
	ck_assert_uint_eq(p.ops[4].len, 0x2000);
	ck_assert_uint_eq(layout.hob_gpa, 0x809000);
	ck_assert_uint_eq(p.entry.arg, 0x809000);
	ck_assert_uint_eq(p.mem_size, 1ull << 30);
	/* BFV and CFV span the firmware window; q35 keeps all 1 GiB low. */
	ck_assert_uint_eq(p.fw_gpa, 0xffc00000);
	ck_assert_uint_eq(p.fw_size, 0x400000);
	ck_assert_uint_eq(layout.below_4g, 1ull << 30);
	plan__exit(&p);
}
END_TEST

/* MRTD covers the HOB's GPA but not its contents: memory cannot move it. */
START_TEST(mrtd_ignores_memory)
{
	uint8_t a[48], b[48];
	uint64_t sizes[2] = { 512ull << 20, 5ull << 30 };
	uint8_t *out[2] = { a, b };

	for (int i = 0; i < 2; i++) {
		struct tdx_launch cfg = { test__shared(TDX_FW), sizes[i] };
		struct tdx_layout layout;
		struct plan p;

		plan__init(&p);
		ck_assert_int_eq(tdx__build_plan(&p, &cfg, &layout), 0);
		ck_assert_int_eq(mrtd__replay(&p, MRTD_SINGLE_PASS, out[i]), 0);
		plan__exit(&p);
	}
	ck_assert_mem_eq(a, b, 48);
}
END_TEST

START_TEST(bad_memory_and_firmware)
{
	struct tdx_launch cfg = { test__shared(TDX_FW), (1ull << 30) + 512 };
	struct tdx_layout layout;
	struct plan p;

	plan__init(&p);
	ck_assert_int_eq(tdx__build_plan(&p, &cfg, &layout), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "memory"));
	/* 4 MiB of RAM cannot hold TempMem at 8 MiB. */
	cfg.mem_size = 4ull << 20;
	ck_assert_int_eq(tdx__build_plan(&p, &cfg, &layout), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "TempMem"));
	plan__exit(&p);

	/* No TDVF metadata at all: bookworm's code-only image. */
	plan__init(&p);
	cfg.firmware = test__shared("vectors/firmware/bookworm_OVMF_CODE_4M.fd");
	cfg.mem_size = 1ull << 30;
	ck_assert_int_eq(tdx__build_plan(&p, &cfg, &layout), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "TDX metadata"));
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
	plan__exit(&p);
}
END_TEST

static Suite *tdx_suite(void)
{
	Suite *s = suite_create("tdx");
	TCase *t = tcase_create("vectors");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, expected_rows);
	tcase_add_test(t, events_2g);
	tcase_add_test(t, plan_ops);
	tcase_add_test(t, mrtd_ignores_memory);
	tcase_add_test(t, bad_memory_and_firmware);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(tdx_suite)

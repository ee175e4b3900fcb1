/* cvm-measure --mode tdx: MRTD from the launch plan, RTMR0-3 from the TDVF
 * direct-boot event model, their large digests computed side by side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/error.h"
#include "loader/outfile.h"
#include "loader/tdx.h"
#include "measure/jobs.h"
#include "measure/mrtd.h"
#include "measure/options.h"
#include "measure/output.h"
#include "measure/tdvf-events.h"

/* MRTD does not depend on the memory size; the plan still needs one. */
#define TDX_DEFAULT_MEM (2ull << 30)

struct mrtd_job {
	const struct plan *plan;
	enum mrtd_order order;
	uint8_t mrtd[MRTD_SIZE];
};

static int mrtd_run(void *arg)
{
	struct mrtd_job *j = arg;

	return mrtd__replay(j->plan, j->order, j->mrtd);
}

static int parse_choice(const char *opt, const char *val, const char *const names[2], int *out)
{
	if (!val)
		return 0;
	for (int i = 0; i < 2; i++) {
		if (!strcmp(val, names[i])) {
			*out = i;
			return 0;
		}
	}
	return err__set("%s: '%s' is not %s or %s", opt, val, names[0], names[1]);
}

/* Options that only mean something with another one. */
static int check_companions(const struct measure_opts *o)
{
	const char *needs_kernel[][2] = {
		{ "--initrd", o->initrd },              { "--append", o->append },
		{ "--acpi-tables", o->acpi_tables },    { "--acpi-rsdp", o->acpi_rsdp },
		{ "--acpi-loader", o->acpi_loader },    { "--tdx-separator", o->tdx_separator },
	};
	char missing[128] = "";

	if (!o->ovmf)
		return err__set("--mode tdx needs --ovmf");
	if (o->kernel_hash || o->initrd_hash)
		return err__set("%s: not usable with --mode tdx (the kernel's Authenticode digest and the initrd need the files)",
				o->kernel_hash ? "--kernel-hash" : "--initrd-hash");
	if (o->dump_td_hob && !o->memory)
		return err__set("--dump-td-hob needs --memory");
	if (!o->kernel) {
		for (size_t i = 0; i < sizeof(needs_kernel) / sizeof(needs_kernel[0]); i++)
			if (needs_kernel[i][1])
				return err__set("%s needs --kernel", needs_kernel[i][0]);
		return 0;
	}
	if (!o->memory)
		strcat(missing, " --memory");
	if (!o->acpi_tables)
		strcat(missing, " --acpi-tables");
	if (!o->acpi_rsdp)
		strcat(missing, " --acpi-rsdp");
	if (!o->acpi_loader)
		strcat(missing, " --acpi-loader");
	if (missing[0])
		return err__set("--kernel with --mode tdx needs%s", missing);
	return 0;
}

static void print_plan(FILE *f, const struct plan *p)
{
	for (size_t i = 0; i < p->nops; i++)
		fprintf(f, "%-20s %-15s gpa=%#llx len=%#llx\n", p->ops[i].what,
			plan__kind_name(p->ops[i].kind), (unsigned long long)p->ops[i].gpa,
			(unsigned long long)p->ops[i].len);
}

static void print_value(FILE *f, enum measure_format fmt, const char *key, const uint8_t *d)
{
	fprintf(f, "%s=", key);
	if (fmt == FORMAT_BASE64)
		out__base64(f, d, MRTD_SIZE);
	else
		out__hex(f, d, MRTD_SIZE);
	fputc('\n', f);
}

static void print_json(FILE *f, const uint8_t *mrtd, const struct rtmr_log *log,
		       uint8_t rtmr[RTMR_COUNT][RTMR_SIZE])
{
	fputs("{\"mrtd\": \"", f);
	out__hex(f, mrtd, MRTD_SIZE);
	fputc('"', f);
	if (log) {
		for (int i = 0; i < RTMR_COUNT; i++) {
			fprintf(f, ", \"rtmr%d\": \"", i);
			out__hex(f, rtmr[i], RTMR_SIZE);
			fputc('"', f);
		}
		fputs(", \"events\": [", f);
		for (size_t i = 0; i < log->n; i++) {
			const struct rtmr_event *e = &log->ev[i];

			fprintf(f, "%s{\"register\": %u, \"type\": \"%s\", \"digest\": \"", i ? ", " : "",
				e->reg, rtmr__type_name(e->type));
			out__hex(f, e->digest, RTMR_SIZE);
			fputs("\", \"description\": ", f);
			out__json_str(f, e->desc);
			fputc('}', f);
		}
		fputc(']', f);
	}
	fputs("}\n", f);
}

static void print_result(const struct measure_opts *o, const uint8_t *mrtd,
			 const struct rtmr_log *log)
{
	uint8_t rtmr[RTMR_COUNT][RTMR_SIZE];
	char key[8];

	if (log)
		rtmr__replay(log, rtmr);
	if (o->format == FORMAT_JSON) {
		print_json(stdout, mrtd, log, rtmr);
		return;
	}
	print_value(stdout, o->format, "mrtd", mrtd);
	for (int i = 0; log && i < RTMR_COUNT; i++) {
		snprintf(key, sizeof(key), "rtmr%d", i);
		print_value(stdout, o->format, key, rtmr[i]);
	}
}

/* QEMU hands the kernel and the ACPI blobs over fw_cfg, whose file sizes
 * are 32 bits: a larger file is refused before it is hashed. */
#define FW_CFG_MAX 0xffffffffull

/* The files the RTMR events hash, mapped for the plan's life. */
static int map_inputs(struct plan *p, const struct measure_opts *o, struct blob b[5])
{
	const char *const paths[5] = { o->kernel, o->acpi_tables, o->acpi_rsdp, o->acpi_loader,
				       o->initrd };

	for (int i = 0; i < 5; i++)
		if (paths[i] && plan__map_max(p, paths[i], FW_CFG_MAX, "QEMU's fw_cfg", &b[i]) < 0)
			return -1;
	return 0;
}

static int measure(const struct measure_opts *o, struct plan *p, struct rtmr_log *log,
		   uint8_t mrtd[MRTD_SIZE], struct outfiles *out)
{
	static const char *const orders[2] = { "single-pass", "two-pass" };
	static const char *const separators[2] = { "post-202411", "pre-202411" };
	struct tdx_launch cfg = { o->ovmf, o->memory ? o->memory : TDX_DEFAULT_MEM };
	struct mrtd_job mj = { .plan = p };
	int order = MRTD_SINGLE_PASS, sep = TDVF_SEPARATOR_POST_202411;
	struct job jobs[1 + TDVF_JOBS];
	struct tdx_layout layout;
	struct tdvf_digests d;
	struct blob files[5];
	struct tdvf_boot boot;
	size_t n = 0;

	if (check_companions(o) < 0 ||
	    parse_choice("--tdx-page-order", o->tdx_page_order, orders, &order) < 0 ||
	    parse_choice("--tdx-separator", o->tdx_separator, separators, &sep) < 0)
		return -1;
	if (tdx__build_plan(p, &cfg, &layout) < 0)
		return -1;
	if (o->verbose)
		print_plan(stderr, p);

	/* MRTD is one sequential stream, independent of the RTMR events: all
	 * large digests run as parallel jobs, the longest first. */
	mj.order = order;
	jobs[n++] = (struct job){ .fn = mrtd_run, .arg = &mj, .cost = mrtd__stream_bytes(p) };
	if (o->kernel) {
		size_t k;

		if (map_inputs(p, o, files) < 0)
			return -1;
		boot = (struct tdvf_boot){
			.layout = &layout, .mem_size = o->memory,
			.kernel = &files[0], .initrd = o->initrd ? &files[4] : NULL,
			.cmdline = o->append, .acpi_tables = &files[1],
			.acpi_rsdp = &files[2], .acpi_loader = &files[3],
			.separator = sep,
		};
		if (tdvf_events__jobs(&boot, &d, jobs + n, &k) < 0)
			return -1;
		n += k;
	}
	if (jobs__run(jobs, n) < 0 || (o->kernel && tdvf_events__log(&d, log) < 0))
		return -1;
	memcpy(mrtd, mj.mrtd, MRTD_SIZE);
	/* The HOB file only once everything else succeeded; renamed into
	 * place after the result is printed. */
	if (o->dump_td_hob && outfiles__stage(out, o->dump_td_hob, layout.hob, layout.hob_len) < 0)
		return -1;
	if (o->verbose) {
		fprintf(stderr, "MRTD stream: %llu bytes\n", (unsigned long long)jobs[0].cost);
		if (o->kernel)
			rtmr__print(stderr, log);
	}
	return 0;
}

int measure__tdx_cmd(const struct measure_opts *o)
{
	struct outfiles out = { 0 };
	uint8_t mrtd[MRTD_SIZE];
	struct rtmr_log log;
	struct plan p;
	int ret;

	plan__init(&p);
	ret = measure(o, &p, &log, mrtd, &out);
	if (ret == 0) {
		print_result(o, mrtd, o->kernel ? &log : NULL);
		if (fflush(stdout) || ferror(stdout))
			ret = err__set_status(CVM_EXIT_FAIL, "stdout: write error");
		else
			ret = outfiles__commit(&out);
	}
	outfiles__abort(&out);
	if (ret < 0)
		fprintf(stderr, "cvm-measure: %s\n", err__msg());
	plan__exit(&p);
	return ret == 0 ? 0 : err__status();
}

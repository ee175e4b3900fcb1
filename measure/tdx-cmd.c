/* cvm-measure --mode tdx: options and output around measure/tdx-measure.c
 * (MRTD from the launch plan, RTMR0-3 from the TDVF direct-boot event
 * model), with QEMU's q35 memory layout and its fw_cfg ACPI blobs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/error.h"
#include "loader/tdx.h"
#include "measure/options.h"
#include "measure/output.h"
#include "measure/tdx-measure.h"

/* MRTD does not depend on the memory size; the plan still needs one. */
#define TDX_DEFAULT_MEM (2ull << 30)

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

/* The whole HOB or nothing: a temporary file renamed into place. */
static int dump_hob(const char *path, const struct tdx_layout *l)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	FILE *f;
	int fd;

	if (!tmp)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	snprintf(tmp, n, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err__set("%s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	f = fdopen(fd, "wb");
	if (!f || fwrite(l->hob, 1, l->hob_len, f) != l->hob_len || fclose(f) != 0 ||
	    rename(tmp, path) < 0) {
		err__set("%s: %s", path, strerror(errno));
		if (!f)
			close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

static void print_plan(FILE *f, const struct plan *p)
{
	for (size_t i = 0; i < p->nops; i++)
		fprintf(f, "%-20s %-15s gpa=%#llx len=%#llx\n", p->ops[i].what,
			plan__kind_name(p->ops[i].kind), (unsigned long long)p->ops[i].gpa,
			(unsigned long long)p->ops[i].len);
}

static void print_json(FILE *f, const struct tdx_measurement *m)
{
	fputs("{\"mrtd\": \"", f);
	out__hex(f, m->mrtd, MRTD_SIZE);
	fputc('"', f);
	if (m->has_rtmr) {
		for (int i = 0; i < RTMR_COUNT; i++) {
			fprintf(f, ", \"rtmr%d\": \"", i);
			out__hex(f, m->rtmr[i], RTMR_SIZE);
			fputc('"', f);
		}
		fputs(", \"events\": [", f);
		for (size_t i = 0; i < m->log.n; i++) {
			const struct rtmr_event *e = &m->log.ev[i];

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

/* The kernel and initrd the RTMR events hash, mapped for the plan's life;
 * the ACPI blobs become the plan's fw_cfg files, as QEMU serves them. */
static int map_inputs(struct plan *p, const struct measure_opts *o, struct blob *kernel,
		      struct blob *initrd)
{
	const char *files[3][2] = {
		{ TDVF_FILE_LOADER, o->acpi_loader }, { TDVF_FILE_RSDP, o->acpi_rsdp },
		{ TDVF_FILE_TABLES, o->acpi_tables },
	};
	struct blob b;

	if (plan__map(p, o->kernel, kernel) < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if (plan__map(p, files[i][1], &b) < 0 ||
		    plan__add_file(p, files[i][0], b.data, b.size) < 0)
			return -1;
	return o->initrd ? plan__map(p, o->initrd, initrd) : 0;
}

static int measure(const struct measure_opts *o, struct plan *p, struct tdx_measurement *m)
{
	static const char *const orders[2] = { "single-pass", "two-pass" };
	static const char *const separators[2] = { "post-202411", "pre-202411" };
	struct tdx_launch cfg = { o->ovmf, o->memory ? o->memory : TDX_DEFAULT_MEM };
	int order = MRTD_SINGLE_PASS, sep = TDVF_SEPARATOR_POST_202411;
	struct tdx_layout layout;
	struct blob kernel, initrd;
	struct tdvf_boot boot;

	if (check_companions(o) < 0 ||
	    parse_choice("--tdx-page-order", o->tdx_page_order, orders, &order) < 0 ||
	    parse_choice("--tdx-separator", o->tdx_separator, separators, &sep) < 0)
		return -1;
	if (tdx__build_plan(p, &cfg, &layout) < 0)
		return -1;
	if (o->dump_td_hob && dump_hob(o->dump_td_hob, &layout) < 0)
		return -1;
	if (o->verbose)
		print_plan(stderr, p);
	if (o->kernel) {
		if (map_inputs(p, o, &kernel, &initrd) < 0)
			return -1;
		boot = (struct tdvf_boot){
			.layout = &layout, .plan = p, .kernel = &kernel,
			.initrd = o->initrd ? &initrd : NULL, .cmdline = o->append,
			.separator = sep,
		};
	}
	if (tdx_measure__run(p, order, o->kernel ? &boot : NULL, m) < 0)
		return -1;
	if (o->verbose) {
		fprintf(stderr, "MRTD stream: %llu bytes\n", (unsigned long long)m->mrtd_stream);
		if (m->has_rtmr)
			rtmr__print(stderr, &m->log);
	}
	return 0;
}

int measure__tdx_cmd(const struct measure_opts *o)
{
	struct tdx_measurement m;
	struct plan p;
	int ret;

	plan__init(&p);
	ret = measure(o, &p, &m);
	if (ret < 0)
		fprintf(stderr, "cvm-measure: %s\n", err__msg());
	else if (o->format == FORMAT_JSON)
		print_json(stdout, &m);
	else
		tdx_measure__print(stdout, o->format == FORMAT_BASE64, &m);
	plan__exit(&p);
	return ret == 0 ? 0 : err__status();
}

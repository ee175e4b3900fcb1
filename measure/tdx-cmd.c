/* cvm-measure --mode tdx: MRTD from the launch plan, RTMR0-3 from the TDVF
 * direct-boot event model, their large digests computed side by side.  The
 * plan is QEMU's launch (q35's TD HOB, the ACPI blobs as files), or with
 * --tdx-vmm cvm-run cvm-run's own TD, built by the code cvm-run builds it
 * with (loader/tdx-boot.h).
 *
 * A matrix of memory sizes (and with cvm-run's TD, of vCPU counts: every
 * combination) shares what depends on neither: MRTD (TDVF sections and their
 * contents, the TD HOB excepted, which PAGE.ADD does not measure: checked,
 * not assumed), the CFV and the initrd; the kernel's Authenticode digest
 * depends on the RAM below 4 GiB through QEMU's header patch, so it runs once
 * per distinct value of that; each entry's RTMR0 hashes its own small TD HOB
 * and ACPI tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/td-hob.h"
#include "loader/error.h"
#include "loader/outfile.h"
#include "loader/tdx-boot.h"
#include "loader/tdx.h"
#include "measure/digest.h"
#include "measure/hashpool.h"
#include "measure/jobs.h"
#include "measure/mrtd.h"
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

/* Options that only mean something with another one, or with one VMM:
 * QEMU's launch takes its ACPI tables as files, cvm-run's builds them for
 * --vcpus. */
static int check_companions(const struct measure_opts *o, bool cvm)
{
	const char *needs_kernel[][2] = {
		{ "--initrd", o->initrd },              { "--append", o->append },
		{ "--acpi-tables", o->acpi_tables },    { "--acpi-rsdp", o->acpi_rsdp },
		{ "--acpi-loader", o->acpi_loader },    { "--tdx-separator", o->tdx_separator },
		{ "--vcpus", o->vcpus_set ? "" : NULL },
	};
	const char *acpi = o->acpi_tables ? "--acpi-tables" : o->acpi_rsdp ? "--acpi-rsdp" :
			   o->acpi_loader ? "--acpi-loader" : NULL;
	char missing[128] = "";

	if (!o->ovmf)
		return err__set("--mode tdx needs --ovmf");
	if (o->dump_td_hob && !o->memory)
		return err__set("--dump-td-hob needs --memory");
	if (cvm && acpi)
		return err__set("%s: --tdx-vmm cvm-run builds its own ACPI tables", acpi);
	if (!cvm && o->vcpus_set)
		return err__set("--vcpus: only with --tdx-vmm cvm-run (QEMU's vCPUs reach RTMR0 "
				"through --acpi-tables)");
	if (!o->kernel) {
		for (size_t i = 0; i < sizeof(needs_kernel) / sizeof(needs_kernel[0]); i++)
			if (needs_kernel[i][1])
				return err__set("%s needs --kernel", needs_kernel[i][0]);
		return 0;
	}
	if (!o->memory)
		strcat(missing, " --memory");
	if (cvm && !o->vcpus_set)
		strcat(missing, " --vcpus");
	if (!cvm && !o->acpi_tables)
		strcat(missing, " --acpi-tables");
	if (!cvm && !o->acpi_rsdp)
		strcat(missing, " --acpi-rsdp");
	if (!cvm && !o->acpi_loader)
		strcat(missing, " --acpi-loader");
	if (missing[0])
		return err__set("--kernel with %s needs%s", cvm ? "--tdx-vmm cvm-run" : "--mode tdx",
				missing);
	return 0;
}

static void print_plan(FILE *f, const struct plan *p)
{
	for (size_t i = 0; i < p->nops; i++)
		fprintf(f, "%-20s %-15s gpa=%#llx len=%#llx\n", p->ops[i].what,
			plan__kind_name(p->ops[i].kind), (unsigned long long)p->ops[i].gpa,
			(unsigned long long)p->ops[i].len);
}

/* QEMU's ACPI blobs, mapped once (into the first plan) and served by every
 * plan of the run as the fw_cfg files TDVF measures; fw_cfg's sizes are 32
 * bits, so a larger file is refused before it is hashed. */
static int acpi_files(struct plan *plans, size_t n, size_t stride, const struct measure_opts *o)
{
	const char *const names[3] = { TDVF_FILE_TABLES, TDVF_FILE_RSDP, TDVF_FILE_LOADER };
	const char *const paths[3] = { o->acpi_tables, o->acpi_rsdp, o->acpi_loader };
	struct blob b[3];

	for (int f = 0; f < 3; f++)
		if (plan__map_max(plans, paths[f], FW_CFG_ITEM_MAX, "QEMU's fw_cfg", &b[f]) < 0)
			return -1;
	for (size_t i = 0; i < n; i++) {
		struct plan *p = (struct plan *)((char *)plans + i * stride);

		for (int f = 0; f < 3; f++)
			if (plan__add_file(p, names[f], b[f].data, b[f].size) < 0)
				return -1;
	}
	return 0;
}

/* Everything measured for one memory size and vCPU count. */
struct tdx_one {
	struct plan plan;
	struct tdx_layout layout;
	struct tdvf_boot boot;
	struct tdvf_digests d;
	struct rtmr_log log;
	struct tdx_mrtd_job mj;
	size_t same_mrtd, same_kernel;  /* the entry whose MRTD / kernel digest this one shares */
};

/* Whether two plans feed the TDX module the same stream. */
static bool same_mrtd_stream(const struct plan *a, const struct plan *b)
{
	if (a->nops != b->nops)
		return false;
	for (size_t i = 0; i < a->nops; i++) {
		const struct plan_op *x = &a->ops[i], *y = &b->ops[i];

		if (x->kind != y->kind || x->gpa != y->gpa || x->len != y->len)
			return false;
		if (x->kind == PLAN_TDX_EXTEND &&
		    (x->data_len != y->data_len || !x->data != !y->data ||
		     (x->data != y->data && memcmp(x->data, y->data, x->data_len))))
			return false;
	}
	return true;
}

struct tdx_run {
	const struct measure_opts *o;
	int order, cvm;
	enum tdvf_separator sep;
	struct tdx_one *one;
	size_t n;                       /* matrix entries, vCPU-major (out__entry) */
	enum out_axis axes;
};

/* The launch for matrix entry I: QEMU's (q35's TD HOB, the kernel served
 * with QEMU's patch; the ACPI files come later) or cvm-run's own, built by
 * the code cvm-run --tee tdx builds it with. */
static int plan_one(struct tdx_run *r, size_t i)
{
	const struct measure_opts *o = r->o;
	struct tdx_one *t = &r->one[i];
	struct out_result at;
	struct tdx_launch cfg = { o->ovmf, TDX_DEFAULT_MEM };
	struct x86_boot_cfg boot = { .kernel = o->kernel, .initrd = o->initrd,
				     .cmdline = o->append };

	out__entry(o, i, &at);
	cfg.mem_size = boot.mem_size = at.memory ? at.memory : TDX_DEFAULT_MEM;
	boot.vcpus = o->vcpus_set ? at.vcpus : 1;

	plan__init(&t->plan);
	t->plan.maps_from = i ? &r->one[0].plan : NULL;
	if (r->cvm ? tdx_boot__cvm_plan(&t->plan, o->ovmf, &boot, &t->layout) < 0 :
		     tdx__build_plan(&t->plan, &cfg, &t->layout) < 0 ||
		     (o->kernel && tdx_boot__serve(&t->plan, &t->layout, o->kernel, o->initrd,
						   o->append) < 0))
		return -1;
	t->same_mrtd = i;
	for (size_t k = 0; k < i && t->same_mrtd == i; k++)
		if (r->one[k].same_mrtd == k && same_mrtd_stream(&r->one[k].plan, &t->plan))
			t->same_mrtd = k;
	t->boot = (struct tdvf_boot){ .layout = &t->layout, .plan = &t->plan,
				      .separator = r->sep };
	t->same_kernel = i;
	for (size_t k = 0; k < i && t->same_kernel == i; k++)
		if (r->one[k].layout.below_4g == t->layout.below_4g)
			t->same_kernel = k;
	return 0;
}

/* The jobs: each distinct MRTD stream, the first entry's CFV and initrd, and
 * each distinct kernel patch; the longest run first (measure/jobs.h). */
static int run_jobs(struct tdx_run *r)
{
	size_t cap = 2 * r->n + TDVF_JOBS, n = 0, k;
	struct job *jobs = calloc(cap, sizeof(*jobs));
	int ret = -1;

	if (!jobs)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < r->n; i++) {
		struct tdx_one *t = &r->one[i];

		t->mj = (struct tdx_mrtd_job){ .plan = &t->plan, .order = r->order };
		if (t->same_mrtd == i)
			jobs[n++] = (struct job){ .fn = tdx_measure__mrtd_job, .arg = &t->mj,
						  .cost = mrtd__stream_bytes(&t->plan) };
		if (!r->o->kernel)
			continue;
		if (i == 0) {
			if (tdvf_events__jobs(&t->boot, &t->d, jobs + n, &k) < 0)
				goto out;
			n += k;
		} else if (t->same_kernel == i &&
			   tdvf_events__kernel_job(&t->boot, &t->d, &jobs[n++]) < 0) {
			goto out;
		}
	}
	if (jobs__run(jobs, n) < 0)
		goto out;
	for (size_t i = 0; i < r->n; i++) {
		struct tdx_one *t = &r->one[i];

		memcpy(t->mj.mrtd, r->one[t->same_mrtd].mj.mrtd, MRTD_SIZE);
		if (!r->o->kernel)
			continue;
		if (i) {
			uint8_t kernel[RTMR_SIZE];

			memcpy(kernel, r->one[t->same_kernel].d.kernel, RTMR_SIZE);
			t->d = r->one[0].d;     /* the same CFV and initrd */
			t->d.boot = &t->boot;
			memcpy(t->d.kernel, kernel, RTMR_SIZE);
		}
		if (tdvf_events__log(&t->d, &t->log) < 0)
			goto out;
	}
	ret = 0;
out:
	free(jobs);
	return ret;
}

static int measure(struct tdx_run *r)
{
	static const char *const orders[2] = { "single-pass", "two-pass" };
	static const char *const vmms[2] = { "qemu", "cvm-run" };
	const struct measure_opts *o = r->o;

	r->order = MRTD_SINGLE_PASS;
	r->sep = TDVF_SEPARATOR_POST_202411;
	if (parse_choice("--tdx-vmm", o->tdx_vmm, vmms, &r->cvm) < 0 ||
	    check_companions(o, r->cvm) < 0 ||
	    parse_choice("--tdx-page-order", o->tdx_page_order, orders, &r->order) < 0 ||
	    (o->tdx_separator && tdvf_separator__parse(o->tdx_separator, &r->sep) < 0))
		return -1;
	if (r->cvm && r->order != MRTD_SINGLE_PASS)
		return err__set("--tdx-page-order two-pass: cvm-run adds a TD's pages single-pass "
				"(KVM_TDX_INIT_MEM_REGION)");
	if (o->dump_td_hob && o->matrix)
		return err__set("--dump-td-hob takes one --memory size and one --vcpus count, "
				"not a list");
	r->axes = out__axes(o, &r->n);
	r->one = calloc(r->n, sizeof(*r->one));
	if (!r->one)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < r->n; i++)
		if (plan_one(r, i) < 0)
			return -1;
	if (o->kernel && !r->cvm && acpi_files(&r->one[0].plan, r->n, sizeof(r->one[0]), o) < 0)
		return -1;
	if (o->verbose)
		print_plan(stderr, &r->one[0].plan);
	if (run_jobs(r) < 0)
		return -1;
	if (o->verbose) {
		fprintf(stderr, "MRTD stream: %llu bytes\n",
			(unsigned long long)mrtd__stream_bytes(&r->one[0].plan));
		for (size_t i = 0; o->kernel && i < r->n; i++)
			rtmr__print(stderr, &r->one[i].log);
	}
	return 0;
}

/* The input files' SHA-256, for JSON, hashed side by side. */
static int doc_inputs(struct out_doc *d, const struct measure_opts *o)
{
	const char *const files[][2] = {
		{ "ovmf", o->ovmf }, { "kernel", o->kernel }, { "initrd", o->initrd },
		{ "acpi-tables", o->acpi_tables }, { "acpi-rsdp", o->acpi_rsdp },
		{ "acpi-loader", o->acpi_loader },
	};
	struct hash_job *jobs[sizeof(files) / sizeof(files[0])] = { NULL };
	struct hash_pool *hp = hash_pool__new(hash_pool__cpus() - 1);
	const uint8_t *sha;
	int ret = hp ? 0 : -1;

	for (size_t i = 0; !ret && i < sizeof(files) / sizeof(files[0]); i++)
		if (files[i][1] && !(jobs[i] = hash_pool__file(hp, digest__sha256(), files[i][1], 0, NULL)))
			ret = -1;
	for (size_t i = 0; !ret && i < sizeof(files) / sizeof(files[0]); i++) {
		if (!jobs[i])
			continue;
		if (!(sha = hash_job__wait(jobs[i], 0))) {
			ret = -1;
			break;
		}
		d->in[d->nin] = (struct out_input){ files[i][0], files[i][1], { 0 }, true };
		memcpy(d->in[d->nin++].sha256, sha, 32);
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		hash_job__free(jobs[i]);
	hash_pool__free(hp);
	return ret;
}

static void one_result(const struct tdx_run *r, const struct tdx_one *t, struct out_result *res)
{
	static const char *const keys[RTMR_COUNT][2] = {
		{ "rtmr0", "rtmr_0" }, { "rtmr1", "rtmr_1" }, { "rtmr2", "rtmr_2" },
		{ "rtmr3", NULL },      /* extended by the running guest, no launch value */
	};
	uint8_t rtmr[RTMR_COUNT][RTMR_SIZE];

	out__value(res, "mrtd", "mr_td", t->mj.mrtd, MRTD_SIZE);
	if (!r->o->kernel)
		return;
	rtmr__replay(&t->log, rtmr);
	for (int i = 0; i < RTMR_COUNT; i++)
		out__value(res, keys[i][0], keys[i][1], rtmr[i], RTMR_SIZE);
}

static int print_result(const struct tdx_run *r)
{
	const struct measure_opts *o = r->o;
	struct out_doc d = {
		.mode = o->mode, .format = o->format, .nres = r->n,
		.axis = r->axes,
		.events = o->kernel ? &r->one[r->n - 1].log : NULL,
	};
	int ret;

	d.res = calloc(r->n, sizeof(*d.res));
	if (!d.res)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < r->n; i++) {
		out__entry(o, i, &d.res[i]);
		one_result(r, &r->one[i], &d.res[i]);
	}
	ret = 0;
	if (d.format == FORMAT_JSON) {
		ret = doc_inputs(&d, o);
		if (o->memory && !o->mem_matrix)
			out__opt_u64(&d, "memory", o->memory);
		else if (!o->mem_matrix)
			out__opt_str(&d, "memory", NULL);
		out__opt_str(&d, "tdx_page_order", r->order ? "two-pass" : "single-pass");
		out__opt_str(&d, "tdx_separator", !o->kernel ? NULL :
			     tdvf_separator__name(r->sep));
		out__opt_str(&d, "append", o->append_set ? o->append : NULL);
		out__opt_str(&d, "tdx_vmm", r->cvm ? "cvm-run" : "qemu");
		if (o->vcpus_set && !o->vcpu_matrix)
			out__opt_u64(&d, "vcpus", o->vcpus);
		else if (!o->vcpu_matrix)
			out__opt_str(&d, "vcpus", NULL);
	}
	if (ret == 0)
		ret = out__print(stdout, &d);
	free(d.res);
	return ret;
}

int measure__tdx_cmd(const struct measure_opts *o)
{
	struct tdx_run r = { .o = o };
	struct outfiles out = { 0 };
	int ret;

	/* The HOB file is staged once everything is measured and renamed into
	 * place only after the result is printed. */
	ret = measure(&r);
	if (ret == 0 && o->dump_td_hob)
		ret = outfiles__stage(&out, o->dump_td_hob, r.one[0].layout.hob,
				      r.one[0].layout.hob_len);
	if (ret == 0)
		ret = print_result(&r);
	if (ret == 0)
		ret = outfiles__commit(&out);
	outfiles__abort(&out);
	if (ret < 0)
		fprintf(stderr, "cvm-measure: %s\n", err__msg());
	for (size_t i = r.one ? r.n : 0; i-- > 0;)
		plan__exit(&r.one[i].plan);     /* the first, whose mappings all use, last */
	free(r.one);
	return ret == 0 ? 0 : err__status();
}

/* cvm-measure --mode cca: the Realm Initial Measurement of a realm launch.
 *
 * Without --realm-ops, of what cvm-run --tee realm launches on arm64: the
 * same plan builder (arch/arm64/realm.c) from --kernel, --initrd, --append,
 * --vcpus and --memory (cvm-run's defaults: 1 vCPU, 512 MiB) and the realm
 * options cvm-run shares (loader/realm-opts.c).
 *
 * Lists of vCPU counts and memory sizes give a matrix, every combination:
 * one plan per entry (the device tree depends on both, the RECs on the
 * vCPUs), replayed with the first entry's memo (measure/rim.h): the kernel's
 * and initrd's granules hashed once, and with the same realm parameters
 * (the IPA width follows the memory) the RIM after them taken as it was,
 * so only the DTB and the RECs are measured per entry.
 *
 * With --realm-ops, of any launch given as an operation script.  Its create
 * line carries the algorithm and the realm parameters; --rmm says whose
 * semantics apply (needed only when the script has RIPAS entries, which RMM
 * 1.0 measures and 2.0 does not); --hash, when given, must agree with the
 * create line: it is a check, never an override. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/realm.h"
#include "loader/error.h"
#include "loader/realm-ops.h"
#include "measure/corim.h"
#include "measure/digest.h"
#include "measure/options.h"
#include "measure/output.h"
#include "measure/rim.h"

struct run {
	const struct measure_opts *o;
	struct plan plan;               /* the launch measured last: the log's */
	struct plan first;              /* a matrix's first launch: the memo's bytes */
	struct rim_memo memo;
	struct realm_ops ro;
	struct rim_log log;
	enum out_axis axes;
	struct out_result *res;         /* one per matrix entry (out__entry) */
	size_t nres;
	size_t len;                     /* the hash's natural length */
};

static int check_rmm(struct run *r)
{
	const struct plan *p = &r->plan;

	if ((r->o->realm.given & REALM_OPT_HASH) && r->o->realm.hash != p->realm->hash)
		return err__set("--hash %s: %s creates the realm with %s",
				rim__hash_name(r->o->realm.hash), r->o->realm_ops,
				rim__hash_name(p->realm->hash));
	if (p->realm->rmm != PLAN_RMM_ANY)
		return 0;
	for (size_t i = 0; i < p->nops; i++)
		if (p->ops[i].kind == PLAN_REALM_RIPAS)
			return err__set("%s: %s: ripas: RMM 1.0 measures RIPAS entries and 2.0 does not: give --rmm 1.0 or --rmm 2.0",
					r->o->realm_ops, p->ops[i].what);
	return 0;
}

/* Which RMM versions the result holds for. */
static const char *rmm_label(const struct plan_realm *realm)
{
	if (realm->rmm == PLAN_RMM_1_0)
		return "1.0";
	if (realm->rmm == PLAN_RMM_2_0 || realm->hash == PLAN_REALM_SHA384)
		return "2.0";
	return "1.0+2.0";
}

/* The step as a script line would say it (data: the op names its line). */
static void describe(const struct run *r, const struct rim_step *s, char *buf, size_t n)
{
	const struct plan_realm *m = r->plan.realm;
	const struct plan_op *op = s->kind == RIM_STEP_CREATE ? NULL : &r->plan.ops[s->op];
	const struct plan_realm_rec *rec = op ? op->rec : NULL;
	int k;

	switch (s->kind) {
	case RIM_STEP_CREATE:
		snprintf(buf, n, "create %d 0x%llx %u %u %u %u %u", (int)m->hash,
			 (unsigned long long)m->flags0, m->s2sz, m->sve_vl, m->num_bps, m->num_wps,
			 m->pmu_num_ctrs);
		break;
	case RIM_STEP_RIPAS:
		snprintf(buf, n, "ripas 0x%llx 0x%llx%s", (unsigned long long)op->gpa,
			 (unsigned long long)(op->gpa + op->len), s->measured ? "" : " (not measured)");
		break;
	case RIM_STEP_DATA:
		snprintf(buf, n, "data 0x%llx %d (%s)", (unsigned long long)s->ipa,
			 op->kind == PLAN_REALM_DATA, op->what);
		break;
	case RIM_STEP_REC:
		k = snprintf(buf, n, "rec 0x%llx 0x%llx", (unsigned long long)rec->flags,
			     (unsigned long long)rec->pc);
		for (int i = 0; i < 8 && k > 0 && (size_t)k < n; i++)
			k += snprintf(buf + k, n - k, " 0x%llx", (unsigned long long)rec->gprs[i]);
		break;
	}
}

static void print_steps(FILE *f, const struct run *r)
{
	char line[256];

	for (size_t i = 0; i < r->log.n; i++) {
		describe(r, &r->log.s[i], line, sizeof(line));
		fprintf(f, "%4zu %-62s RIM=", i + 1, line);
		out__hex(f, r->log.s[i].rim, r->len);
		fputc('\n', f);
	}
}

static void json_hex(FILE *f, const char *key, const uint8_t *d, size_t n)
{
	fprintf(f, ", \"%s\": \"", key);
	out__hex(f, d, n);
	fputc('"', f);
}

static void json_step(FILE *f, const struct run *r, size_t i)
{
	static const char *const names[] = { "create", "ripas", "data", "rec" };
	const struct rim_step *s = &r->log.s[i];
	const struct plan_op *op = s->kind == RIM_STEP_CREATE ? NULL : &r->plan.ops[s->op];

	fprintf(f, "%s\n    {\"step\": %zu, \"op\": \"%s\"", i ? "," : "", i + 1, names[s->kind]);
	if (op) {
		fputs(", \"what\": ", f);
		out__json_str(f, op->what);
	}
	if (s->kind == RIM_STEP_RIPAS)
		fprintf(f, ", \"base\": \"0x%llx\", \"top\": \"0x%llx\", \"measured\": %s",
			(unsigned long long)op->gpa, (unsigned long long)(op->gpa + op->len),
			s->measured ? "true" : "false");
	if (s->kind == RIM_STEP_DATA)
		fprintf(f, ", \"ipa\": \"0x%llx\", \"measured\": %s", (unsigned long long)s->ipa,
			s->has_content ? "true" : "false");
	if (s->kind == RIM_STEP_REC) {
		fprintf(f, ", \"index\": %u, \"runnable\": %s, \"pc\": \"0x%llx\", \"gprs\": [", op->vcpu,
			s->measured ? "true" : "false", (unsigned long long)op->rec->pc);
		for (int g = 0; g < 8; g++)
			fprintf(f, "%s\"0x%llx\"", g ? ", " : "", (unsigned long long)op->rec->gprs[g]);
		fputc(']', f);
	}
	if (s->has_content)
		json_hex(f, "content", s->content, r->len);
	json_hex(f, "rim", s->rim, r->len);
	fputc('}', f);
}

/* The JSON log: one object per RMI call, with the RIM after it. */
static void json_steps(FILE *f, const void *ctx)
{
	const struct run *r = ctx;

	fputc('[', f);
	for (size_t i = 0; i < r->log.n; i++)
		json_step(f, r, i);
	fputs(r->log.n ? "\n  ]" : "]", f);
}

static int add_input(struct out_doc *d, const char *role, const char *path, const uint8_t *data,
		     size_t len)
{
	struct out_input *in = &d->in[d->nin++];

	*in = (struct out_input){ role, path, { 0 }, true };
	if (!EVP_Digest(len ? data : (const uint8_t *)"", len, in->sha256, NULL, digest__sha256(),
			NULL))
		return err__set_status(CVM_EXIT_FAIL, "sha256: hashing failed");
	return 0;
}

/* The bytes of the plan's op WHAT: the whole file the loader mapped. */
static int plan_input(const struct run *r, struct out_doc *d, const char *what, const char *path)
{
	for (size_t i = 0; path && i < r->plan.nops; i++)
		if (!strcmp(r->plan.ops[i].what, what))
			return add_input(d, what, path, r->plan.ops[i].data,
					 r->plan.ops[i].data_len);
	return path ? add_input(d, what, path, NULL, 0) : 0;   /* an empty initrd */
}

/* SHA-256 of every input: the script first, then its data files; or
 * cvm-run's kernel and initrd. */
static int doc_inputs(const struct run *r, struct out_doc *d)
{
	_Static_assert(REALM_OPS_MAX_FILES + 1 <= OUT_MAX_INPUTS, "room for every data file");
	if (!r->o->realm_ops)
		return plan_input(r, d, "kernel", r->o->kernel) < 0 ||
		       plan_input(r, d, "initrd", r->o->initrd) < 0 ? -1 : 0;
	for (size_t i = 0; i <= r->ro.nfiles; i++) {
		const struct blob *b = i ? &r->ro.files[i - 1].blob : &r->ro.script;

		if (add_input(d, i ? "data" : "realm-ops", i ? r->ro.files[i - 1].path :
			      r->o->realm_ops, b->data, b->size) < 0)
			return -1;
	}
	return 0;
}

static void doc_options(const struct run *r, struct out_doc *d)
{
	const struct plan_realm *m = r->plan.realm;

	if (!r->o->realm_ops) {
		if (!(r->axes & OUT_VCPUS))
			out__opt_u64(d, "vcpus", r->plan.vcpus);
		if (!(r->axes & OUT_MEMORY))
			out__opt_u64(d, "memory", r->plan.mem_size);
		out__opt_str(d, "append", r->o->append);
	}
	out__opt_str(d, "rmm", rmm_label(m));
	out__opt_str(d, "hash", rim__hash_name(m->hash));
	out__opt_hexnum(d, "flags0", m->flags0);
	out__opt_bool(d, "lpa2", m->flags0 & PLAN_REALM_LPA2);
	out__opt_bool(d, "sve", m->flags0 & PLAN_REALM_SVE);
	out__opt_bool(d, "pmu", m->flags0 & PLAN_REALM_PMU);
	out__opt_u64(d, "ipa_bits", m->s2sz);
	out__opt_u64(d, "sve_vl", m->sve_vl);
	out__opt_u64(d, "num_bps", m->num_bps);
	out__opt_u64(d, "num_wps", m->num_wps);
	out__opt_u64(d, "pmu_num_ctrs", m->pmu_num_ctrs);
}

/* hex and base64: "rim=..." (a matrix: a line per entry, "vcpus=2
 * memory=1G rim=..."); JSON: the RIM and the realm parameters' hash, with
 * the inputs, options and steps (a matrix: its last entry's), in every
 * mode's shape. */
static int print_doc(const struct run *r)
{
	struct out_doc d = { .mode = "cca", .format = r->o->format, .res = r->res,
			     .nres = r->nres, .axis = r->axes, .log_json = json_steps,
			     .log_ctx = r };

	if (d.format == FORMAT_JSON) {
		if (doc_inputs(r, &d) < 0)
			return -1;
		doc_options(r, &d);
	}
	return out__print(stdout, &d);
}

/* CoRIM: one reference-value triple per distinct RIM. */
static int print_corim(FILE *f, const struct run *r)
{
	uint8_t (*rims)[RIM_MAX] = calloc(r->nres, RIM_MAX);
	int ret;

	if (!rims)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < r->nres; i++)
		memcpy(rims[i], r->res[i].v[0].d, r->len);
	ret = corim__realm_comid(f, r->plan.realm->hash, (const uint8_t (*)[RIM_MAX])rims,
				 r->nres);
	free(rims);
	return ret;
}

static int print_result(const struct run *r)
{
	FILE *f = stdout;
	int ret = 0;

	if (r->o->verbose)
		print_steps(stderr, r);
	if (r->o->format == FORMAT_CORIM)
		ret = print_corim(f, r);
	else
		ret = print_doc(r);
	if (ret == 0 && (fflush(f) || ferror(f)))
		return err__set_status(CVM_EXIT_FAIL, "stdout: write error");
	return ret;
}

/* Options that have no meaning with an operation script, whose create
 * line and data lines say it all. */
static int check_script_opts(const struct measure_opts *o)
{
	const char *opt = o->kernel ? "--kernel" : o->initrd ? "--initrd" :
			  o->append_set ? "--append" : o->vcpus_set ? "--vcpus" :
			  o->memory ? "--memory" : realm_opts__given(&o->realm, REALM_OPT_PARAMS);

	if (opt)
		return err__set("%s: not with --realm-ops (the script's create and data lines "
				"say what it launches)", opt);
	return 0;
}

static int load_script(struct run *r)
{
	const struct measure_opts *o = r->o;

	return check_script_opts(o) < 0 ||
	       realm_ops__load(&r->plan, &r->ro, o->realm_ops, o->realm.rmm) < 0 ||
	       check_rmm(r) < 0 ? -1 : 0;
}

/* cvm-run --tee realm's plan for matrix entry I, with its defaults. */
static int build_own(struct run *r, size_t i)
{
	const struct measure_opts *o = r->o;
	struct arm64_boot_cfg cfg = { .kernel = o->kernel, .initrd = o->initrd,
				      .cmdline = o->append };

	if (!o->kernel)
		return err__set("--mode cca: give --kernel (cvm-run --tee realm's launch) or "
				"--realm-ops FILE (any other)");
	out__entry(o, i, &r->res[i]);
	cfg.mem_size = r->res[i].memory ? r->res[i].memory : 512ull << 20;
	cfg.vcpus = o->vcpus_set ? r->res[i].vcpus : 1;
	return arm64__build_realm_plan(&r->plan, &cfg, &o->realm);
}

/* Entry I's RIM into its result (JSON: and the realm parameters' hash);
 * the plan of every entry but the last is let go, the first's kept for the
 * memo's bytes. */
static int measure_one(struct run *r, size_t i)
{
	const struct measure_opts *o = r->o;
	bool logged = o->verbose || o->format == FORMAT_JSON;
	uint8_t rim[RIM_MAX];

	r->log.n = 0;           /* the log is the last entry's */
	r->plan.maps_from = i ? &r->first : NULL;
	if ((o->realm_ops ? load_script(r) : build_own(r, i)) < 0 ||
	    rim__replay_memo(&r->plan, rim, logged ? &r->log : NULL,
			     r->nres > 1 ? &r->memo : NULL) < 0)
		return -1;
	r->len = rim__hash_size(r->plan.realm->hash);
	out__value(&r->res[i], "rim", NULL, rim, r->len);
	if (o->format == FORMAT_JSON)
		out__value(&r->res[i], "realm_params_hash", NULL, r->log.s[0].rim, r->len);
	if (i + 1 < r->nres) {
		if (i == 0)
			r->first = r->plan;
		else
			plan__exit(&r->plan);
		plan__init(&r->plan);
	}
	return 0;
}

static int run(struct run *r)
{
	r->axes = out__axes(r->o, &r->nres);
	r->res = calloc(r->nres, sizeof(*r->res));
	if (!r->res)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < r->nres; i++)
		if (measure_one(r, i) < 0)
			return -1;
	return print_result(r);
}

int measure__cca_cmd(const struct measure_opts *o)
{
	struct run r = { .o = o };
	int ret;

	plan__init(&r.plan);
	plan__init(&r.first);
	ret = run(&r);
	if (ret < 0)
		fprintf(stderr, "cvm-measure: %s\n", err__msg());
	free(r.res);
	rim_log__exit(&r.log);
	rim_memo__exit(&r.memo);
	realm_ops__exit(&r.ro);
	plan__exit(&r.plan);
	plan__exit(&r.first);
	return ret < 0 ? err__status() : 0;
}

/* cvm-measure --mode sev|seves|snp|snp:ovmf-hash|snp:svsm: the semantics
 * of sev-snp-measure 0.0.13, computed by replaying the launch plan that
 * loader/sev.c builds.
 *
 * The kernel's SHA-256 is the longest single hash and nothing can split it,
 * so it starts first, on a worker; meanwhile the firmware alone is planned
 * and replayed (SNP: exactly the snp:ovmf-hash digest), and the full plan
 * continues from there once the hashes table can be filled in. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86/vmsa.h"
#include "loader/error.h"
#include "loader/outfile.h"
#include "loader/parse.h"
#include "loader/sev.h"
#include "measure/digest.h"
#include "measure/hashpool.h"
#include "measure/options.h"
#include "measure/output.h"
#include "measure/sev-ld.h"
#include "measure/snp.h"

#define MAX_LD 48

/* A file the measurement depends on; JSON reports each with its SHA-256. */
struct input {
	const char *role;
	const char *path;       /* NULL: only the digest was given */
	struct hash_job *job;
	uint8_t given[32];
};

enum { IN_OVMF, IN_KERNEL, IN_INITRD, IN_SVSM, IN_VARS, IN_COUNT };

struct run {
	const struct measure_opts *o;
	bool ovmf_hash_only;            /* snp:ovmf-hash */
	struct sev_launch cfg;
	struct sev_hashes hashes;
	bool have_sig;
	uint8_t seed[SNP_LD_SIZE];      /* --snp-ovmf-hash */
	bool seeded;
	struct input in[IN_COUNT];
	struct hash_pool *pool;
	struct plan fw, plan;           /* the firmware alone; the whole launch */
	struct oplog log;
	uint8_t ld[MAX_LD];
	size_t ldlen;
};

static int parse_mode(struct run *r, const char *mode)
{
	static const struct {
		const char *name;
		enum sev_mode mode;
	} modes[] = {
		{ "sev", SEV_MODE_SEV }, { "seves", SEV_MODE_SEV_ES }, { "snp", SEV_MODE_SNP },
		{ "snp:ovmf-hash", SEV_MODE_SNP }, { "snp:svsm", SEV_MODE_SNP_SVSM },
	};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(mode, modes[i].name)) {
			r->cfg.mode = modes[i].mode;
			r->ovmf_hash_only = !strcmp(mode, "snp:ovmf-hash");
			return 0;
		}
	}
	return err__set("--mode: unknown guest mode '%s'", mode);
}

static bool given(const char *s)
{
	return s && *s;
}

static bool is_snp(const struct run *r)
{
	return r->cfg.mode == SEV_MODE_SNP || r->cfg.mode == SEV_MODE_SNP_SVSM;
}

/* QEMU needs a vCPU signature (loader/sev-opts.c has the precedence); ec2
 * and gce put a fixed value in RDX. */
static int vcpu_sig(struct run *r)
{
	int have = sev_opts__vcpu_sig(&r->o->sev, &r->cfg.vcpu_sig);

	if (have < 0)
		return -1;
	if (!have && r->cfg.vmm == SEV_VMM_QEMU)
		return err__set("missing --vcpu-type or --vcpu-sig or --vcpu-family in guest mode '%s'",
				r->o->mode);
	r->have_sig = have;
	return 0;
}

static int check_opts(struct run *r)
{
	const struct measure_opts *o = r->o;
	bool kernel = given(o->kernel) || o->kernel_hash;

	if (parse_mode(r, o->mode) < 0)
		return -1;
	if (o->format == FORMAT_RVPS && (!is_snp(r) || r->ovmf_hash_only))
		return err__set("--output-format rvps: Trustee takes SNP launch measurements (snp, snp:svsm) and TDX ones, no '%s' digest",
				o->mode);
	if (r->ovmf_hash_only)
		return 0;
	if (given(o->kernel) && o->kernel_hash)
		return err__set("--kernel-hash: not allowed with --kernel");
	if (given(o->initrd) && o->initrd_hash)
		return err__set("--initrd-hash: not allowed with --initrd");
	if ((given(o->initrd) || o->initrd_hash) && !kernel)
		return err__set("--kernel required when using --initrd");
	if (given(o->append) && !kernel)
		return err__set("--kernel required when using --append");
	if (r->cfg.mode != SEV_MODE_SEV && !o->vcpus_set)
		return err__set("missing --vcpus N in guest mode '%s'", o->mode);
	/* The smallest count (a matrix is sorted): 0 measures a guest that
	 * cannot start, and has no VMSA to end its chain at. */
	if (r->cfg.mode != SEV_MODE_SEV && (o->nvcpu_list ? o->vcpu_list[0] : o->vcpus) == 0)
		return err__set("--vcpus 0: a guest in mode '%s' starts at least one vCPU from its VMSA",
				o->mode);
	if (sev_vmm__parse(o->vmm_type ? o->vmm_type : "QEMU", &r->cfg.vmm) < 0)
		return err__set("--vmm-type: unknown VMM type '%s'", o->vmm_type);
	if (r->cfg.mode != SEV_MODE_SEV && vcpu_sig(r) < 0)
		return -1;
	if (o->snp_ovmf_hash) {
		if (parse__hex(o->snp_ovmf_hash, r->seed, SNP_LD_SIZE) < 0)
			return err__set("--snp-ovmf-hash: expected %d hex digits", 2 * SNP_LD_SIZE);
		r->seeded = true;
	}
	if (o->kernel_hash && parse__hex(o->kernel_hash, r->hashes.kernel, 32) < 0)
		return err__set("--kernel-hash: expected 64 hex digits");
	if (o->initrd_hash && parse__hex(o->initrd_hash, r->hashes.initrd, 32) < 0)
		return err__set("--initrd-hash: expected 64 hex digits");
	if (r->cfg.mode == SEV_MODE_SNP_SVSM) {
		if (!given(o->svsm))
			return err__set("snp:svsm mode requires --svsm");
		if (!given(o->vars_file) && !o->vars_size)
			return err__set("snp:svsm mode requires --vars-size or --vars-file");
	}
	r->cfg.vcpus = o->vcpus;
	r->cfg.guest_features = o->sev.guest_features;
	r->cfg.era = vmsa__default_era(r->cfg.vmm);
	r->cfg.vars_size = o->vars_size;
	return 0;
}

/* Every SEV input lives below 4 GiB: QEMU's x86 loader keeps -kernel and
 * -initrd there (ramdisk_size is 32 bits), the firmware, SVSM and vars sit
 * under 4 GiB.  A larger file could never be launched: refused before it
 * is hashed. */
#define SEV_FILE_MAX 0xffffffffull

/* Input I at PATH: its SHA-256 starts now when the measurement needs it
 * (NEED) or JSON reports it. */
static int open_input(struct run *r, int i, const char *role, const char *path, bool need,
		      const EVP_MD *sha256)
{
	struct input *in = &r->in[i];

	in->role = role;
	in->path = path;
	if (!need && r->o->format != FORMAT_JSON)
		return 0;
	in->job = hash_pool__file(r->pool, sha256, path, SEV_FILE_MAX,
				  "a guest's layout below 4 GiB");
	return in->job ? 0 : -1;
}

/* Bytes in the file at PATH, 0 if it cannot be told (open_input says why). */
static off_t size_of(const char *path)
{
	struct stat st;

	return given(path) && stat(path, &st) == 0 ? st.st_size : 0;
}

/* The longer of kernel and initrd first: the first worker takes it at once,
 * and it is the long pole.  Kernel and initrd only enter the launch through
 * their digests; the images that are launched page by page are mapped for
 * the plan. */
static int open_inputs(struct run *r, const EVP_MD *sha256)
{
	const struct measure_opts *o = r->o;
	bool svsm = r->cfg.mode == SEV_MODE_SNP_SVSM && !r->ovmf_hash_only;
	bool initrd_first = size_of(o->initrd) > size_of(o->kernel);
	uint64_t vars_size;

	for (int k = 0; k < 2 && !r->ovmf_hash_only; k++) {
		bool kernel = k == initrd_first;

		if (kernel && given(o->kernel) &&
		    open_input(r, IN_KERNEL, "kernel", o->kernel, true, sha256) < 0)
			return -1;
		if (!kernel && given(o->initrd) &&
		    open_input(r, IN_INITRD, "initrd", o->initrd, true, sha256) < 0)
			return -1;
	}
	if (open_input(r, IN_OVMF, "ovmf", o->ovmf, false, sha256) < 0 ||
	    plan__map(&r->plan, o->ovmf, &r->cfg.firmware) < 0)
		return -1;
	if (svsm && (open_input(r, IN_SVSM, "svsm", o->svsm, false, sha256) < 0 ||
		     plan__map(&r->plan, o->svsm, &r->cfg.svsm) < 0))
		return -1;
	if (svsm && given(o->vars_file)) {
		int fd = blob__open_fd(o->vars_file, SEV_FILE_MAX, "a guest's layout below 4 GiB",
				       &vars_size);

		if (fd < 0)
			return -1;
		close(fd);
		if (open_input(r, IN_VARS, "vars", o->vars_file, false, sha256) < 0)
			return -1;
		r->cfg.vars_size = vars_size;
	}
	if (o->kernel_hash) {
		r->in[IN_KERNEL].role = "kernel";
		memcpy(r->in[IN_KERNEL].given, r->hashes.kernel, 32);
	}
	if (o->initrd_hash) {
		r->in[IN_INITRD].role = "initrd";
		memcpy(r->in[IN_INITRD].given, r->hashes.initrd, 32);
	}
	return 0;
}

/* The hashes table, once the file digests are in (the table itself is
 * loader/sev-hashes.c's).  The initrd is waited for first: whichever of the
 * two a worker did not take first (open_inputs), this thread hashes while
 * it waits. */
static int fill_hashes(struct run *r)
{
	const struct measure_opts *o = r->o;
	const uint8_t *initrd = o->initrd_hash ? r->hashes.initrd : NULL, *kernel = r->hashes.kernel;

	if (!given(o->kernel) && !o->kernel_hash)
		return 0;
	if (r->in[IN_INITRD].job && !(initrd = hash_job__wait(r->in[IN_INITRD].job, 0)))
		return -1;
	if (r->in[IN_KERNEL].job && !(kernel = hash_job__wait(r->in[IN_KERNEL].job, 0)))
		return -1;
	if (sev_hashes__fill(&r->hashes, kernel, initrd, o->append) < 0)
		return -1;
	r->cfg.hashes = &r->hashes;
	return 0;
}

/* The matrix reads its measurements from the log. */
static struct oplog *log_of(struct run *r)
{
	return r->o->verbose || r->o->format == FORMAT_JSON || r->o->matrix ? &r->log : NULL;
}

static int measure_snp(struct run *r, size_t nfw)
{
	struct snp_replay rp = { .pool = r->pool, .log = log_of(r) };

	r->ldlen = SNP_LD_SIZE;
	if (r->seeded) {
		memcpy(r->ld, r->seed, SNP_LD_SIZE);
	} else {
		memset(r->ld, 0, SNP_LD_SIZE);
		if (snp__replay(r->ld, &r->fw, &rp) < 0)
			return -1;
	}
	if (r->ovmf_hash_only)
		return 0;
	if (fill_hashes(r) < 0 || sev__build_plan(&r->plan, &r->cfg) < 0 ||
	    plan__validate(&r->plan) < 0)
		return -1;
	rp.skip = nfw;
	rp.log_skipped = r->seeded;
	return snp__replay(r->ld, &r->plan, &rp);
}

static int measure_sev(struct run *r, size_t nfw)
{
	struct sev_ld s;
	int ret = -1;

	r->ldlen = SEV_LD_SIZE;
	if (sev_ld__init(&s) < 0)
		goto out;
	if (sev_ld__replay(&s, &r->fw, 0, log_of(r)) < 0 || fill_hashes(r) < 0 ||
	    sev__build_plan(&r->plan, &r->cfg) < 0 || plan__validate(&r->plan) < 0 ||
	    sev_ld__replay(&s, &r->plan, nfw, log_of(r)) < 0 || sev_ld__final(&s, r->ld) < 0)
		goto out;
	ret = 0;
out:
	sev_ld__exit(&s);
	return ret;
}

/* vmsa<N>.bin in the current directory, staged: renamed into place only
 * once every one is written and the measurement printed. */
static int dump_vmsas(const struct plan *p, struct outfiles *out)
{
	for (size_t i = 0; i < p->nops; i++) {
		const struct plan_op *op = &p->ops[i];
		char path[32];

		if (op->kind != PLAN_VMSA)
			continue;
		snprintf(path, sizeof(path), "vmsa%u.bin", op->vcpu);
		if (outfiles__stage(out, path, op->data, op->len) < 0)
			return -1;
	}
	return 0;
}

/* The files, with their SHA-256 (JSON and RVPS need none of them). */
static int doc_inputs(struct out_doc *d, struct run *r)
{
	for (int i = 0; i < IN_COUNT; i++) {
		struct input *in = &r->in[i];
		struct out_input *o = &d->in[d->nin];
		const uint8_t *sha = in->given;

		if (!in->role)
			continue;
		if (in->job && !(sha = hash_job__wait(in->job, 0)))
			return -1;
		*o = (struct out_input){ .role = in->role, .path = in->path, .known = true };
		memcpy(o->sha256, sha, 32);
		d->nin++;
	}
	return 0;
}

static void doc_options(struct out_doc *d, struct run *r)
{
	const struct measure_opts *o = r->o;
	bool vmsas = r->cfg.mode != SEV_MODE_SEV && !r->ovmf_hash_only;

	if (vmsas) {
		if (!o->matrix)
			out__opt_u64(d, "vcpus", r->cfg.vcpus);
		if (r->have_sig)
			out__opt_hexnum(d, "vcpu_sig", r->cfg.vcpu_sig);
		else
			out__opt_str(d, "vcpu_sig", NULL);
		out__opt_str(d, "vmm_type", sev_vmm__name(r->cfg.vmm));
		out__opt_str(d, "vmsa_era", r->cfg.mode == SEV_MODE_SNP_SVSM ? "svsm" :
			     vmsa__era_name(r->cfg.era));
	}
	if (r->cfg.mode == SEV_MODE_SNP && !r->ovmf_hash_only)
		out__opt_hexnum(d, "guest_features", r->cfg.guest_features);
	if (r->cfg.mode == SEV_MODE_SNP_SVSM)
		out__opt_u64(d, "vars_size", r->cfg.vars_size);
	out__opt_digest(d, "snp_ovmf_hash", r->seeded ? r->seed : NULL, SNP_LD_SIZE);
	out__opt_str(d, "append", o->append_set && !r->ovmf_hash_only ? o->append : NULL);
}

/* The measurement with K vCPUs: the VMSA ops come last, one per vCPU, so it
 * is the running digest logged after op (ops - largest + K - 1). */
static int matrix_results(struct run *r, struct out_result *res)
{
	const struct measure_opts *o = r->o;
	size_t first = r->log.n - o->vcpus;

	if (r->log.n != r->plan.nops || r->plan.nops <= o->vcpus)
		return err__set_status(CVM_EXIT_FAIL, "the log does not match the plan");
	for (size_t i = 0; i < o->nvcpu_list; i++) {
		out__entry(o, i, &res[i]);
		out__value(&res[i], "measurement", is_snp(r) ? "snp_launch_measurement" : NULL,
			   r->log.e[first + res[i].vcpus - 1].digest, r->ldlen);
	}
	return 0;
}

static int print_result(struct run *r)
{
	const struct measure_opts *o = r->o;
	struct out_doc d = {
		.mode = o->mode, .format = o->format, .bare = true, .ops = &r->log,
	};
	int ret = -1;

	/* snp:ovmf-hash stays hex: it is the input of --snp-ovmf-hash. */
	if (r->ovmf_hash_only && d.format == FORMAT_BASE64)
		d.format = FORMAT_HEX;
	d.axis = out__axes(o, &d.nres);
	d.res = calloc(d.nres, sizeof(*d.res));
	if (!d.res)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	if (o->matrix ? matrix_results(r, d.res) < 0 : 0)
		goto out;
	if (!o->matrix)
		out__value(&d.res[0], "measurement", is_snp(r) && !r->ovmf_hash_only ?
			   "snp_launch_measurement" : NULL, r->ld, r->ldlen);
	if (d.format == FORMAT_JSON) {
		if (doc_inputs(&d, r) < 0)
			goto out;
		doc_options(&d, r);
	}
	if (o->verbose)
		oplog__print(stderr, &r->log);
	ret = out__print(stdout, &d);
out:
	free(d.res);
	return ret;
}

static int run(struct run *r)
{
	struct outfiles out = { 0 };
	const EVP_MD *sha256;
	int nfw, ret = -1;

	if (check_opts(r) < 0)
		goto out;
	r->pool = hash_pool__new(hash_pool__cpus() - 1);
	sha256 = digest__sha256();
	if (!r->pool || !sha256) {
		err__set_status(CVM_EXIT_FAIL, "cannot start hashing");
		goto out;
	}
	if (open_inputs(r, sha256) < 0)
		goto out;
	r->cfg.firmware_only = true;
	nfw = sev__build_plan(&r->fw, &r->cfg);
	if (nfw < 0)
		goto out;
	r->cfg.firmware_only = false;
	if ((is_snp(r) ? measure_snp(r, nfw) : measure_sev(r, nfw)) < 0)
		goto out;
	if (r->o->dump_vmsa && !r->ovmf_hash_only && dump_vmsas(&r->plan, &out) < 0)
		goto out;
	if (print_result(r) == 0)
		ret = outfiles__commit(&out);
out:
	outfiles__abort(&out);
	for (int i = 0; i < IN_COUNT; i++)
		hash_job__free(r->in[i].job);
	hash_pool__free(r->pool);
	return ret;
}

int measure__sev_cmd(const struct measure_opts *o)
{
	struct run r = { .o = o };
	int ret;

	plan__init(&r.fw);
	plan__init(&r.plan);
	ret = run(&r);
	if (ret < 0)
		fprintf(stderr, "cvm-measure: %s\n", err__msg());
	oplog__exit(&r.log);
	plan__exit(&r.fw);
	plan__exit(&r.plan);
	return ret < 0 ? err__status() : 0;
}

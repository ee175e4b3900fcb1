#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/blob.h"
#include "loader/error.h"
#include "loader/parse.h"
#include "vmm/config.h"
#include "vmm/expect.h"
#include "vmm/ini.h"
#include "vmm/tee.h"

#define MAX_CPUS 254    /* 8-bit APIC IDs (MADT), with one left for the IOAPIC */
#define CONFIG_MAX (1u << 20)   /* bytes of --config text */
#define STR_(x) #x
#define STR(x) STR_(x)

typedef int (*setter)(struct vm_config *c, const char *val, const char *name);

struct option_def {
	const char *name;
	char short_name;
	const char *arg;        /* NULL: a flag */
	setter set;
	const char *help;
	const char *path;       /* the value is a path after this prefix ("": all of it) */
};

static int set_file(const char **field, const char *v, const char *n)
{
	if (!*v)
		return err__set("%s: empty file name", n);
	*field = v;
	return 0;
}

static int set_kernel(struct vm_config *c, const char *v, const char *n)
{
	return set_file(&c->kernel, v, n);
}

static int set_firmware(struct vm_config *c, const char *v, const char *n)
{
	return set_file(&c->firmware, v, n);
}

static int set_firmware_log(struct vm_config *c, const char *v, const char *n)
{
	return set_file(&c->firmware_log, v, n);
}

static int set_initrd(struct vm_config *c, const char *v, const char *n)
{
	return set_file(&c->initrd, v, n);
}

static int set_params(struct vm_config *c, const char *v, const char *n)
{
	(void)n;
	c->params = v;
	return 0;
}

static int set_mem(struct vm_config *c, const char *v, const char *n)
{
	uint64_t m;

	if (parse__size_mib(v, &m) < 0)
		return err__set("%s: '%s' is not a size (MiB, or with a unit: 512M, 1.5G)", n, v);
	if (m < (16ull << 20) || m % 4096)
		return err__set("%s: %s: need at least 16M in whole 4 KiB pages", n, v);
	if (m > (1ull << 46))
		return err__set("%s: %s: more than 64 TiB", n, v);
	c->mem = m;
	return 0;
}

static int set_cpus(struct vm_config *c, const char *v, const char *n)
{
	uint64_t x;

	if (parse__u64(v, &x) < 0 || x < 1 || x > MAX_CPUS)
		return err__set("%s: '%s' is not a vCPU count from 1 to %d", n, v, MAX_CPUS);
	c->cpus = x;
	return 0;
}

static int set_console(struct vm_config *c, const char *v, const char *n)
{
	if (!strcmp(v, "stdio")) {
		c->console_file = NULL;
		return 0;
	}
	if (!strncmp(v, "file:", 5) && v[5]) {
		c->console_file = v + 5;
		return 0;
	}
	return err__set("%s: '%s': expected stdio or file:PATH", n, v);
}

static int set_timeout(struct vm_config *c, const char *v, const char *n)
{
	char *end;
	double t = strtod(v, &end);

	if (!*v || *end || !(t > 0) || t > INT_MAX)
		return err__set("%s: '%s' is not a positive number of seconds", n, v);
	c->timeout = t;
	return 0;
}

static int set_expect(struct vm_config *c, const char *v, const char *n)
{
	struct expect *e = expect__new(v, n);

	if (!e)
		return -1;
	expect__free(e);
	c->expect = v;
	return 0;
}

static int set_backend(struct vm_config *c, const char *v, const char *n)
{
	if (!strcmp(v, "guest-memfd"))
		c->backend = MEM_GUEST_MEMFD;
	else if (!strcmp(v, "anon"))
		c->backend = MEM_ANON;
	else
		return err__set("%s: '%s': expected guest-memfd or anon", n, v);
	c->backend_explicit = true;
	return 0;
}

static int set_tee(struct vm_config *c, const char *v, const char *n)
{
	if (!tee__known(v))
		return err__set("%s: '%s': expected none, sw-protected, sev, sev-es, snp, tdx, pkvm "
				"or realm", n, v);
	c->tee = v;
	return 0;
}

static int set_cpuid_disable(struct vm_config *c, const char *v, const char *n)
{
	(void)n;
	c->cpuid_disable = v;
	return 0;
}

static int set_pit(struct vm_config *c, const char *v, const char *n)
{
	if (strcmp(v, "on") && strcmp(v, "off"))
		return err__set("%s: '%s': expected on or off", n, v);
	c->pit = !strcmp(v, "on");
	return 0;
}

/* --tee tdx values: the backend checks them, it knows their format. */
static int set_string(const char **field, const char *v, const char *n)
{
	if (!*v)
		return err__set("%s: empty value", n);
	*field = v;
	return 0;
}

static int set_mrconfigid(struct vm_config *c, const char *v, const char *n)
{
	return set_string(&c->mrconfigid, v, n);
}

static int set_mrowner(struct vm_config *c, const char *v, const char *n)
{
	return set_string(&c->mrowner, v, n);
}

static int set_mrownerconfig(struct vm_config *c, const char *v, const char *n)
{
	return set_string(&c->mrownerconfig, v, n);
}

static int set_tdx_qgs(struct vm_config *c, const char *v, const char *n)
{
	return set_string(&c->tdx_qgs, v, n);
}

static int set_tdx_separator(struct vm_config *c, const char *v, const char *n)
{
	return set_string(&c->tdx_separator, v, n);
}

/* The options cvm-measure shares, parsed by the same code. */
static int set_sev(struct vm_config *c, const char *v, const char *n)
{
	return sev_opts__set(&c->sev, n, v);
}

static int set_realm(struct vm_config *c, const char *v, const char *n)
{
	return realm_opts__set(&c->realm, n, v);
}

/* GPA[,GPA...]: numbers as parse__u64 takes them (0x... for hex). */
static int set_peek(struct vm_config *c, const char *v, const char *n)
{
	char buf[24];

	c->npeek = 0;
	for (const char *p = v, *comma; ; p = comma + 1) {
		size_t len;

		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (c->npeek == CONFIG_PEEK_MAX)
			return err__set("%s: more than %d addresses", n, CONFIG_PEEK_MAX);
		snprintf(buf, sizeof(buf), "%.*s", (int)len, p);
		if (len >= sizeof(buf) || parse__u64(buf, &c->peek[c->npeek]) < 0)
			return err__set("%s: '%.*s' is not a guest-physical address", n, (int)len, p);
		c->npeek++;
		if (!comma)
			return 0;
	}
}

/* A flag: on from the command line, true or false in a config file. */
static int flag(const char *v, const char *n, bool *out)
{
	if (parse__flag(v, out) < 0)
		return err__set("%s %s: expected true or false", n, v);
	return 0;
}

static int set_dry_run(struct vm_config *c, const char *v, const char *n)
{
	return flag(v, n, &c->dry_run);
}

static int set_no_seccomp(struct vm_config *c, const char *v, const char *n)
{
	return flag(v, n, &c->no_seccomp);
}

/* The one option table: command line and config file keys alike.  Paths in
 * a config file are relative to the file. */
static const struct option_def defs[] = {
	{ "kernel", 'k', "FILE", set_kernel, "ELF kernel with a PVH note, or a bzImage", "" },
	{ "initrd", 'i', "FILE", set_initrd, "initial ramdisk", "" },
	{ "firmware", 0, "FILE", set_firmware, "OVMF/TDVF image, ending at 4 GiB, entered at its reset vector", "" },
	{ "firmware-log", 0, "FILE", set_firmware_log, "write the debug port 0x402 (OVMF's log) to FILE", "" },
	{ "params", 'p', "CMDLINE", set_params, "kernel command line" },
	{ "mem", 'm', "SIZE", set_mem, "guest RAM: MiB, or with a unit K/M/G/T (512, 1.5G); 16M in whole 4 KiB pages up to what KVM memslots hold (about 8T) (default 512M)" },
	{ "cpus", 'c', "N", set_cpus, "vCPUs, 1-" STR(MAX_CPUS) " (default 1)" },
	{ "console", 0, "stdio|file:PATH", set_console, "where the serial console goes (default stdio)", "file:" },
	{ "timeout", 0, "SECONDS", set_timeout, "stop the guest after this many seconds (> 0, fractions allowed); exit status 124" },
	{ "expect", 0, "REGEX", set_expect, "stop with status 0 when a console line matches (README: --expect syntax)" },
	{ "tee", 0, "BACKEND", set_tee, "none|sw-protected|sev|sev-es|snp|tdx|pkvm|realm (default none)" },
	{ "memory-backend", 0, "guest-memfd|anon", set_backend, "plain VM RAM backing (default guest-memfd)" },
	{ "cpuid-disable", 0, "FEATURE,...", set_cpuid_disable, "hide CPUID features by name (e.g. xsave,avx2)" },
	{ "pit", 0, "on|off", set_pit, "plain VM: KVM's i8254 PIT (default on; off saves its set-up and teardown)" },
	{ "mrconfigid", 0, "HEX", set_mrconfigid, "--tee tdx: MRCONFIGID, 48 bytes in hex" },
	{ "mrowner", 0, "HEX", set_mrowner, "--tee tdx: MROWNER, 48 bytes in hex" },
	{ "mrownerconfig", 0, "HEX", set_mrownerconfig, "--tee tdx: MROWNERCONFIG, 48 bytes in hex" },
	{ "tdx-qgs", 0, "unix:PATH|vsock:CID:PORT", set_tdx_qgs, "--tee tdx: relay GetQuote to this QGS", "unix:" },
	{ "tdx-separator", 0, "ERA", set_tdx_separator, "--tee tdx with -k: the TDVF's edk2 era for --dry-run's RTMRs, post-202411 (default) | pre-202411" },
	{ "peek", 0, "GPA,...", set_peek, "after the guest stops, show 16 bytes of its memory at each GPA (only what it shares)" },
	{ "dry-run", 0, NULL, set_dry_run, "print the launch plan and exit" },
	{ "vcpu-type", 0, "CPUTYPE", set_sev, "sev-es, snp: QEMU vCPU model giving the VMSA's RDX" },
	{ "vcpu-sig", 0, "VALUE", set_sev, "sev-es, snp: that signature, CPUID(1).EAX, directly" },
	{ "vcpu-family", 0, "N", set_sev, "sev-es, snp: ... or as family (with model, stepping)" },
	{ "vcpu-model", 0, "N", set_sev, "sev-es, snp: vCPU model" },
	{ "vcpu-stepping", 0, "N", set_sev, "sev-es, snp: vCPU stepping" },
	{ "guest-features", 0, "VALUE", set_sev, "snp: VMSA SEV_FEATURES (default 0x1)" },
	{ "snp-policy", 0, "VALUE", set_sev, "snp: guest policy (default 0x30000)" },
	{ "id-block", 0, "FILE", set_sev, "snp: 96-byte ID block for LAUNCH_FINISH (with --id-auth)", "" },
	{ "id-auth", 0, "FILE", set_sev, "snp: 4096-byte ID authentication structure", "" },
	{ "host-data", 0, "HEX", set_sev, "snp: 32 bytes of HOST_DATA for attestation reports" },
	{ "snp-certs", 0, "FILE", set_sev, "snp: certificate table served to the guest's reports", "" },
	{ "snp-cpuid-fixup", 0, NULL, set_sev, "snp: accept the firmware's CPUID corrections once" },
	{ "rmm", 0, "1.0|2.0", set_realm, "realm: whose RIM semantics (the v14 KVM ABI drives RMM 2.0)" },
	{ "hash", 0, "ALGO", set_realm, "realm: RIM hash, sha256 (default) | sha384 | sha512" },
	{ "ipa-bits", 0, "N", set_realm, "realm: IPA width, 32-48 (52 with --lpa2; default: the fewest for the RAM)" },
	{ "sve-vl", 0, "BITS", set_realm, "realm: SVE on with this vector length, 128-2048" },
	{ "pmu-num-ctrs", 0, "N", set_realm, "realm: PMU on with N counters, 0-31" },
	{ "num-bps", 0, "N", set_realm, "realm: breakpoints, 1-64" },
	{ "num-wps", 0, "N", set_realm, "realm: watchpoints, 1-64" },
	{ "lpa2", 0, NULL, set_realm, "realm: LPA2 (52-bit IPAs)" },
	{ "no-seccomp", 0, NULL, set_no_seccomp, "debugging: run without the system-call filter" },
};
#define NDEFS (sizeof(defs) / sizeof(defs[0]))

static const struct option_def *find(const char *name)
{
	for (size_t i = 0; i < NDEFS; i++)
		if (!strcmp(defs[i].name, name))
			return &defs[i];
	return NULL;
}

void config__usage(FILE *f)
{
	fprintf(f, "Usage: cvm-run [options] -k KERNEL\n"
		   "   or: cvm-run [options] --firmware OVMF.fd [-k BZIMAGE]\n"
		   "   or: cvm-run check [--quiet]\n"
		   "Boots KERNEL in a VM on guest_memfd; check tells what this host's KVM supports.\n\n"
		   "Options (also keys of section [vm] in a --config INI file; paths there are\n"
		   "relative to the file):\n");
	for (size_t i = 0; i < NDEFS; i++) {
		char lhs[64];

		snprintf(lhs, sizeof(lhs), "%c%c%s--%s %s", defs[i].short_name ? '-' : ' ',
			 defs[i].short_name ? defs[i].short_name : ' ',
			 defs[i].short_name ? ", " : "  ", defs[i].name,
			 defs[i].arg ? defs[i].arg : "");
		fprintf(f, "  %-38s %s\n", lhs, defs[i].help);
	}
	fprintf(f, "  %-38s %s\n  %-38s %s\n  %-38s %s\n",
		"    --config FILE.ini", "read options from FILE (the command line wins)",
		"-h, --help", "this text", "    --version", "print the version");
	fprintf(f, "\nSizes: K, M, G, T are powers of 1024.  Exit status: the byte the guest wrote\n"
		   "to port 0xf4; 0 on --expect match, guest shutdown or reset; 124 on timeout;\n"
		   "125 when the guest ended before --expect matched; 2 bad input; 3 host lacks\n"
		   "a feature; 1 VMM or guest failure (reason on stderr).\n");
}

struct ini_ctx {
	struct vm_config *cfg;
	const char *dir;        /* the config file's directory; NULL: "." */
};

/* Values from a config file outlive the file's mapping. */
static const char *keep(struct vm_config *c, char *s)
{
	char **v = s ? realloc(c->owned, (c->nowned + 1) * sizeof(*v)) : NULL;

	if (!v) {
		free(s);
		return NULL;
	}
	c->owned = v;
	return v[c->nowned++] = s;
}

/* VALUE with the path after D->path made relative to the config file. */
static char *resolve(const struct ini_ctx *x, const struct option_def *d, const char *value)
{
	size_t plen = d->path ? strlen(d->path) : 0;
	const char *rel = value + plen;
	char *s;

	if (!d->path || strncmp(value, d->path, plen) || !*rel || *rel == '/' || !x->dir)
		return strdup(value);
	if (asprintf(&s, "%.*s%s/%s", (int)plen, value, x->dir, rel) < 0)
		return NULL;
	return s;
}

static int on_ini_key(void *user, unsigned line, const char *section, const char *name,
		      const char *value)
{
	struct ini_ctx *x = user;
	const struct option_def *d;
	const char *v;

	(void)line;
	if (strcmp(section, "vm"))
		return err__set("unknown section [%s] (expected [vm])", section);
	if (!name)
		return 0;
	d = find(name);
	if (!d || !strcmp(name, "dry-run"))
		return err__set("unknown key '%s'", name);
	v = keep(x->cfg, resolve(x, d, value));
	if (!v)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	return d->set(x->cfg, v, name);
}

static int load_file(struct vm_config *cfg, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : slash - path) : NULL;
	struct ini_ctx x = { cfg, dir };
	struct blob b;
	int r = -1;

	if (slash && !dir)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	if (blob__open_max(&b, path, CONFIG_MAX, "a --config file") < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", err__msg());
		err__set_status(err__status(), "--config %s", msg);
	} else {
		r = ini__parse((const char *)b.data, b.size, on_ini_key, &x);
		blob__close(&b);
		if (r < 0) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", err__msg());
			err__set_status(err__status(), "%s:%s", path, msg);
		}
	}
	free(dir);
	return r;
}

int config__parse(struct vm_config *cfg, int argc, char **argv)
{
	struct option longopts[NDEFS + 4];
	char shortopts[3 * NDEFS + 4], *sp = shortopts;
	const char *config = NULL;
	int i, c, idx;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mem = 512ull << 20;
	cfg->cpus = 1;
	cfg->backend = MEM_GUEST_MEMFD;
	cfg->tee = "none";
	cfg->pit = -1;
	sev_opts__init(&cfg->sev);
	realm_opts__init(&cfg->realm);

	*sp++ = ':';
	for (i = 0; i < (int)NDEFS; i++) {
		longopts[i] = (struct option){ defs[i].name, defs[i].arg ? required_argument :
					       no_argument, NULL, 0x100 + i };
		if (defs[i].short_name) {
			*sp++ = defs[i].short_name;
			if (defs[i].arg)
				*sp++ = ':';
		}
	}
	longopts[i++] = (struct option){ "config", required_argument, NULL, 'C' };
	longopts[i++] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[i++] = (struct option){ "version", no_argument, NULL, 'V' };
	longopts[i] = (struct option){ 0 };
	*sp++ = 'h';
	*sp = 0;

	/* The config file first, whatever its position: the command line wins. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			config = argv[i] + 9;
	}
	if (config && load_file(cfg, config) < 0)
		return -1;

	optind = 0;     /* glibc's full reset: no state left from an earlier parse */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		const struct option_def *d = NULL;
		char name[64];

		if (c == 'h') {
			config__usage(stdout);
			return 1;
		}
		if (c == 'V') {
			printf("cvm-run %s\n", CVM_VERSION);
			return 1;
		}
		if (c == 'C')
			continue;
		if (c == '?' || c == ':') {
			const char *arg = argv[optind - 1];

			if (optopt)
				snprintf(name, sizeof(name), "-%c", optopt);
			else
				snprintf(name, sizeof(name), "%s", arg);
			return err__set(c == ':' ? "%s: missing value" : "%s: unknown option", name);
		}
		if (c >= 0x100) {
			d = &defs[c - 0x100];
		} else {
			for (size_t k = 0; k < NDEFS && !d; k++)
				if (defs[k].short_name == c)
					d = &defs[k];
		}
		snprintf(name, sizeof(name), "--%s", d->name);
		if (d->set(cfg, optarg ? optarg : "", name) < 0)
			return -1;
	}
	if (optind < argc)
		return err__set("%s: unexpected argument", argv[optind]);
	if (!cfg->kernel && !cfg->firmware)
		return err__set("--kernel: no kernel or --firmware given (see --help)");
	if ((cfg->mrconfigid || cfg->mrowner || cfg->mrownerconfig || cfg->tdx_qgs ||
	     cfg->tdx_separator) && strcmp(cfg->tee, "tdx"))
		return err__set("--%s: only for --tee tdx", cfg->mrconfigid ? "mrconfigid" :
				cfg->mrowner ? "mrowner" : cfg->mrownerconfig ? "mrownerconfig" :
				cfg->tdx_qgs ? "tdx-qgs" : "tdx-separator");
	if (sev_opts__check_tee(&cfg->sev, cfg->tee) < 0 ||
	    realm_opts__check_tee(&cfg->realm, cfg->tee) < 0)
		return -1;
	if (cfg->pit == 1 && strcmp(cfg->tee, "none"))
		return err__set("--pit on: only for --tee none (a confidential guest gets no PIT)");
	if (cfg->backend_explicit && strcmp(cfg->tee, "none"))
		return err__set("--memory-backend: only for --tee none (--tee %s decides where RAM "
				"lives)", cfg->tee);
	return 0;
}

void config__exit(struct vm_config *cfg)
{
	for (size_t i = 0; i < cfg->nowned; i++)
		free(cfg->owned[i]);
	free(cfg->owned);
	cfg->owned = NULL;
	cfg->nowned = 0;
}

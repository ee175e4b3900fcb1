#include <errno.h>
#include <getopt.h>
#include <ini.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "loader/blob.h"
#include "loader/error.h"
#include "loader/parse.h"
#include "vmm/config.h"
#include "vmm/expect.h"

#define MAX_CPUS 254
#define CONFIG_MAX (1u << 20)   /* bytes of --config text */    /* MP-table APIC IDs, with one left for the IOAPIC */

typedef int (*setter)(struct vm_config *c, const char *val, const char *name);

struct option_def {
	const char *name;
	char short_name;
	const char *arg;        /* NULL: a flag */
	setter set;
	const char *help;
};

static int set_kernel(struct vm_config *c, const char *v, const char *n)
{
	if (!*v)
		return err__set("%s: empty file name", n);
	c->kernel = v;
	return 0;
}

static int set_initrd(struct vm_config *c, const char *v, const char *n)
{
	if (!*v)
		return err__set("%s: empty file name", n);
	c->initrd = v;
	return 0;
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

	if (parse__size(v, &m) < 0)
		return err__set("%s: '%s' is not a size (e.g. 512M, 4G)", n, v);
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

static int set_cpuid_disable(struct vm_config *c, const char *v, const char *n)
{
	(void)n;
	c->cpuid_disable = v;
	return 0;
}

static int set_dry_run(struct vm_config *c, const char *v, const char *n)
{
	(void)v;
	(void)n;
	c->dry_run = true;
	return 0;
}

static int set_no_seccomp(struct vm_config *c, const char *v, const char *n)
{
	(void)v;
	(void)n;
	c->no_seccomp = true;
	return 0;
}

/* The one option table: command line and config file keys alike. */
static const struct option_def defs[] = {
	{ "kernel", 'k', "FILE", set_kernel, "ELF kernel with a PVH note, or a bzImage" },
	{ "initrd", 'i', "FILE", set_initrd, "initial ramdisk" },
	{ "params", 'p', "CMDLINE", set_params, "kernel command line" },
	{ "mem", 'm', "SIZE", set_mem, "guest RAM, e.g. 512M, 4G (default 512M)" },
	{ "cpus", 'c', "N", set_cpus, "vCPUs (default 1)" },
	{ "console", 0, "stdio|file:PATH", set_console, "where the serial console goes (default stdio)" },
	{ "timeout", 0, "SECONDS", set_timeout, "stop the guest after this long; exit status 124" },
	{ "expect", 0, "REGEX", set_expect, "stop with status 0 when a console line matches (README: --expect syntax)" },
	{ "memory-backend", 0, "guest-memfd|anon", set_backend, "guest RAM backing (default guest-memfd)" },
	{ "cpuid-disable", 0, "FEATURE,...", set_cpuid_disable, "hide CPUID features by name (e.g. xsave,avx2)" },
	{ "dry-run", 0, NULL, set_dry_run, "print the launch plan and exit" },
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
	fprintf(f, "usage: cvm-run [options] -k KERNEL    boot KERNEL in a VM on guest_memfd\n"
		   "       cvm-run check [--quiet]       what this host's KVM supports\n\n"
		   "options (also keys of section [vm] in a --config INI file):\n");
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
	fprintf(f, "\nexit status: the byte the guest wrote to port 0xf4; 0 on --expect match,\n"
		   "guest shutdown or reset; 124 on timeout; 2 bad input; 3 host lacks a feature;\n"
		   "1 VMM or guest failure (reason on stderr).\n");
}

struct ini_ctx {
	struct vm_config *cfg;
	int err;
};

/* Values from a config file outlive libinih's line buffer. */
static const char *keep(struct vm_config *c, const char *s)
{
	char **v = realloc(c->owned, (c->nowned + 1) * sizeof(*v));

	if (!v)
		return NULL;
	c->owned = v;
	v[c->nowned] = strdup(s);
	return v[c->nowned] ? v[c->nowned++] : NULL;
}

/* libinih (Debian's build) gives no line number here: the first failing
 * line comes back from ini_parse_file() and load_file() adds it. */
static int on_ini_key(void *user, const char *section, const char *name, const char *value)
{
	struct ini_ctx *x = user;
	const struct option_def *d;
	const char *v;

	if (x->err)
		return 0;
	if (strcmp(section, "vm")) {
		x->err = err__set("unknown section [%s] (expected [vm])", section);
		return 0;
	}
	d = find(name);
	if (!d || !strcmp(name, "dry-run")) {
		x->err = err__set("unknown key '%s'", name);
		return 0;
	}
	v = keep(x->cfg, value);
	if (!v)
		x->err = err__set_status(CVM_EXIT_FAIL, "out of memory");
	else if (d->set(x->cfg, v, name) < 0)
		x->err = -1;
	return !x->err;
}

/* A config is small text: read whole (through the shared input rules, so a
 * FIFO, a device or a directory is refused without blocking), NUL-free. */
static int load_file(struct vm_config *cfg, const char *path)
{
	struct ini_ctx x = { cfg, 0 };
	struct blob b;
	char *text;
	int r;

	if (blob__open_max(&b, path, CONFIG_MAX, "a --config file") < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", err__msg());
		return err__set("--config %s", msg);
	}
	if (b.size && memchr(b.data, 0, b.size)) {
		blob__close(&b);
		return err__set("--config %s: holds NUL bytes, not an INI text file", path);
	}
	text = malloc(b.size + 1);
	if (!text) {
		blob__close(&b);
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	}
	if (b.size)
		memcpy(text, b.data, b.size);
	text[b.size] = 0;
	blob__close(&b);
	r = ini_parse_string(text, on_ini_key, &x);
	free(text);
	if (x.err) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", err__msg());
		return err__set("%s:%d: %s", path, r, msg);
	}
	if (r > 0)
		return err__set("%s:%d: not an INI line (expected key = value)", path, r);
	return r < 0 ? err__set("--config %s: cannot parse", path) : 0;
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
	if (!cfg->kernel)
		return err__set("--kernel: no kernel given (see --help)");
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

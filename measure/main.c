/* cvm-measure: launch measurements for SEV, SEV-ES, SEV-SNP, TDX and CCA guests.
 * The one option table: names and meanings follow sev-snp-measure 0.0.13,
 * plus --kernel-hash/--initrd-hash and the TDX options; each option names
 * the modes it belongs to, and is refused in any other. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/vmsa.h"
#include "loader/error.h"
#include "loader/parse.h"
#include "measure/digest.h"
#include "measure/options.h"

#define MAX_VCPUS 65536
#define MAX_MEMS  64

enum {
	M_SEV = 1 << 0, M_SEVES = 1 << 1, M_SNP = 1 << 2, M_OVMF_HASH = 1 << 3,
	M_SVSM = 1 << 4, M_TDX = 1 << 5, M_CCA = 1 << 6,
	M_ALL = (1 << 7) - 1,
	M_FIRMWARE = M_ALL & ~M_CCA,                    /* modes measuring an OVMF/TDVF */
	M_VMSA = M_SEVES | M_SNP | M_SVSM,              /* modes with VMSAs */
	M_HASHES = M_SEV | M_SEVES | M_SNP,             /* SEV kernel-hashes table */
	M_KERNEL = M_HASHES | M_TDX | M_CCA,
};

static const struct {
	const char *name;
	unsigned bit;
	int (*run)(const struct measure_opts *o);
} modes[] = {
	{ "sev", M_SEV, measure__sev_cmd }, { "seves", M_SEVES, measure__sev_cmd },
	{ "snp", M_SNP, measure__sev_cmd }, { "snp:ovmf-hash", M_OVMF_HASH, measure__sev_cmd },
	{ "snp:svsm", M_SVSM, measure__sev_cmd }, { "tdx", M_TDX, measure__tdx_cmd },
	{ "cca", M_CCA, measure__cca_cmd },
};
#define NMODES (sizeof(modes) / sizeof(modes[0]))

enum {
	OPT_MODE, OPT_OVMF, OPT_KERNEL, OPT_INITRD, OPT_APPEND, OPT_KERNEL_HASH, OPT_INITRD_HASH,
	OPT_VCPUS, OPT_VCPU_TYPE, OPT_VCPU_SIG, OPT_VCPU_FAMILY, OPT_VCPU_MODEL, OPT_VCPU_STEPPING,
	OPT_VMM_TYPE, OPT_GUEST_FEATURES, OPT_SNP_OVMF_HASH, OPT_DUMP_VMSA, OPT_SVSM,
	OPT_VARS_SIZE, OPT_VARS_FILE, OPT_TDX_PAGE_ORDER, OPT_MEMORY, OPT_ACPI_TABLES,
	OPT_ACPI_RSDP, OPT_ACPI_LOADER, OPT_TDX_SEPARATOR, OPT_TDX_VMM, OPT_DUMP_TD_HOB, OPT_REALM_OPS,
	OPT_RMM, OPT_HASH, OPT_IPA_BITS, OPT_SVE_VL, OPT_PMU_NUM_CTRS, OPT_NUM_BPS, OPT_NUM_WPS,
	OPT_LPA2, OPT_OUTPUT_FORMAT,
	OPT_VERBOSE, OPT_VERSION, OPT_HELP, NOPTS
};

/* Indexed by OPT_*: getopt returns 0x100 + index (or the short letter). */
static const struct opt_def {
	const char *name;
	char short_name;
	const char *arg;        /* NULL: a flag */
	unsigned modes;
	const char *help;
} defs[NOPTS] = {
	[OPT_MODE] = { "mode", 0, "MODE", M_ALL,
		"sev | seves | snp | snp:ovmf-hash (the digest after the firmware pages) | snp:svsm | tdx | cca (required)" },
	[OPT_OVMF] = { "ovmf", 0, "PATH", M_FIRMWARE, "the OVMF/TDVF firmware image (required)" },
	[OPT_KERNEL] = { "kernel", 0, "PATH", M_KERNEL,
		"kernel booted directly (QEMU -kernel; SEV: kernel-hashes=on)" },
	[OPT_INITRD] = { "initrd", 0, "PATH", M_KERNEL, "initrd (needs --kernel)" },
	[OPT_APPEND] = { "append", 0, "CMDLINE", M_KERNEL,
		"kernel command line (needs --kernel); '' equals none" },
	[OPT_KERNEL_HASH] = { "kernel-hash", 0, "HEX", M_HASHES,
		"SHA-256 of the kernel (64 hex digits) instead of --kernel" },
	[OPT_INITRD_HASH] = { "initrd-hash", 0, "HEX", M_HASHES,
		"SHA-256 of the initrd (64 hex digits) instead of --initrd" },
	[OPT_VCPUS] = { "vcpus", 0, "N|LIST", M_VMSA | M_TDX | M_CCA,
		"vCPUs, 0-65536 (required; cca: 1 or more, default 1); a list or range (1-64, 1,2,4,8) "
		"measures each: a matrix (tdx: 1-254, with --tdx-vmm cvm-run; cca: not with --realm-ops)" },
	[OPT_VCPU_TYPE] = { "vcpu-type", 0, "CPUTYPE", M_VMSA, "QEMU vCPU model:" },
	[OPT_VCPU_SIG] = { "vcpu-sig", 0, "VALUE", M_VMSA,
		"vCPU signature CPUID(1).EAX, 0-0xffffffff (overrides --vcpu-type)" },
	[OPT_VCPU_FAMILY] = { "vcpu-family", 0, "N", M_VMSA,
		"vCPU family, 0-270 (with --vcpu-model and --vcpu-stepping: overrides the others)" },
	[OPT_VCPU_MODEL] = { "vcpu-model", 0, "N", M_VMSA, "vCPU model, 0-255" },
	[OPT_VCPU_STEPPING] = { "vcpu-stepping", 0, "N", M_VMSA, "vCPU stepping, 0-15" },
	[OPT_VMM_TYPE] = { "vmm-type", 0, "TYPE", M_VMSA,
		"QEMU (default) | ec2 | gce, any case (snp:svsm: QEMU only)" },
	[OPT_GUEST_FEATURES] = { "guest-features", 0, "VALUE", M_SNP,
		"VMSA SEV_FEATURES, 64 bits (default 0x1; 0x21 for 6.6-6.7 hosts)" },
	[OPT_SNP_OVMF_HASH] = { "snp-ovmf-hash", 0, "HEX", M_SNP,
		"start from this snp:ovmf-hash value (96 hex digits) instead of hashing the firmware" },
	[OPT_DUMP_VMSA] = { "dump-vmsa", 0, NULL, M_VMSA,
		"write each measured VMSA to vmsa<N>.bin in the current directory" },
	[OPT_SVSM] = { "svsm", 0, "PATH", M_SVSM, "the Coconut-SVSM image (required)" },
	[OPT_VARS_SIZE] = { "vars-size", 0, "SIZE", M_SVSM,
		"size of the OVMF_VARS image: bytes, or with a unit K/M/G; whole 4 KiB pages (or --vars-file)" },
	[OPT_VARS_FILE] = { "vars-file", 0, "PATH", M_SVSM, "the OVMF_VARS image, for its size" },
	[OPT_TDX_PAGE_ORDER] = { "tdx-page-order", 0, "ORDER", M_TDX,
		"single-pass (default: KVM_TDX_INIT_MEM_REGION) | two-pass (QEMU 8.2 stacks)" },
	[OPT_MEMORY] = { "memory", 0, "SIZE|LIST", M_TDX | M_CCA,
		"guest RAM: MiB, or with a unit K/M/G/T (2G, 1.5G; cca: default 512M); a comma list "
		"(1G,2G,4G) measures each: a matrix; with a --vcpus list (tdx --tdx-vmm cvm-run, cca), "
		"every combination, at most 4096" },
	[OPT_ACPI_TABLES] = { "acpi-tables", 0, "FILE", M_TDX, "QEMU's fw_cfg etc/acpi/tables blob" },
	[OPT_ACPI_RSDP] = { "acpi-rsdp", 0, "FILE", M_TDX, "QEMU's fw_cfg etc/acpi/rsdp blob" },
	[OPT_ACPI_LOADER] = { "acpi-loader", 0, "FILE", M_TDX, "QEMU's fw_cfg etc/table-loader blob" },
	[OPT_TDX_SEPARATOR] = { "tdx-separator", 0, "ERA", M_TDX,
		"post-202411 (default: edk2-stable202411 and later) | pre-202411" },
	[OPT_TDX_VMM] = { "tdx-vmm", 0, "VMM", M_TDX,
		"qemu (default: QEMU q35, ACPI from --acpi-*) | cvm-run (cvm-run's own TD: its memory "
		"map, fw_cfg and ACPI tables for --vcpus)" },
	[OPT_DUMP_TD_HOB] = { "dump-td-hob", 0, "FILE", M_TDX,
		"write the TD HOB that was measured (needs one --memory)" },
	[OPT_REALM_OPS] = { "realm-ops", 0, "FILE", M_CCA,
		"another launch's RMI calls as an operation script, instead of cvm-run's own (--kernel)" },
	[OPT_RMM] = { "rmm", 0, "1.0|2.0", M_CCA,
		"whose semantics: 1.0 measures RIPAS entries, 2.0 does not (needed with ripas lines; "
		"cvm-run's launch: 2.0)" },
	[OPT_HASH] = { "hash", 0, "ALGO", M_CCA,
		"sha256 (default) | sha384 | sha512; with --realm-ops checked against the create line" },
	[OPT_IPA_BITS] = { "ipa-bits", 0, "N", M_CCA,
		"IPA width, 32-48, 52 with --lpa2 (default: the fewest for the memory)" },
	[OPT_SVE_VL] = { "sve-vl", 0, "BITS", M_CCA, "SVE on with this vector length, 128-2048" },
	[OPT_PMU_NUM_CTRS] = { "pmu-num-ctrs", 0, "N", M_CCA, "PMU on with N counters, 0-31" },
	[OPT_NUM_BPS] = { "num-bps", 0, "N", M_CCA, "breakpoints, 1-64 (default: the field 0)" },
	[OPT_NUM_WPS] = { "num-wps", 0, "N", M_CCA, "watchpoints, 1-64 (default: the field 0)" },
	[OPT_LPA2] = { "lpa2", 0, NULL, M_CCA, "LPA2 (52-bit IPAs)" },
	[OPT_OUTPUT_FORMAT] = { "output-format", 0, "FMT", M_ALL,
		"hex (default; snp:ovmf-hash: always) | base64 | json | rvps (Trustee reference values; "
		"not cca) | corim (cca only: a CoMID for cocli)" },
	[OPT_VERBOSE] = { "verbose", 'v', NULL, M_ALL,
		"the operation log on stderr: one line per launch update, or the TDX events" },
	[OPT_VERSION] = { "version", 0, NULL, M_ALL, "print the version" },
	[OPT_HELP] = { "help", 'h', NULL, M_ALL, "this text" },
};

/* "seves, snp, snp:svsm" */
static void print_modes(FILE *f, unsigned mask)
{
	for (size_t i = 0, n = 0; i < NMODES; i++)
		if (mask & modes[i].bit)
			fprintf(f, "%s%s", n++ ? ", " : "", modes[i].name);
}

static void usage(FILE *f)
{
	size_t n;
	const struct vcpu_model *m = vcpu__models(&n);

	fputs("Usage: cvm-measure --mode MODE --ovmf PATH [options]\n"
	      "   or: cvm-measure --mode cca --kernel PATH [--initrd PATH] [--append CMDLINE] [options]\n"
	      "   or: cvm-measure --mode cca --realm-ops FILE [--rmm 1.0|2.0] [--hash ALGO]\n"
	      "   or: cvm-measure firmware-info --ovmf PATH [--json]\n"
	      "Computes the launch measurement of an AMD SEV/SEV-ES/SEV-SNP or Intel TDX guest,\n"
	      "or the Realm Initial Measurement of an Arm CCA realm.\n"
	      "The SEV options are those of sev-snp-measure 0.0.13, with the same meaning.\n"
	      "Each option belongs to the modes in parentheses (none: every mode).\n\n", f);
	for (int i = 0; i < NOPTS; i++) {
		const struct opt_def *d = &defs[i];
		char lhs[40];

		snprintf(lhs, sizeof(lhs), "%c%c%s--%s%s%s", d->short_name ? '-' : ' ',
			 d->short_name ? d->short_name : ' ', d->short_name ? ", " : "  ", d->name,
			 d->arg ? " " : "", d->arg ? d->arg : "");
		fprintf(f, "  %-26s %s", lhs, d->help);
		for (size_t k = 0; i == OPT_VCPU_TYPE && k < n; k++)
			fprintf(f, "%s%s", k ? ", " : " ", m[k].name);
		if (d->modes != M_ALL) {
			fputs(" (", f);
			print_modes(f, d->modes);
			fputc(')', f);
		}
		fputc('\n', f);
	}
	fputs("\nSizes: K, M, G, T are powers of 1024.  Exit status: 0 success, 2 bad input (one\n"
	      "line on stderr naming the file, field or option), 1 failure.\n", f);
}

static int bad(const char *opt, const char *val, const char *what)
{
	fprintf(stderr, "cvm-measure: %s %s: %s\n", opt, val, what);
	return CVM_EXIT_BADINPUT;
}

static int choice(const char *opt, const char *val, const char *const *choices)
{
	for (int i = 0; choices[i]; i++)
		if (!strcmp(val, choices[i]))
			return 0;
	return bad(opt, val, "invalid choice");
}

/* "N", or a matrix: comma-separated counts and ranges A-B, ascending once
 * sorted, each count at most once. */
static int parse_vcpus(const char *arg, struct measure_opts *o)
{
	static uint32_t list[MEASURE_MATRIX_MAX];
	static uint8_t seen[MAX_VCPUS / 8 + 1];
	char *copy = strdup(arg), *rest = copy, *tok;
	size_t n = 0;
	int ret = 0;

	if (!copy)
		return bad("--vcpus", arg, "out of memory");
	memset(seen, 0, sizeof(seen));
	o->vcpu_matrix = strpbrk(arg, ",-") != NULL;
	while (!ret && (tok = strsep(&rest, ","))) {
		char *dash = strchr(tok, '-');
		uint64_t lo, hi;

		if (dash)
			*dash = 0;
		if (parse__u64(tok, &lo) < 0 || (dash && parse__u64(dash + 1, &hi) < 0))
			ret = bad("--vcpus", arg, "not a count, a list (1,2,4) or a range (1-64)");
		else if (!dash)
			hi = lo;
		if (!ret && (lo > hi || hi > MAX_VCPUS))
			ret = bad("--vcpus", arg, "counts are 0-65536, ranges ascending");
		for (uint64_t v = lo; !ret && v <= hi; v++) {
			if (seen[v / 8] & (1 << (v % 8)))
				ret = bad("--vcpus", arg, "a count given twice");
			else if (++n > MEASURE_MATRIX_MAX)
				ret = bad("--vcpus", arg, "more than 4096 counts");
			seen[v / 8] |= 1 << (v % 8);
		}
	}
	free(copy);
	if (ret)
		return ret;
	n = 0;
	for (uint32_t v = 0; v <= MAX_VCPUS; v++)
		if (seen[v / 8] & (1 << (v % 8)))
			list[n++] = v;
	o->vcpu_list = list;
	o->nvcpu_list = n;
	o->vcpus = list[n - 1];
	o->vcpus_set = true;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* "SIZE", or a matrix: comma-separated sizes, each at most once. */
static int parse_memory(const char *arg, struct measure_opts *o)
{
	static uint64_t list[MAX_MEMS];
	char *copy = strdup(arg), *rest = copy, *tok;
	size_t n = 0;
	int ret = 0;

	if (!copy)
		return bad("--memory", arg, "out of memory");
	o->mem_matrix = strchr(arg, ',') != NULL;
	while (!ret && (tok = strsep(&rest, ","))) {
		if (n == MAX_MEMS)
			ret = bad("--memory", arg, "more than 64 sizes");
		else if (parse__size_mib(tok, &list[n]) < 0 || !list[n])
			ret = bad("--memory", arg, "not a size (MiB, or with a unit: 2G, 1.5G)");
		else
			n++;
	}
	free(copy);
	if (ret)
		return ret;
	qsort(list, n, sizeof(list[0]), cmp_u64);
	for (size_t i = 1; i < n; i++)
		if (list[i] == list[i - 1])
			return bad("--memory", arg, "a size given twice");
	o->mem_list = list;
	o->nmem_list = n;
	o->memory = list[n - 1];
	return 0;
}

/* The options cvm-run shares, parsed by the same code (loader/sev-opts.c). */
static int sev_opt(int i, const char *arg, struct measure_opts *o)
{
	char name[32];

	snprintf(name, sizeof(name), "--%s", defs[i].name);
	if (sev_opts__set(&o->sev, name, arg) < 0) {
		fprintf(stderr, "cvm-measure: %s\n", err__msg());
		return CVM_EXIT_BADINPUT;
	}
	return 0;
}

/* The realm options cvm-run shares (loader/realm-opts.c). */
static int realm_opt(int i, const char *arg, struct measure_opts *o)
{
	char name[32];

	snprintf(name, sizeof(name), "--%s", defs[i].name);
	if (realm_opts__set(&o->realm, name, arg ? arg : "") < 0) {
		fprintf(stderr, "cvm-measure: %s\n", err__msg());
		return CVM_EXIT_BADINPUT;
	}
	return 0;
}

/* One option into O; 0, or the exit status after printing one line. */
static int parse_opt(int i, const char *arg, struct measure_opts *o)
{
	static const char *const formats[] = { "hex", "base64", "json", "rvps", "corim", NULL };
	enum sev_vmm vmm;
	int ret = 0;

	switch (i) {
	case OPT_VCPUS:
		return parse_vcpus(arg, o);
	case OPT_VCPU_TYPE:
	case OPT_VCPU_SIG:
	case OPT_VCPU_FAMILY:
	case OPT_VCPU_MODEL:
	case OPT_VCPU_STEPPING:
	case OPT_GUEST_FEATURES:
		return sev_opt(i, arg, o);
	case OPT_VMM_TYPE:
		if (sev_vmm__parse(arg, &vmm) < 0)
			return bad("--vmm-type", arg, "invalid choice (QEMU, ec2, gce)");
		o->vmm_type = sev_vmm__name(vmm);
		break;
	case OPT_OVMF: o->ovmf = arg; break;
	case OPT_KERNEL: o->kernel = arg; break;
	case OPT_INITRD: o->initrd = arg; break;
	case OPT_APPEND:
		o->append = arg;
		o->append_set = true;
		break;
	case OPT_KERNEL_HASH: o->kernel_hash = arg; break;
	case OPT_INITRD_HASH: o->initrd_hash = arg; break;
	case OPT_OUTPUT_FORMAT:
		ret = choice("--output-format", arg, formats);
		o->format = !strcmp(arg, "json") ? FORMAT_JSON : !strcmp(arg, "rvps") ? FORMAT_RVPS :
			    !strcmp(arg, "corim") ? FORMAT_CORIM :
			    !strcmp(arg, "base64") ? FORMAT_BASE64 : FORMAT_HEX;
		break;
	case OPT_SNP_OVMF_HASH: o->snp_ovmf_hash = arg; break;
	case OPT_DUMP_VMSA: o->dump_vmsa = true; break;
	case OPT_SVSM: o->svsm = arg; break;
	case OPT_VARS_SIZE:
		if (o->vars_file)
			return bad("--vars-size", arg, "not allowed with --vars-file");
		if (parse__size(arg, &o->vars_size) < 0)
			ret = bad("--vars-size", arg, "not a size");
		break;
	case OPT_VARS_FILE:
		if (o->vars_size)
			return bad("--vars-file", arg, "not allowed with --vars-size");
		o->vars_file = arg;
		break;
	case OPT_VERBOSE: o->verbose = true; break;
	case OPT_TDX_PAGE_ORDER: o->tdx_page_order = arg; break;
	case OPT_MEMORY:
		return parse_memory(arg, o);
	case OPT_ACPI_TABLES: o->acpi_tables = arg; break;
	case OPT_ACPI_RSDP: o->acpi_rsdp = arg; break;
	case OPT_ACPI_LOADER: o->acpi_loader = arg; break;
	case OPT_TDX_SEPARATOR: o->tdx_separator = arg; break;
	case OPT_TDX_VMM: o->tdx_vmm = arg; break;
	case OPT_DUMP_TD_HOB: o->dump_td_hob = arg; break;
	case OPT_REALM_OPS: o->realm_ops = arg; break;
	case OPT_RMM:
	case OPT_HASH:
	case OPT_IPA_BITS:
	case OPT_SVE_VL:
	case OPT_PMU_NUM_CTRS:
	case OPT_NUM_BPS:
	case OPT_NUM_WPS:
	case OPT_LPA2:
		return realm_opt(i, arg, o);
	}
	return ret;
}

/* The option that getopt_long just refused, as the user typed it. */
static int refused(int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		fprintf(stderr, "cvm-measure: %s: expects an argument\n", arg);
	else if (optopt)
		fprintf(stderr, "cvm-measure: -%c: unknown option\n", optopt);
	else
		fprintf(stderr, "cvm-measure: %s: unknown option\n", arg);
	return CVM_EXIT_BADINPUT;
}

static int firmware_info(int argc, char **argv)
{
	static const struct option fi_options[] = {
		{ "ovmf", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ovmf = NULL;
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, ":h", fi_options, NULL)) != -1) {
		switch (c) {
		case 'o': ovmf = optarg; break;
		case 'j': json = true; break;
		case 'h':
			puts("Usage: cvm-measure firmware-info --ovmf PATH [--json]\n"
			     "Prints the firmware's footer table, SEV metadata and TDVF sections.");
			return 0;
		default:
			return refused(c, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cvm-measure: %s: unexpected argument\n", argv[optind]);
		return CVM_EXIT_BADINPUT;
	}
	if (!ovmf) {
		fprintf(stderr, "cvm-measure: firmware-info: --ovmf is required\n");
		return CVM_EXIT_BADINPUT;
	}
	return measure__firmware_info(ovmf, json);
}

/* getopt's value for an option: its short letter, or 0x100 + its index. */
static int opt_index(int c)
{
	for (int i = 0; i < NOPTS; i++)
		if (c == 0x100 + i || (defs[i].short_name && c == defs[i].short_name))
			return i;
	return -1;
}

/* The --mode argument, found in a first pass, so that an option outside
 * the mode is refused before its value is read.  NULL when absent. */
static const char *find_mode(int argc, char **argv, const struct option *longopts)
{
	const char *mode = NULL;
	int c;

	while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1)
		if (opt_index(c) == OPT_MODE)
			mode = optarg;
	optind = 0;     /* GNU getopt: start afresh */
	return mode;
}

static int measure(int argc, char **argv)
{
	struct measure_opts o = { .format = FORMAT_HEX };
	struct option longopts[NOPTS + 1] = { { 0 } };
	const char *mode;
	unsigned bit = 0;
	size_t m;
	int c, i, ret;

	sev_opts__init(&o.sev);
	realm_opts__init(&o.realm);
	opterr = 0;
	if (argc > 1 && !strcmp(argv[1], "firmware-info"))
		return firmware_info(argc - 1, argv + 1);
	for (i = 0; i < NOPTS; i++)
		longopts[i] = (struct option){ defs[i].name, defs[i].arg ? required_argument :
					       no_argument, NULL, 0x100 + i };
	mode = find_mode(argc, argv, longopts);
	for (m = 0; mode && m < NMODES; m++)
		if (!strcmp(mode, modes[m].name))
			bit = modes[m].bit;
	if (mode && !bit)
		return bad("--mode", mode, "invalid choice");
	while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return refused(c, argv);
		i = opt_index(c);
		if (i == OPT_HELP) {
			usage(stdout);
			return 0;
		}
		if (i == OPT_VERSION) {
			puts("cvm-measure " CVM_VERSION);
			return 0;
		}
		if (bit && !(defs[i].modes & bit)) {
			fprintf(stderr, "cvm-measure: --%s: not an option of --mode %s (only of ",
				defs[i].name, mode);
			print_modes(stderr, defs[i].modes);
			fputs(")\n", stderr);
			return CVM_EXIT_BADINPUT;
		}
		if (i == OPT_MODE)
			o.mode = optarg;
		else if ((ret = parse_opt(i, optarg, &o)))
			return ret;
	}
	if (optind < argc) {
		fprintf(stderr, "cvm-measure: %s: unexpected argument\n", argv[optind]);
		return CVM_EXIT_BADINPUT;
	}
	o.matrix = o.mem_matrix || o.vcpu_matrix;        /* --memory's or --vcpus' list */
	/* Every combination of both lists is one entry: capped before any work. */
	if (o.vcpu_matrix && o.mem_matrix && o.nvcpu_list * o.nmem_list > MEASURE_MATRIX_MAX) {
		fprintf(stderr, "cvm-measure: --vcpus and --memory: %zu combinations, more than %d\n",
			o.nvcpu_list * o.nmem_list, MEASURE_MATRIX_MAX);
		return CVM_EXIT_BADINPUT;
	}
	/* A format that has no meaning for the mode is refused, not ignored. */
	if ((o.format == FORMAT_CORIM && bit != M_CCA) || (o.format == FORMAT_RVPS && bit == M_CCA)) {
		fprintf(stderr, "cvm-measure: --output-format %s: not for --mode %s\n",
			o.format == FORMAT_CORIM ? "corim" : "rvps", o.mode);
		return CVM_EXIT_BADINPUT;
	}
	if (!o.mode || (!o.ovmf && bit != M_CCA)) {
		fprintf(stderr, "cvm-measure: the following arguments are required:%s%s\n",
			o.mode ? "" : " --mode", o.ovmf ? "" : " --ovmf");
		return CVM_EXIT_BADINPUT;
	}
	for (m = 0; m < NMODES; m++)
		if (modes[m].bit == bit)
			return modes[m].run(&o);
	return CVM_EXIT_BADINPUT;
}

int main(int argc, char **argv)
{
	int ret;

	digest__start();
	ret = measure(argc, argv);
	digest__join();
	return ret;
}

/* cvm-measure: launch measurements for SEV, SEV-ES, SEV-SNP, TDX and CCA guests.
 * The one option table: names and meanings follow sev-snp-measure 0.0.13,
 * plus --kernel-hash/--initrd-hash and the TDX options. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/vmsa.h"
#include "loader/error.h"
#include "loader/parse.h"
#include "measure/options.h"

#define VERSION "0.1 (sev-snp-measure 0.0.13 compatible)"
#define MAX_VCPUS 65536

enum {
	OPT_MODE = 256, OPT_VCPUS, OPT_VCPU_TYPE, OPT_VCPU_SIG, OPT_VCPU_FAMILY, OPT_VCPU_MODEL,
	OPT_VCPU_STEPPING, OPT_VMM_TYPE, OPT_OVMF, OPT_KERNEL, OPT_INITRD, OPT_APPEND,
	OPT_GUEST_FEATURES, OPT_OUTPUT_FORMAT, OPT_SNP_OVMF_HASH, OPT_DUMP_VMSA, OPT_SVSM,
	OPT_VARS_SIZE, OPT_VARS_FILE, OPT_VERSION, OPT_KERNEL_HASH, OPT_INITRD_HASH,
	OPT_TDX_PAGE_ORDER, OPT_MEMORY, OPT_ACPI_TABLES, OPT_ACPI_RSDP, OPT_ACPI_LOADER,
	OPT_TDX_SEPARATOR, OPT_DUMP_TD_HOB, OPT_REALM_OPS, OPT_RMM, OPT_HASH,
};

static const struct option options[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "vcpus", required_argument, NULL, OPT_VCPUS },
	{ "vcpu-type", required_argument, NULL, OPT_VCPU_TYPE },
	{ "vcpu-sig", required_argument, NULL, OPT_VCPU_SIG },
	{ "vcpu-family", required_argument, NULL, OPT_VCPU_FAMILY },
	{ "vcpu-model", required_argument, NULL, OPT_VCPU_MODEL },
	{ "vcpu-stepping", required_argument, NULL, OPT_VCPU_STEPPING },
	{ "vmm-type", required_argument, NULL, OPT_VMM_TYPE },
	{ "ovmf", required_argument, NULL, OPT_OVMF },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "guest-features", required_argument, NULL, OPT_GUEST_FEATURES },
	{ "output-format", required_argument, NULL, OPT_OUTPUT_FORMAT },
	{ "snp-ovmf-hash", required_argument, NULL, OPT_SNP_OVMF_HASH },
	{ "dump-vmsa", no_argument, NULL, OPT_DUMP_VMSA },
	{ "svsm", required_argument, NULL, OPT_SVSM },
	{ "vars-size", required_argument, NULL, OPT_VARS_SIZE },
	{ "vars-file", required_argument, NULL, OPT_VARS_FILE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ "kernel-hash", required_argument, NULL, OPT_KERNEL_HASH },
	{ "initrd-hash", required_argument, NULL, OPT_INITRD_HASH },
	{ "tdx-page-order", required_argument, NULL, OPT_TDX_PAGE_ORDER },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "acpi-tables", required_argument, NULL, OPT_ACPI_TABLES },
	{ "acpi-rsdp", required_argument, NULL, OPT_ACPI_RSDP },
	{ "acpi-loader", required_argument, NULL, OPT_ACPI_LOADER },
	{ "tdx-separator", required_argument, NULL, OPT_TDX_SEPARATOR },
	{ "dump-td-hob", required_argument, NULL, OPT_DUMP_TD_HOB },
	{ "realm-ops", required_argument, NULL, OPT_REALM_OPS },
	{ "rmm", required_argument, NULL, OPT_RMM },
	{ "hash", required_argument, NULL, OPT_HASH },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	size_t n;
	const struct vcpu_model *m = vcpu__models(&n);

	fputs("usage: cvm-measure --mode MODE --ovmf PATH [options]\n"
	      "       cvm-measure --mode cca --realm-ops FILE [--rmm 1.0|2.0] [--hash ALGO]\n"
	      "       cvm-measure firmware-info --ovmf PATH [--json]\n"
	      "Computes the launch measurement of an AMD SEV/SEV-ES/SEV-SNP or Intel TDX guest,\n"
	      "or the Realm Initial Measurement of an Arm CCA realm.\n\n"
	      "  --mode MODE            sev | seves | snp | snp:ovmf-hash | snp:svsm | tdx | cca (required)\n"
	      "  --ovmf PATH            the OVMF/TDVF firmware image (required)\n"
	      "  --kernel PATH          kernel booted directly (QEMU -kernel, kernel-hashes=on)\n"
	      "  --initrd PATH          initrd (needs --kernel)\n"
	      "  --append CMDLINE       kernel command line (needs --kernel)\n"
	      "  --kernel-hash HEX      SHA-256 of the kernel, instead of --kernel\n"
	      "  --initrd-hash HEX      SHA-256 of the initrd, instead of --initrd\n"
	      "  --vcpus N              number of vCPUs (required except in sev mode)\n", f);
	fputs("  --vcpu-type CPUTYPE    QEMU vCPU model:", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? ", " : " ", m[i].name);
	fputs("\n"
	      "  --vcpu-sig VALUE       vCPU signature, CPUID(1).EAX (overrides --vcpu-type)\n"
	      "  --vcpu-family N        vCPU family (with --vcpu-model/--vcpu-stepping: overrides all)\n"
	      "  --vcpu-model N         vCPU model\n"
	      "  --vcpu-stepping N      vCPU stepping\n"
	      "  --vmm-type TYPE        QEMU (default) | ec2 | gce\n"
	      "  --guest-features VALUE SNP VMSA SEV_FEATURES (default 0x1; 0x21 on 6.6-6.7 hosts)\n"
	      "  --output-format FMT    hex (default) | base64 | json | corim (cca: a CoMID for cocli;\n"
	      "                         snp:ovmf-hash prints hex)\n"
	      "  --snp-ovmf-hash HEX    snp: start from this snp:ovmf-hash value, skip the firmware pages\n"
	      "  --dump-vmsa            write each measured VMSA to vmsa<N>.bin (seves, snp, snp:svsm)\n"
	      "  --svsm PATH            snp:svsm: the Coconut-SVSM image\n"
	      "  --vars-size SIZE       snp:svsm: size of the OVMF_VARS image (or --vars-file)\n"
	      "  --vars-file PATH       snp:svsm: the OVMF_VARS image, for its size\n"
	      "  --tdx-page-order ORDER tdx: single-pass (default, upstream KVM) | two-pass\n"
	      "  --memory SIZE          tdx: guest RAM (e.g. 2G)\n"
	      "  --acpi-tables FILE     tdx: QEMU etc/acpi/tables fw_cfg blob\n"
	      "  --acpi-rsdp FILE       tdx: QEMU etc/acpi/rsdp fw_cfg blob\n"
	      "  --acpi-loader FILE     tdx: QEMU etc/table-loader fw_cfg blob\n"
	      "  --tdx-separator ERA    tdx: post-202411 (default) | pre-202411 OVMF separator events\n"
	      "  --dump-td-hob FILE     tdx: write the TD HOB that was measured\n"
	      "  --realm-ops FILE       cca: the realm's RMI calls as an operation script\n"
	      "  --rmm 1.0|2.0          cca: whose semantics (1.0 measures RIPAS entries, 2.0 does not)\n"
	      "  --hash ALGO            cca: sha256 | sha384 | sha512, checked against the create line\n"
	      "  -v, --verbose          one line per launch update on stderr\n"
	      "  --version              print the version\n"
	      "  -h, --help             this text\n", f);
}

static int bad(const char *opt, const char *val, const char *what)
{
	fprintf(stderr, "cvm-measure: %s %s: %s\n", opt, val, what);
	return CVM_EXIT_BADINPUT;
}

static int num(const char *opt, const char *val, uint64_t max, uint64_t *out)
{
	if (parse__u64(val, out) < 0)
		return bad(opt, val, "not a number");
	if (*out > max) {
		fprintf(stderr, "cvm-measure: %s %s: at most %llu\n", opt, val,
			(unsigned long long)max);
		return CVM_EXIT_BADINPUT;
	}
	return 0;
}

static int choice(const char *opt, const char *val, const char *const *choices)
{
	for (int i = 0; choices[i]; i++)
		if (!strcmp(val, choices[i]))
			return 0;
	return bad(opt, val, "invalid choice");
}

/* One option into O; 0, or the exit status after printing one line. */
static int parse_opt(int c, const char *arg, struct measure_opts *o)
{
	static const char *const modes[] = { "sev", "seves", "snp", "snp:ovmf-hash", "snp:svsm",
					      "tdx", "cca", NULL };
	static const char *const vmms[] = { "QEMU", "ec2", "gce", NULL };
	static const char *const formats[] = { "hex", "base64", "json", "corim", NULL };
	static const char *const rmms[] = { "1.0", "2.0", NULL };
	static const char *const hashes[] = { "sha256", "sha384", "sha512", NULL };
	uint64_t v;
	int ret = 0;

	switch (c) {
	case OPT_MODE:
		ret = choice("--mode", arg, modes);
		o->mode = arg;
		break;
	case OPT_VCPUS:
		ret = num("--vcpus", arg, MAX_VCPUS, &v);
		o->vcpus = v;
		o->vcpus_set = true;
		break;
	case OPT_VCPU_TYPE:
		if (!vcpu__find(arg))
			ret = bad("--vcpu-type", arg, "unknown vCPU type (see --help)");
		o->vcpu_type = arg;
		break;
	case OPT_VCPU_SIG:
		ret = num("--vcpu-sig", arg, 0xffffffffu, &o->vcpu_sig);
		o->vcpu_sig_set = true;
		break;
	case OPT_VCPU_FAMILY:
		ret = num("--vcpu-family", arg, 0xff + 0xf, &v);
		o->vcpu_family = v;
		o->family_set = true;
		break;
	case OPT_VCPU_MODEL:
		ret = num("--vcpu-model", arg, 0xff, &v);
		o->vcpu_model = v;
		o->model_set = true;
		break;
	case OPT_VCPU_STEPPING:
		ret = num("--vcpu-stepping", arg, 0xf, &v);
		o->vcpu_stepping = v;
		o->stepping_set = true;
		break;
	case OPT_VMM_TYPE:
		ret = choice("--vmm-type", arg, vmms);
		o->vmm_type = arg;
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
	case OPT_GUEST_FEATURES:
		ret = num("--guest-features", arg, ~0ull, &o->guest_features);
		break;
	case OPT_OUTPUT_FORMAT:
		ret = choice("--output-format", arg, formats);
		o->format = !strcmp(arg, "json") ? FORMAT_JSON : !strcmp(arg, "corim") ? FORMAT_CORIM :
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
	case 'v': o->verbose = true; break;
	case OPT_TDX_PAGE_ORDER: o->tdx_page_order = arg; break;
	case OPT_MEMORY:
		if (parse__size(arg, &o->memory) < 0 || !o->memory)
			ret = bad("--memory", arg, "not a size");
		break;
	case OPT_ACPI_TABLES: o->acpi_tables = arg; break;
	case OPT_ACPI_RSDP: o->acpi_rsdp = arg; break;
	case OPT_ACPI_LOADER: o->acpi_loader = arg; break;
	case OPT_TDX_SEPARATOR: o->tdx_separator = arg; break;
	case OPT_DUMP_TD_HOB: o->dump_td_hob = arg; break;
	case OPT_REALM_OPS: o->realm_ops = arg; break;
	case OPT_RMM:
		ret = choice("--rmm", arg, rmms);
		o->rmm = arg;
		break;
	case OPT_HASH:
		ret = choice("--hash", arg, hashes);
		o->hash = arg;
		break;
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
			puts("usage: cvm-measure firmware-info --ovmf PATH [--json]\n"
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

/* Options only --mode cca takes, and those it shares with every mode. */
static bool cca_only_option(int c)
{
	return c == OPT_REALM_OPS || c == OPT_RMM || c == OPT_HASH;
}

static bool cca_option(int c)
{
	return cca_only_option(c) || c == OPT_MODE || c == OPT_OUTPUT_FORMAT || c == 'v';
}

/* Options given to a mode that has no use for them are refused, not ignored. */
static int check_mode_options(const struct measure_opts *o, const char *non_cca, const char *cca_only)
{
	bool cca = !strcmp(o->mode, "cca");

	if (cca && non_cca) {
		fprintf(stderr, "cvm-measure: --%s: not used by --mode cca\n", non_cca);
		return CVM_EXIT_BADINPUT;
	}
	if (!cca && (cca_only || o->format == FORMAT_CORIM)) {
		fprintf(stderr, "cvm-measure: %s%s: only with --mode cca\n",
			cca_only ? "--" : "--output-format corim", cca_only ? cca_only : "");
		return CVM_EXIT_BADINPUT;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct measure_opts o = { .format = FORMAT_HEX, .guest_features = 0x1 };
	const char *non_cca = NULL, *cca_only = NULL;
	int c, ret, idx = 0;

	opterr = 0;
	if (argc > 1 && !strcmp(argv[1], "firmware-info"))
		return firmware_info(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, ":vh", options, &idx)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == OPT_VERSION) {
			puts("cvm-measure " VERSION);
			return 0;
		}
		if (c == '?' || c == ':')
			return refused(c, argv);
		ret = parse_opt(c, optarg, &o);
		if (ret)
			return ret;
		if (!cca_option(c) && !non_cca)
			non_cca = options[idx].name;
		if (cca_only_option(c) && !cca_only)
			cca_only = options[idx].name;
	}
	if (optind < argc) {
		fprintf(stderr, "cvm-measure: %s: unexpected argument\n", argv[optind]);
		return CVM_EXIT_BADINPUT;
	}
	if (o.mode && (ret = check_mode_options(&o, non_cca, cca_only)))
		return ret;
	if (o.mode && !strcmp(o.mode, "cca"))
		return measure__cca_cmd(&o);
	if (!o.mode || !o.ovmf) {
		fprintf(stderr, "cvm-measure: the following arguments are required:%s%s\n",
			o.mode ? "" : " --mode", o.ovmf ? "" : " --ovmf");
		return CVM_EXIT_BADINPUT;
	}
	return !strcmp(o.mode, "tdx") ? measure__tdx_cmd(&o) : measure__sev_cmd(&o);
}

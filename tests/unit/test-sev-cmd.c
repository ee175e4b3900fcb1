/* cvm-measure for SEV/SEV-ES/SNP, run as a program over the shared vectors. */
#include <dirent.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86/vmsa.h"
#include "loader/blob.h"
#include "measure/output.h"
#include "tests/unit/rvps-test.h"
#include "tests/unit/test.h"

#define OUT 65536

static char out[OUT], err[OUT];

/* Runs cvm-measure ARGS in the vectors folder; its exit status. */
static int measure(const char *args)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "%s %s", test__program("cvm-measure"), args);
	return test__run(test__shared("vectors"), cmd, out, sizeof(out), err, sizeof(err));
}

static void chomp(char *s)
{
	s[strcspn(s, "\n")] = 0;
}

/* Trustee's RVPS message for an SNP row holds the expected digest as the
 * one accepted snp_launch_measurement; other SEV modes have none. */
static void check_rvps(const char *id, const char *args, const char *want)
{
	char cmd[8192], payload[4096], expect[256];
	bool snp = strstr(args, "--mode snp ") || strstr(args, "--mode snp:svsm ");

	if (strstr(args, "--output-format"))
		return;
	snprintf(cmd, sizeof(cmd), "%s --output-format rvps", args);
	if (!snp) {
		ck_assert_msg(measure(cmd) == 2, "%s: rvps accepted", id);
		ck_assert_msg(strstr(err, "--output-format rvps"), "%s: %s", id, err);
		return;
	}
	ck_assert_msg(measure(cmd) == 0, "%s: %s", id, err);
	rvps_test__payload(out, payload, sizeof(payload));
	snprintf(expect, sizeof(expect), "{\"snp_launch_measurement\": [\"%s\"]}", want);
	ck_assert_msg(!strcmp(payload, expect), "%s: payload %s", id, payload);
}

START_TEST(expected_rows)
{
	FILE *f = fopen(test__shared("vectors/EXPECTED-sev.tsv"), "r");
	static char line[8192];
	int rows = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		char *id, *args, *want;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		chomp(line);
		id = strtok(line, "\t");
		args = strtok(NULL, "\t");
		want = strtok(NULL, "\t");
		ck_assert_ptr_nonnull(want);
		ck_assert_msg(measure(args) == 0, "%s: %s", id, err);
		chomp(out);
		ck_assert_msg(!strcmp(out, want), "%s: got %s, want %s", id, out, want);
		check_rvps(id, args, want);
		rows++;
	}
	fclose(f);
	ck_assert_int_eq(rows, 39);
}
END_TEST

#define AMD "--ovmf firmware/OVMF.amdsev.fd"
#define SNP1 "--mode snp --vcpus 1 --vcpu-type EPYC-v4 " AMD
#define DEB05_FILES "--kernel kernel/vmlinuz-6.1.0-56-cloud-amd64 --initrd kernel/initrd.bin"
#define DEB05_APPEND "--append 'console=ttyS0 root=/dev/vda1 ro'"
#define DEB05 "2ad5bac930349ac282c3008ebb7b59364d0bc23025bc2cefbf1c6ae868bf02e1" \
	      "bd8845515379a6dfce168b84d7d2f80f"

START_TEST(bad_input)
{
	static const struct {
		const char *args, *msg;
	} cases[] = {
		{ "--mode snp " AMD, "missing --vcpus N in guest mode 'snp'" },
		{ "--mode seves --vcpus 1 " AMD,
		  "missing --vcpu-type or --vcpu-sig or --vcpu-family in guest mode 'seves'" },
		{ "--mode snp --vcpus 1 --vcpu-type EPYC-v9 " AMD, "--vcpu-type EPYC-v9" },
		{ "--mode snp --vcpus 1 --vcpu-family 25 " AMD, "--vcpu-family requires" },
		{ "--mode sev " AMD " --initrd kernel/empty", "--kernel required when using --initrd" },
		{ "--mode sev " AMD " --append x", "--kernel required when using --append" },
		{ SNP1 " --vmm-type kvm", "--vmm-type kvm" },
		{ "--mode tdxx " AMD, "--mode tdxx" },
		{ SNP1 " --frobnicate", "--frobnicate: unknown option" },
		{ SNP1 " --vcpus", "--vcpus: expects an argument" },
		{ "--mode snp --vcpus x " AMD, "--vcpus x: not a count" },
		{ "--mode snp --vcpus 0 --vcpu-type EPYC " AMD, "--vcpus 0: a guest in mode 'snp'" },
		{ "--mode seves --vcpus 0 --vcpu-type EPYC " AMD, "--vcpus 0" },
		{ "--mode snp --vcpus 1 --vcpu-sig 0x100000000 " AMD, "--vcpu-sig" },
		{ "--mode snp --vcpus 1", "required: --ovmf" },
		{ "--mode sev --ovmf firmware/nonexistent.fd", "firmware/nonexistent.fd: No such file" },
		{ "--mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf firmware/bookworm_OVMF.fd "
		  "--kernel kernel/empty", "doesn't include SNP_KERNEL_HASHES section" },
		{ "--mode sev --ovmf sev-snp-measure/ovmf_OvmfX64_suffix.bin --kernel kernel/empty",
		  "doesn't support kernel/initrd/cmdline measurement" },
		{ "--mode seves --vcpus 1 --vcpu-type EPYC " AMD " --snp-ovmf-hash 00",
		  "--snp-ovmf-hash: not an option of --mode seves (only of snp)" },
		{ SNP1 " --snp-ovmf-hash abcd", "--snp-ovmf-hash: expected 96 hex digits" },
		{ "--mode sev " AMD " --dump-vmsa", "--dump-vmsa: not an option of --mode sev" },
		{ "--mode snp:svsm --vcpus 1 --vcpu-type EPYC --ovmf sev-snp-measure/svsm_ovmf.fd "
		  "--svsm sev-snp-measure/svsm.bin", "requires --vars-size or --vars-file" },
		{ "--mode snp:svsm --vcpus 1 --vcpu-type EPYC --ovmf sev-snp-measure/svsm_ovmf.fd "
		  "--vars-size 4096", "requires --svsm" },
		{ "--mode snp:svsm --vcpus 1 --vcpu-type EPYC --ovmf sev-snp-measure/svsm_ovmf.fd --svsm x --vars-size 4096 --vars-file x",
		  "--vars-file x: not allowed with --vars-size" },
		{ SNP1 " --kernel kernel/empty --kernel-hash 00", "--kernel-hash: not allowed with --kernel" },
		{ SNP1 " --kernel-hash zz", "--kernel-hash: expected 64 hex digits" },
		{ SNP1 " --output-format yaml", "--output-format yaml" },
		{ SNP1 " extra", "extra: unexpected argument" },
		/* Options outside the mode, whatever their position. */
		{ SNP1 " --svsm sev-snp-measure/svsm.bin", "--svsm: not an option of --mode snp (only of snp:svsm)" },
		{ "--svsm x " SNP1, "--svsm: not an option of --mode snp" },
		{ SNP1 " --memory 2G", "--memory: not an option of --mode snp (only of tdx, cca)" },
		{ SNP1 " --acpi-tables acpi/quex_1c-nic.bin", "--acpi-tables: not an option of --mode snp" },
		{ SNP1 " --tdx-separator pre-202411", "--tdx-separator: not an option of --mode snp" },
		{ SNP1 " --dump-td-hob x", "--dump-td-hob: not an option of --mode snp" },
		{ "--mode sev --vcpus 1 " AMD, "--vcpus: not an option of --mode sev (only of seves, snp, snp:svsm, tdx, cca)" },
		{ "--mode sev --vcpu-type EPYC " AMD, "--vcpu-type: not an option of --mode sev" },
		{ "--mode seves --vcpus 1 --vcpu-type EPYC --guest-features 0x21 " AMD,
		  "--guest-features: not an option of --mode seves (only of snp)" },
		{ "--mode snp:ovmf-hash --vcpus 1 " AMD, "--vcpus: not an option of --mode snp:ovmf-hash" },
		{ "--mode snp:svsm --vcpus 1 --vcpu-type EPYC --ovmf sev-snp-measure/svsm_ovmf.fd "
		  "--svsm sev-snp-measure/svsm.bin --vars-size 4096 --kernel kernel/empty",
		  "--kernel: not an option of --mode snp:svsm" },
		{ "--mode snp:ovmf-hash " AMD " --output-format rvps", "--output-format rvps" },
		/* Matrices. */
		{ "--mode snp --vcpus 4-1 --vcpu-type EPYC " AMD, "--vcpus 4-1: counts are 0-65536, ranges ascending" },
		{ "--mode snp --vcpus 1,2,2 --vcpu-type EPYC " AMD, "--vcpus 1,2,2: a count given twice" },
		{ "--mode snp --vcpus 1-3,2 --vcpu-type EPYC " AMD, "a count given twice" },
		{ "--mode snp --vcpus 1-65537 --vcpu-type EPYC " AMD, "counts are 0-65536" },
		{ "--mode snp --vcpus 1-5000 --vcpu-type EPYC " AMD, "more than 4096 counts" },
		{ "--mode snp --vcpus 1, --vcpu-type EPYC " AMD, "--vcpus 1,: not a count" },
		{ "--mode snp --vcpus '' --vcpu-type EPYC " AMD, "--vcpus : not a count" },
		{ "--mode snp --vcpus 1-x --vcpu-type EPYC " AMD, "not a count, a list (1,2,4) or a range (1-64)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = measure(cases[i].args);

		ck_assert_msg(st == 2, "%s: status %d", cases[i].args, st);
		ck_assert_msg(!out[0], "%s: printed %s", cases[i].args, out);
		ck_assert_msg(strstr(err, cases[i].msg), "%s: '%s' lacks '%s'", cases[i].args, err,
			      cases[i].msg);
		ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1, "%s: not one line: %s",
			      cases[i].args, err);
	}
}
END_TEST

static void file_sha256(const char *rel, char hex[65])
{
	uint8_t d[32];
	struct blob b;

	ck_assert_int_eq(blob__open(&b, test__shared(rel)), 0);
	EVP_Digest(b.data, b.size, d, NULL, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	blob__close(&b);
}

START_TEST(kernel_hash_instead_of_files)
{
	char k[65], i[65], args[1024];

	file_sha256("vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64", k);
	file_sha256("vectors/kernel/initrd.bin", i);
	snprintf(args, sizeof(args), SNP1 " --kernel-hash %s --initrd-hash %s " DEB05_APPEND, k, i);
	ck_assert_msg(measure(args) == 0, "%s", err);
	chomp(out);
	ck_assert_str_eq(out, DEB05);
	/* A hash with a file for the other part. */
	snprintf(args, sizeof(args), SNP1 " --kernel-hash %s --initrd kernel/initrd.bin "
		 DEB05_APPEND, k);
	ck_assert_msg(measure(args) == 0, "%s", err);
	chomp(out);
	ck_assert_str_eq(out, DEB05);
	/* A wrong hash gives another measurement. */
	k[0] = k[0] == '0' ? '1' : '0';
	snprintf(args, sizeof(args), SNP1 " --kernel-hash %s --initrd-hash %s " DEB05_APPEND, k, i);
	ck_assert_int_eq(measure(args), 0);
	chomp(out);
	ck_assert_str_ne(out, DEB05);
}
END_TEST

START_TEST(json_output)
{
	char k[65], want[256];
	const char *ops;
	int n = 0;

	ck_assert_msg(measure(SNP1 " " DEB05_FILES " " DEB05_APPEND " --output-format json") == 0,
		      "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "\"values\": {\"measurement\": \"" DEB05 "\"}"));
	/* The shape every mode shares, in this order. */
	ck_assert_int_eq(strncmp(out, "{\n  \"mode\": \"snp\",\n  \"inputs\": [", 27), 0);
	ck_assert_ptr_nonnull(strstr(out, "\n  ],\n  \"options\": {\"vcpus\": 1, "));
	ck_assert_ptr_nonnull(strstr(out, "},\n  \"values\": {"));
	ck_assert_ptr_nonnull(strstr(out, "},\n  \"log\": [\n    {\"what\": \"firmware\""));
	file_sha256("vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64", k);
	snprintf(want, sizeof(want), "\"role\": \"kernel\", \"path\": \"kernel/vmlinuz-6.1.0-56-cloud-amd64\", \"sha256\": \"%s\"", k);
	ck_assert_msg(strstr(out, want), "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "\"role\": \"ovmf\""));
	ck_assert_ptr_nonnull(strstr(out, "\"role\": \"initrd\""));
	ck_assert_ptr_nonnull(strstr(out, "\"vmm_type\": \"QEMU\""));
	ck_assert_ptr_nonnull(strstr(out, "\"guest_features\": \"0x1\""));
	ck_assert_ptr_nonnull(strstr(out, "\"vmsa_era\": \"init2\""));
	ck_assert_ptr_nonnull(strstr(out, "\"append\": \"console=ttyS0 root=/dev/vda1 ro\""));
	/* One operation per launch update, the last one the measurement. */
	ops = strstr(out, "\"log\"");
	ck_assert_ptr_nonnull(ops);
	for (const char *p = ops; (p = strstr(p, "\"page_type\"")); p++)
		n++;
	ck_assert_int_eq(n, 9);
	ck_assert_ptr_nonnull(strstr(ops, "\"what\": \"vmsa0\", \"gpa\": \"0xfffffffff000\", \"length\": \"0x1000\", \"page_type\": \"vmsa\", \"digest\": \"" DEB05 "\""));
	ck_assert_str_eq(out + strlen(out) - 2, "}\n");

	/* --append '' and no --append measure alike; JSON tells them apart. */
	ck_assert_int_eq(measure(SNP1 " --kernel kernel/empty --output-format json"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"append\": null"));
	ck_assert_int_eq(measure(SNP1 " --kernel kernel/empty --append '' --output-format json"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"append\": \"\""));
	/* A long command line in full, escaped. */
	{
		char args[2048], line[1100];

		memset(line, 'a', 1000);
		snprintf(line + 1000, sizeof(line) - 1000, "\\\"\"");
		snprintf(args, sizeof(args), SNP1 " --kernel kernel/empty --append '%.1000s\"' --output-format json", line);
		ck_assert_int_eq(measure(args), 0);
		ck_assert_msg(strstr(out, line), "%s", out);
	}
}
END_TEST

/* A matrix: each entry is what a run with that many vCPUs prints, however
 * the VMSAs are built (QEMU, ec2, gce, SEV-ES, SVSM). */
START_TEST(vcpu_matrix)
{
	static const char *const bases[] = {
		"--mode snp --vcpu-type EPYC-v4 " AMD " " DEB05_FILES " " DEB05_APPEND,
		"--mode snp --vmm-type ec2 " AMD " --kernel kernel/empty",
		"--mode snp --vmm-type GCE " AMD,
		"--mode snp --vcpu-sig 0xa00f11 --snp-ovmf-hash 086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74 --ovmf sev-snp-measure/ovmf_AmdSev_suffix.bin",
		"--mode seves --vcpu-type EPYC-Milan " AMD,
		"--mode snp:svsm --vcpu-type EPYC-v4 --ovmf sev-snp-measure/svsm_ovmf.fd --svsm sev-snp-measure/svsm.bin --vars-size 540672",
	};
	static const unsigned counts[] = { 1, 2, 3, 7, 8 };
	static char matrix[OUT];
	char args[2048], line[256];

	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		snprintf(args, sizeof(args), "%s --vcpus 7,1-3,8", bases[b]);
		ck_assert_msg(measure(args) == 0, "%s: %s", args, err);
		snprintf(matrix, sizeof(matrix), "%s", out);
		ck_assert_msg(!strncmp(matrix, "vcpus=1 measurement=", 20), "%s", matrix);
		for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
			snprintf(args, sizeof(args), "%s --vcpus %u", bases[b], counts[i]);
			ck_assert_msg(measure(args) == 0, "%s: %s", args, err);
			chomp(out);
			snprintf(line, sizeof(line), "vcpus=%u measurement=%.100s\n", counts[i], out);
			ck_assert_msg(strstr(matrix, line), "%s: %s not in\n%s", bases[b], line, matrix);
		}
		/* ascending, one line each */
		ck_assert_ptr_nonnull(strstr(matrix, "\nvcpus=3 "));
		ck_assert_ptr_nonnull(strstr(strstr(matrix, "\nvcpus=3 "), "\nvcpus=7 "));
		ck_assert_int_eq(strchr(matrix, 0) - strrchr(matrix, '\n'), 1);
	}

	/* One range covers a plain count too; JSON lists every entry. */
	ck_assert_int_eq(measure(SNP1 " --vcpus 4-4"), 0);
	ck_assert_int_eq(strncmp(out, "vcpus=4 measurement=", 20), 0);
	ck_assert_int_eq(measure(SNP1 " --vcpus 1-64 --output-format json"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"matrix\": [\n    {\"vcpus\": 1, \"values\": {\"measurement\": \"d74bd3ea"));
	ck_assert_ptr_nonnull(strstr(out, "\n    {\"vcpus\": 64, \"values\": {\"measurement\": \""));
	ck_assert_ptr_null(strstr(out, "\"values\": {\"vcpus\""));
	ck_assert_ptr_null(strstr(out, "\"options\": {\"vcpus\""));
	ck_assert_ptr_nonnull(strstr(out, "{\"what\": \"vmsa63\""));
}
END_TEST

/* RVPS from a matrix: every distinct measurement, in order, under one name. */
START_TEST(rvps_matrix)
{
	char payload[16384], one[256], *p = payload;

	ck_assert_int_eq(measure(SNP1 " --vcpus 1-3 --output-format rvps"), 0);
	rvps_test__payload(out, payload, sizeof(payload));
	ck_assert_int_eq(strncmp(p, "{\"snp_launch_measurement\": [\"", 29), 0);
	for (unsigned k = 1; k <= 3; k++) {
		char args[256];

		snprintf(args, sizeof(args), SNP1 " --vcpus %u", k);
		ck_assert_int_eq(measure(args), 0);
		chomp(out);
		snprintf(one, sizeof(one), "\"%.100s\"", out);
		p = strstr(p, one);
		ck_assert_msg(p, "%s missing or out of order in %s", one, payload);
	}
	ck_assert_str_eq(p + strlen(one), "]}");
}
END_TEST

START_TEST(verbose_and_formats)
{
	char plain[OUT];
	int lines = 0;

	ck_assert_int_eq(measure(SNP1 " --vcpus 3"), 0);
	snprintf(plain, sizeof(plain), "%s", out);
	ck_assert_int_eq(measure(SNP1 " --vcpus 3 -v"), 0);
	ck_assert_str_eq(out, plain);
	for (const char *p = err; (p = strchr(p, '\n')); p++)
		lines++;
	ck_assert_int_eq(lines, 11);    /* firmware, 7 sections, 3 VMSAs */
	ck_assert_ptr_nonnull(strstr(err, "SNP_KERNEL_HASHES  gpa 0x000000810000 len 0x0001000 zero"));
	ck_assert_ptr_nonnull(strstr(err, "vmsa2"));

	/* snp:ovmf-hash stays hex: it is what --snp-ovmf-hash takes. */
	ck_assert_int_eq(measure("--mode snp:ovmf-hash " AMD " --output-format base64"), 0);
	ck_assert_str_eq(out, "9d0dd8be18c86e3fe3bf0038ed75ebf5340bee69fd2632c8ff9409964575960a"
			      "e1f7e84be387d2e3467bc3508d1e4806\n");
	ck_assert_int_eq(measure("--mode sev " AMD " --output-format base64"), 0);
	ck_assert_str_eq(out, "Pk/Qs/47Lb5IHD2emUGKA0F08my+H1WqISsPGMEtLW8=\n");

	/* --vmm-type in any case, as the same VMM. */
	ck_assert_int_eq(measure(SNP1 " --vmm-type gce"), 0);
	snprintf(plain, sizeof(plain), "%s", out);
	ck_assert_int_eq(measure(SNP1 " --vmm-type GCE"), 0);
	ck_assert_str_eq(out, plain);
	ck_assert_int_eq(measure(SNP1 " --vmm-type qemu --output-format json"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"vmm_type\": \"QEMU\""));

	ck_assert_int_eq(measure("--help"), 0);
	for (const char *const *o = (const char *const[]){
		     "--mode", "--vcpus", "--vcpu-type", "--vcpu-sig", "--vcpu-family",
		     "--vcpu-model", "--vcpu-stepping", "--vmm-type", "--ovmf", "--kernel ",
		     "--initrd ", "--append", "--guest-features", "--output-format",
		     "--snp-ovmf-hash", "--dump-vmsa", "--svsm", "--vars-size", "--vars-file",
		     "--verbose", "--version", "--kernel-hash", "--initrd-hash", "--tdx-page-order",
		     "--memory", "--acpi-tables", "--acpi-rsdp", "--acpi-loader", "--tdx-separator",
		     "--dump-td-hob", "EPYC-Milan-v2", NULL }; *o; o++)
		ck_assert_msg(strstr(out, *o), "--help lacks %s", *o);
	ck_assert_ptr_nonnull(strstr(out, "sev-snp-measure 0.0.13"));
	/* Units and ranges. */
	ck_assert_ptr_nonnull(strstr(out, "vCPUs, 0-65536"));
	ck_assert_ptr_nonnull(strstr(out, "guest RAM: MiB, or with a unit K/M/G/T"));
	ck_assert_ptr_nonnull(strstr(out, "vCPU stepping, 0-15"));
	ck_assert_int_eq(measure("--version"), 0);
	ck_assert_str_eq(out, "cvm-measure " CVM_VERSION "\n");
}
END_TEST

START_TEST(dump_vmsa)
{
	char dir[] = "/tmp/cvm-vmsa-XXXXXX", cmd[3 * PATH_MAX], path[PATH_MAX];
	uint8_t want[VMSA_SIZE];
	struct vmsa_params v = { .vmm = SEV_VMM_QEMU, .era = VMSA_ERA_INIT2, .eip = 0x80b004,
				 .sev_features = 0x1, .vcpu_sig = 0xa00f11 };
	struct blob b;
	struct dirent *e;
	DIR *d;
	int files = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "%s --mode snp --vcpus 2 --vcpu-type EPYC-Milan --ovmf '%s' --dump-vmsa",
		 test__program("cvm-measure"), test__shared("vectors/firmware/OVMF.amdsev.fd"));
	ck_assert_msg(test__run(dir, cmd, out, sizeof(out), err, sizeof(err)) == 0, "%s", err);
	vmsa__build(want, &v);
	snprintf(path, sizeof(path), "%s/vmsa1.bin", dir);
	ck_assert_int_eq(blob__open(&b, path), 0);
	ck_assert_uint_eq(b.size, VMSA_SIZE);
	ck_assert_mem_eq(b.data, want, VMSA_SIZE);
	blob__close(&b);
	d = opendir(dir);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, "..")))
			continue;
		ck_assert_msg(!strcmp(e->d_name, "vmsa0.bin") || !strcmp(e->d_name, "vmsa1.bin"),
			      "left %s", e->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
		files++;
	}
	closedir(d);
	rmdir(dir);
	ck_assert_int_eq(files, 2);
}
END_TEST

START_TEST(firmware_info)
{
	ck_assert_msg(measure("firmware-info " AMD) == 0, "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "SEV-ES AP reset EIP: 0x80b004"));
	ck_assert_ptr_nonnull(strstr(out, "SEV hash table: gpa 0x810c00 size 0x400"));
	ck_assert_ptr_nonnull(strstr(out, "   6 SNP_KERNEL_HASHES  gpa 0x00810000 size 0x00001000"));
	ck_assert_ptr_nonnull(strstr(out, "dc886566-984a-4798-a75e-5585a7bf67cc  OVMF_SEV_METADATA"));
	ck_assert_ptr_nonnull(strstr(out, "IGVM_PARAMETER_AREAS"));
	ck_assert_ptr_nonnull(strstr(out, "TDVF section 0: BFV "));
	ck_assert_int_eq(measure("firmware-info --ovmf firmware/OVMF.inteltdx.ms.fd"), 0);
	ck_assert_ptr_nonnull(strstr(out, "TDVF section 4: TD_HOB       file 0+0 -> gpa 0x809000+0x2000"));
	ck_assert_int_eq(measure("firmware-info --json --ovmf firmware/bookworm_OVMF_CODE_4M.fd"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"ap_reset_eip\": \"0x808004\""));
	ck_assert_ptr_nonnull(strstr(out, "\"metadata\": []"));
	ck_assert_ptr_nonnull(strstr(out, "\"tdvf\": []"));
	ck_assert_int_eq(measure("firmware-info"), 2);
	ck_assert_ptr_nonnull(strstr(err, "--ovmf is required"));
	ck_assert_int_eq(measure("firmware-info --ovmf kernel/cmdline_a.txt"), 0);
	ck_assert_ptr_nonnull(strstr(out, "footer table: 0 entries"));
}
END_TEST

static Suite *sev_cmd_suite(void)
{
	Suite *s = suite_create("sev-cmd");
	TCase *t = tcase_create("cvm-measure");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, expected_rows);
	tcase_add_test(t, bad_input);
	tcase_add_test(t, kernel_hash_instead_of_files);
	tcase_add_test(t, json_output);
	tcase_add_test(t, vcpu_matrix);
	tcase_add_test(t, rvps_matrix);
	tcase_add_test(t, verbose_and_formats);
	tcase_add_test(t, dump_vmsa);
	tcase_add_test(t, firmware_info);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(sev_cmd_suite)

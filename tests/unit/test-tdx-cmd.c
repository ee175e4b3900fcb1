/* cvm-measure --mode tdx as a program: outputs, formats, companion-option
 * errors, --dump-td-hob and --verbose, run in the vectors folder. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/rvps-test.h"
#include "tests/unit/tdx-test.h"
#include "tests/unit/test.h"

#define FW      "--mode tdx --ovmf firmware/OVMF.inteltdx.ms.fd"
#define BOOT    FW " --kernel kernel/vmlinuz-6.1.0-56-cloud-amd64 --initrd kernel/initrd.bin" \
		" --append 'console=ttyS0 root=/dev/vda1 ro' --acpi-tables acpi/quex_1c-nic.bin" \
		" --acpi-rsdp acpi/quex_1c-nic.rsdp.bin --acpi-loader acpi/quex_1c-nic.table-loader.bin"

/* cvm-run's own TD with the vectors' kernel. */
#define CVM     FW " --tdx-vmm cvm-run --kernel kernel/vmlinuz-6.1.0-56-cloud-amd64" \
		" --initrd kernel/initrd.bin --append 'console=ttyS0 root=/dev/vda1 ro'"

static char out[65536], err[65536];

static int run(const char *args)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), "%s %s", test__program("cvm-measure"), args);
	return test__run(test__shared("vectors"), cmd, out, sizeof(out), err, sizeof(err));
}

START_TEST(mrtd_orders)
{
	char want[256], line[300];

	tdx_test__expected("tdx-mrtd-01", want, sizeof(want));
	snprintf(line, sizeof(line), "mrtd=%s\n", want);
	ck_assert_int_eq(run(FW), 0);
	ck_assert_str_eq(out, line);
	ck_assert_int_eq(run(FW " --tdx-page-order single-pass"), 0);
	ck_assert_str_eq(out, line);
	tdx_test__expected("tdx-mrtd-04", want, sizeof(want));
	snprintf(line, sizeof(line), "mrtd=%s\n", want);
	ck_assert_int_eq(run("--mode tdx --ovmf firmware/bookworm_OVMF.fd --tdx-page-order two-pass"), 0);
	ck_assert_str_eq(out, line);
	ck_assert_str_eq(err, "");
}
END_TEST

/* "rtmr0=A rtmr1=B rtmr2=C" as the program prints it, one per line. */
static void check_rtmrs(const char *id)
{
	char want[1024], *w;

	tdx_test__expected(id, want, sizeof(want));
	for (w = want; (w = strchr(w, ' ')); )
		*w = '\n';
	strcat(want, "\nrtmr3=");
	for (int i = 0; i < 96; i++)
		strcat(want, "0");
	ck_assert_msg(strstr(out, want) != NULL, "%s: %s", id, out);
	ck_assert_int_eq(test__count(out, "\n"), 5);
	ck_assert_int_eq(strncmp(out, "mrtd=a7a1f751", 13), 0);
}

START_TEST(rtmr_rows)
{
	ck_assert_int_eq(run(BOOT " --memory 2G"), 0);
	check_rtmrs("tdx-rtmr-04");
	ck_assert_int_eq(run(BOOT " --memory 2048M --tdx-separator post-202411"), 0);
	check_rtmrs("tdx-rtmr-04");
	ck_assert_int_eq(run(BOOT " --memory 1G --tdx-separator pre-202411"), 0);
	check_rtmrs("tdx-rtmr-01");
}
END_TEST

START_TEST(json_and_base64)
{
	char hex[sizeof(out)], *mrtd;
	unsigned char raw[64];
	const char *head;

	ck_assert_int_eq(run(BOOT " --memory 2G"), 0);
	snprintf(hex, sizeof(hex), "%s", out);
	ck_assert_int_eq(run(BOOT " --memory 2G --output-format json"), 0);
	/* The shape of every mode: mode, inputs, options, values, log. */
	head = "{\n  \"mode\": \"tdx\",\n  \"inputs\": [\n    {\"role\": \"ovmf\", "
	       "\"path\": \"firmware/OVMF.inteltdx.ms.fd\", \"sha256\": \"a265075b";
	ck_assert_int_eq(strncmp(out, head, strlen(head)), 0);
	ck_assert_ptr_nonnull(strstr(out, "{\"role\": \"acpi-loader\", \"path\": \"acpi/quex_1c-nic.table-loader.bin\", \"sha256\": \""));
	ck_assert_ptr_nonnull(strstr(out, "\"options\": {\"memory\": 2147483648, \"tdx_page_order\": \"single-pass\", "
				     "\"tdx_separator\": \"post-202411\", \"append\": \"console=ttyS0 root=/dev/vda1 ro\", "
				     "\"tdx_vmm\": \"qemu\", \"vcpus\": null},\n"));
	ck_assert_ptr_nonnull(strstr(out, "\"values\": {\"mrtd\": \"a7a1f751"));
	ck_assert_ptr_nonnull(strstr(out, "\"rtmr3\": \"000000"));
	ck_assert_uint_eq(test__count(out, "\"register\": "), 20);
	ck_assert_ptr_nonnull(strstr(out, "\"log\": [\n    {\"register\": 0, \"type\": \"EV_EFI_HANDOFF_TABLES2\", "
				     "\"digest\": \"0b8772e5b0b41b83e6044a68397e02f49fb47066b4fbe4917ea2c45c"
				     "64f323fdacbb37948f821ebaf8bc9c938ba8a749\", \"description\": \"TD_HOB\"}"));
	ck_assert_ptr_nonnull(strstr(out, "{\"register\": 2, \"type\": \"EV_EVENT_TAG\""));
	/* the same register values as the hex output */
	for (int i = 0; i < 4; i++) {
		char key[16], val[97];

		snprintf(key, sizeof(key), "rtmr%d=", i);
		snprintf(val, sizeof(val), "%s", strstr(hex, key) + 6);
		ck_assert_ptr_nonnull(strstr(out, val));
	}
	ck_assert_int_eq(run(FW " --output-format json"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"values\": {\"mrtd\": \"a7a1f751"));
	ck_assert_ptr_nonnull(strstr(out, "\"options\": {\"memory\": null, "));
	ck_assert_ptr_nonnull(strstr(out, "\"log\": null\n}\n"));
	ck_assert_ptr_null(strstr(out, "rtmr0"));

	ck_assert_int_eq(run(FW " --output-format base64"), 0);
	ck_assert_int_eq(strncmp(out, "mrtd=", 5), 0);
	mrtd = out + 5;
	mrtd[strcspn(mrtd, "\n")] = 0;
	ck_assert_int_eq(EVP_DecodeBlock(raw, (unsigned char *)mrtd, strlen(mrtd)), 48);
	ck_assert_int_eq(raw[0], 0xa7);
	ck_assert_int_eq(raw[47], 0x08);
}
END_TEST

/* Each bad invocation: exit 2 and one line on stderr naming the problem. */
START_TEST(errors)
{
	static const struct {
		const char *args, *want;
	} cases[] = {
		{ FW " --kernel kernel/vmlinuz-6.1.0-56-cloud-amd64",
		  "--kernel with --mode tdx needs --memory --acpi-tables --acpi-rsdp --acpi-loader" },
		{ BOOT, "needs --memory" },
		{ FW " --kernel kernel/vmlinuz-6.1.0-56-cloud-amd64 --memory 2G --acpi-tables acpi/quex_1c-nic.bin",
		  "needs --acpi-rsdp --acpi-loader" },
		{ FW " --initrd kernel/initrd.bin", "--initrd needs --kernel" },
		{ FW " --append ro", "--append needs --kernel" },
		{ FW " --acpi-rsdp acpi/quex_1c-nic.rsdp.bin", "--acpi-rsdp needs --kernel" },
		{ FW " --tdx-separator pre-202411", "--tdx-separator needs --kernel" },
		{ FW " --tdx-page-order three-pass", "--tdx-page-order: 'three-pass' is not single-pass or two-pass" },
		{ BOOT " --memory 2G --tdx-separator 2024", "--tdx-separator: '2024'" },
		{ FW " --dump-td-hob /tmp/x", "--dump-td-hob needs --memory" },
		{ "--mode tdx", "--ovmf" },
		{ "--mode tdx --ovmf firmware/bookworm_OVMF_CODE_4M.fd", "bookworm_OVMF_CODE_4M.fd: TDX metadata" },
		{ "--mode tdx --ovmf firmware/nonexistent.fd", "firmware/nonexistent.fd: No such file" },
		{ BOOT " --memory 4M", "TempMem" },
		{ BOOT " --memory 2G --initrd kernel/vmlinuz-6.1.0-56-cloud-amd64 --kernel kernel/initrd.bin",
		  "initrd.bin: setup header version" },
		/* Options of other modes, wherever they stand. */
		{ FW " --vcpu-type EPYC-v4", "--vcpu-type: not an option of --mode tdx (only of seves, snp, snp:svsm)" },
		{ "--svsm x " FW, "--svsm: not an option of --mode tdx (only of snp:svsm)" },
		{ FW " --dump-vmsa", "--dump-vmsa: not an option of --mode tdx" },
		{ FW " --vcpus 4", "--vcpus: only with --tdx-vmm cvm-run (QEMU's vCPUs reach RTMR0 through --acpi-tables)" },
		{ FW " --guest-features 0x1", "--guest-features: not an option of --mode tdx" },
		{ FW " --vmm-type QEMU", "--vmm-type: not an option of --mode tdx" },
		{ FW " --kernel-hash 00", "--kernel-hash: not an option of --mode tdx" },
		/* Memory lists. */
		{ FW " --memory 1G,1024", "--memory 1G,1024: a size given twice" },
		{ FW " --memory 1G,", "--memory 1G,: not a size" },
		{ FW " --memory 0", "--memory 0: not a size" },
		{ FW " --memory 1G,2G --dump-td-hob /tmp/x", "--dump-td-hob takes one --memory size" },
		/* cvm-run's own launch: its ACPI, one vCPU count, single-pass. */
		{ FW " --tdx-vmm xen", "--tdx-vmm: 'xen' is not qemu or cvm-run" },
		{ FW " --tdx-vmm cvm-run --acpi-rsdp acpi/quex_1c-nic.rsdp.bin",
		  "--acpi-rsdp: --tdx-vmm cvm-run builds its own ACPI tables" },
		{ FW " --tdx-vmm cvm-run --kernel kernel/vmlinuz-6.1.0-56-cloud-amd64",
		  "--kernel with --tdx-vmm cvm-run needs --memory --vcpus" },
		{ FW " --tdx-vmm cvm-run --vcpus 2", "--vcpus needs --kernel" },
		{ FW " --tdx-vmm cvm-run --vcpus 1,2", "--vcpus needs --kernel" },
		{ CVM " --memory 1G,2G,4G --vcpus 1-2048",
		  "--vcpus and --memory: 6144 combinations, more than 4096" },
		{ CVM " --memory 2G --vcpus 2,255", "vcpus: 255 is not within 1..254 (ACPI MADT)" },
		{ CVM " --memory 2G --vcpus 1,2 --dump-td-hob /tmp/x",
		  "--dump-td-hob takes one --memory size and one --vcpus count, not a list" },
		{ FW " --tdx-vmm cvm-run --tdx-page-order two-pass",
		  "--tdx-page-order two-pass: cvm-run adds a TD's pages single-pass" },
		{ CVM " --memory 2G --vcpus 255", "vcpus: 255 is not within 1..254 (ACPI MADT)" },
		{ FW " --tdx-vmm cvm-run --memory 2G --vcpus 2 --kernel kernel/initrd.bin",
		  "initrd.bin: not a bzImage" },
		{ "--mode snp --ovmf firmware/OVMF.amdsev.fd --tdx-vmm cvm-run",
		  "--tdx-vmm: not an option of --mode snp (only of tdx)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(run(cases[i].args) == 2, "case %zu: exit status", i);
		ck_assert_msg(strstr(err, cases[i].want) != NULL, "case %zu: %s", i, err);
		ck_assert_msg(test__count(err, "\n") == 1, "case %zu: %s", i, err);
		ck_assert_str_eq(out, "");
	}
}
END_TEST

/* --memory without a unit is MiB, with fractions, as QEMU's -m. */
START_TEST(memory_units)
{
	char want[sizeof(out)];

	ck_assert_int_eq(run(BOOT " --memory 2G"), 0);
	snprintf(want, sizeof(want), "%s", out);
	ck_assert_int_eq(run(BOOT " --memory 2048"), 0);
	ck_assert_str_eq(out, want);
	ck_assert_int_eq(run(BOOT " --memory 0.5G"), 0);
	snprintf(want, sizeof(want), "%s", out);
	ck_assert_int_eq(run(BOOT " --memory 512"), 0);
	ck_assert_str_eq(out, want);
}
END_TEST

/* OUTPUT's lines joined by spaces after PREFIX, as a matrix line. */
static const char *as_line(const char *prefix, const char *output, char *buf, size_t n)
{
	char *p;

	snprintf(buf, n, "%s %.1000s", prefix, output);
	for (p = buf; (p = strchr(p, '\n'));)
		*p = ' ';
	buf[strlen(buf) - 1] = '\n';
	return buf;
}

/* A memory matrix: each line is what a run with that size prints; 2G and
 * 4G share QEMU's kernel patch (2 GiB below 4 GiB), 1G does not. */
START_TEST(memory_matrix)
{
	static char matrix[sizeof(out)];
	static const char *const sizes[] = { "1G", "2G", "4G", "1536M" };
	char args[2048], prefix[32], line[1200];

	ck_assert_int_eq(run(BOOT " --memory 4G,1G,1.5G,2G"), 0);
	snprintf(matrix, sizeof(matrix), "%s", out);
	ck_assert_uint_eq(test__count(matrix, "\n"), 4);
	ck_assert_int_eq(strncmp(matrix, "memory=1G mrtd=", 15), 0);
	for (size_t i = 0; i < 4; i++) {
		snprintf(args, sizeof(args), BOOT " --memory %s", sizes[i]);
		ck_assert_int_eq(run(args), 0);
		snprintf(prefix, sizeof(prefix), "memory=%s", sizes[i]);
		as_line(prefix, out, line, sizeof(line));
		ck_assert_msg(strstr(matrix, line), "%s not in\n%s", line, matrix);
	}
	ck_assert_int_eq(run(FW " --memory 1G,2G --output-format json"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"matrix\": [\n    {\"memory\": 1073741824, \"values\": {\"mrtd\": \"a7a1f751"));
	ck_assert_ptr_nonnull(strstr(out, "\n    {\"memory\": 2147483648, \"values\": {\"mrtd\": \"a7a1f751"));
}
END_TEST

/* The line of OUTPUT that starts with KEY ("rtmr0="), into BUF. */
static const char *reg_line(const char *output, const char *key, char *buf)
{
	const char *l = strstr(output, key);

	ck_assert_ptr_nonnull(l);
	snprintf(buf, 160, "%.*s", (int)strcspn(l, "\n"), l);
	return buf;
}

/* cvm-run's own TD (--tdx-vmm cvm-run; that it is what cvm-run --dry-run
 * prints is test-tdx-launch's): MRTD is the firmware's, RTMR0 holds cvm-run's
 * TD HOB and the ACPI tables for --vcpus, RTMR1 the kernel with QEMU's patch
 * for cvm-run's RAM below 4 GiB (2 GiB: all of it in both maps, so QEMU's
 * value; 4 GiB: 3 GiB here, 2 GiB on q35), RTMR2 the same command line and
 * initrd as QEMU's. */
START_TEST(cvm_run_launch)
{
	static char two[sizeof(out)], qemu[sizeof(out)], matrix[sizeof(out)];
	char a[160], b[160], line[1200];

	ck_assert_int_eq(run(CVM " --vcpus 2 --memory 2G"), 0);
	snprintf(two, sizeof(two), "%s", out);
	ck_assert_int_eq(strncmp(two, "mrtd=a7a1f751", 13), 0);
	ck_assert_int_eq(test__count(two, "\n"), 5);
	ck_assert_int_eq(run(BOOT " --memory 2G"), 0);
	snprintf(qemu, sizeof(qemu), "%s", out);
	ck_assert_str_ne(reg_line(two, "rtmr0=", a), reg_line(qemu, "rtmr0=", b));
	ck_assert_str_eq(reg_line(two, "rtmr1=", a), reg_line(qemu, "rtmr1=", b));
	ck_assert_str_eq(reg_line(two, "rtmr2=", a), reg_line(qemu, "rtmr2=", b));

	ck_assert_int_eq(run(CVM " --vcpus 1 --memory 2G"), 0);
	ck_assert_str_ne(reg_line(two, "rtmr0=", a), reg_line(out, "rtmr0=", b));
	ck_assert_str_eq(reg_line(two, "rtmr1=", a), reg_line(out, "rtmr1=", b));

	ck_assert_int_eq(run(CVM " --vcpus 2 --memory 4G,2G"), 0);
	snprintf(matrix, sizeof(matrix), "%s", out);
	as_line("memory=2G", two, line, sizeof(line));
	ck_assert_msg(strstr(matrix, line), "%s not in\n%s", line, matrix);
	ck_assert_int_eq(run(CVM " --vcpus 2 --memory 4G"), 0);
	ck_assert_str_ne(reg_line(two, "rtmr1=", a), reg_line(out, "rtmr1=", b));
	ck_assert_ptr_nonnull(strstr(matrix, reg_line(out, "rtmr1=", b)));

	ck_assert_int_eq(run(CVM " --vcpus 2 --memory 2G --output-format json"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"tdx_vmm\": \"cvm-run\", \"vcpus\": 2},\n"));
	ck_assert_ptr_nonnull(strstr(out, "{\"role\": \"kernel\", "));
	ck_assert_ptr_null(strstr(out, "acpi-tables"));
}
END_TEST

/* cvm-run's TD with --vcpus and --memory lists: a line per combination,
 * vCPU-major, each what the single launch prints; JSON names both in each
 * entry and neither in the options; RVPS lists each distinct register. */
START_TEST(vcpu_memory_matrix)
{
	static const char *const mems[] = { "2G", "4G" };
	static char matrix[sizeof(out)];
	char args[2048], prefix[64], line[1200], payload[4096];
	const char *l;

	ck_assert_int_eq(run(CVM " --vcpus 2,1 --memory 4G,2G"), 0);
	snprintf(matrix, sizeof(matrix), "%s", out);
	l = matrix;
	for (int v = 1; v <= 2; v++) {
		for (int m = 0; m < 2; m++) {
			snprintf(args, sizeof(args), CVM " --vcpus %d --memory %s", v, mems[m]);
			ck_assert_int_eq(run(args), 0);
			snprintf(prefix, sizeof(prefix), "vcpus=%d memory=%s", v, mems[m]);
			as_line(prefix, out, line, sizeof(line));
			ck_assert_msg(!strncmp(l, line, strlen(line)), "%s: want %s", l, line);
			l += strlen(line);
		}
	}
	ck_assert_str_eq(l, "");

	/* One list: its key alone on the line, the other value an option. */
	ck_assert_int_eq(run(CVM " --vcpus 1,2 --memory 4G"), 0);
	ck_assert_int_eq(strncmp(out, "vcpus=1 mrtd=a7a1f751", 21), 0);
	ck_assert_uint_eq(test__count(out, "\n"), 2);
	ck_assert_ptr_nonnull(strstr(matrix, strchr(strchr(out, '\n') + 1, ' ')));
	ck_assert_int_eq(run(CVM " --vcpus 1,2 --memory 4G --output-format json"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"options\": {\"memory\": 4294967296, "));
	ck_assert_ptr_nonnull(strstr(out, "\"tdx_vmm\": \"cvm-run\"},\n"));
	ck_assert_ptr_nonnull(strstr(out, "\"matrix\": [\n    {\"vcpus\": 1, \"values\": {\"mrtd\": "));

	ck_assert_int_eq(run(CVM " --vcpus 1,2 --memory 2G,4G --output-format json"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"options\": {\"tdx_page_order\": \"single-pass\", "));
	ck_assert_ptr_nonnull(strstr(out, "\"tdx_vmm\": \"cvm-run\"},\n"));
	ck_assert_ptr_nonnull(strstr(out, "\"matrix\": [\n    {\"vcpus\": 1, \"memory\": 2147483648, "
				     "\"values\": {\"mrtd\": \"a7a1f751"));
	ck_assert_ptr_nonnull(strstr(out, "\n    {\"vcpus\": 2, \"memory\": 4294967296, "
				     "\"values\": {\"mrtd\": \"a7a1f751"));
	ck_assert_uint_eq(test__count(out, "\"rtmr0\": "), 4);

	/* MRTD and RTMR2 are shared; RTMR0 differs everywhere, RTMR1 by RAM. */
	ck_assert_int_eq(run(CVM " --vcpus 1,2 --memory 2G,4G --output-format rvps"), 0);
	rvps_test__payload(out, payload, sizeof(payload));
	ck_assert_uint_eq(test__count(payload, "\""), 2 * (4 + 1 + 4 + 2 + 1));
	ck_assert_ptr_nonnull(strstr(payload, "\"mr_td\": [\"a7a1f751"));
	ck_assert_ptr_nonnull(strstr(payload, "\"rtmr_2\": [\""));
}
END_TEST

/* Words of an EXPECTED-tdx.tsv inputs column as cvm-measure options. */
static void row_args(const char *inputs, char *args, size_t cap)
{
	static const char *const map[][2] = {
		{ "firmware", "--ovmf" }, { "order", "--tdx-page-order" }, { "memory", "--memory" },
		{ "kernel", "--kernel" }, { "initrd", "--initrd" }, { "cmdline", "--append" },
		{ "separator", "--tdx-separator" }, { "acpi-tables", "--acpi-tables" },
		{ "acpi-rsdp", "--acpi-rsdp" }, { "acpi-loader", "--acpi-loader" },
	};
	const char *p = inputs;
	size_t n = snprintf(args, cap, "--mode tdx --output-format rvps");

	while (*p) {
		const char *eq = strchr(p, '='), *end;
		size_t k;

		ck_assert_ptr_nonnull(eq);
		if (eq[1] == '"') {
			end = strchr(eq + 2, '"') + 1;
		} else {
			end = strchr(eq, ' ');
			end = end ? end : eq + strlen(eq);
		}
		for (k = 0; k < sizeof(map) / sizeof(map[0]); k++)
			if (strlen(map[k][0]) == (size_t)(eq - p) && !strncmp(p, map[k][0], eq - p))
				break;
		ck_assert_msg(k < sizeof(map) / sizeof(map[0]), "unknown input %s", p);
		n += snprintf(args + n, cap - n, " %s '%.*s'", map[k][1],
			      (int)(end - eq - 1 - 2 * (eq[1] == '"')), eq + 1 + (eq[1] == '"'));
		ck_assert_uint_lt(n, cap);
		p = *end ? end + 1 : end;
	}
}

/* Every vector row as Trustee's RVPS message: its payload decodes (base64,
 * JSON) to the expected digests under mr_td and rtmr_0..rtmr_2. */
START_TEST(rvps_rows)
{
	FILE *f = fopen(test__shared("vectors/EXPECTED-tdx.tsv"), "r");
	char line[4096], args[4096], payload[4096], want[512];
	int rows = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		char *id, *kind, *inputs, *expect, *r;

		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = 0;
		id = strtok(line, "\t");
		kind = strtok(NULL, "\t");
		inputs = strtok(NULL, "\t");
		expect = strtok(NULL, "\t");
		row_args(inputs, args, sizeof(args));
		ck_assert_msg(run(args) == 0, "%s: %s", id, err);
		rvps_test__payload(out, payload, sizeof(payload));
		if (!strcmp(kind, "tdx-mrtd")) {
			snprintf(want, sizeof(want), "{\"mr_td\": [\"%s\"]}", expect);
			ck_assert_msg(!strcmp(payload, want), "%s: %s", id, payload);
		} else {
			ck_assert_msg(!strncmp(payload, "{\"mr_td\": [\"", 12), "%s: %s", id, payload);
			for (int i = 0; i < 3; i++) {
				snprintf(want, sizeof(want), "rtmr%d=", i);
				r = strstr(expect, want);
				ck_assert_ptr_nonnull(r);
				snprintf(want, sizeof(want), "\"rtmr_%d\": [\"%.96s\"]", i, r + 6);
				ck_assert_msg(strstr(payload, want), "%s: %s lacks %s", id, payload, want);
			}
			ck_assert_ptr_null(strstr(payload, "rtmr_3"));
		}
		rows++;
	}
	fclose(f);
	ck_assert_int_eq(rows, 10);
}
END_TEST

START_TEST(dump_td_hob)
{
	char dir[] = "/tmp/cvm-test-hob-XXXXXX", args[1024], path[128];
	uint8_t hob[1024], d[48];
	struct stat st;
	FILE *f;
	size_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hob.bin", dir);
	snprintf(args, sizeof(args), FW " --memory 2G --dump-td-hob %s", path);
	ck_assert_int_eq(run(args), 0);
	ck_assert_int_eq(strncmp(out, "mrtd=a7a1f751", 13), 0);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	n = fread(hob, 1, sizeof(hob), f);
	fclose(f);
	ck_assert_uint_eq(n, 56 + 48 * 8 + 8);
	/* the TD_HOB event digest of EVENTS-tdx-2G.tsv: all but the END entry */
	EVP_Digest(hob, n - 8, d, NULL, EVP_sha384(), NULL);
	ck_assert_int_eq(d[0], 0x0b);
	ck_assert_int_eq(d[1], 0x87);
	ck_assert_int_eq(d[47], 0x49);

	/* A failing run leaves the old file alone and no temporary behind. */
	snprintf(args, sizeof(args), FW " --memory 2G --tdx-page-order x --dump-td-hob %s", path);
	ck_assert_int_eq(run(args), 2);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, (off_t)n);
	snprintf(args, sizeof(args), "ls -A '%s'", dir);
	ck_assert_int_eq(test__run(NULL, args, out, sizeof(out), NULL, 0), 0);
	ck_assert_str_eq(out, "hob.bin\n");
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(verbose)
{
	char quiet[sizeof(out)];

	ck_assert_int_eq(run(BOOT " --memory 2G"), 0);
	snprintf(quiet, sizeof(quiet), "%s", out);
	ck_assert_int_eq(run(BOOT " --memory 2G -v"), 0);
	ck_assert_str_eq(out, quiet);
	ck_assert_uint_eq(test__count(err, "\n"), 6 + 1 + 20);
	/* 892 extended BFV pages, 158 more added ones */
	ck_assert_ptr_nonnull(strstr(err, "MRTD stream: 5614848 bytes\n"));
	ck_assert_ptr_nonnull(strstr(err, "TDVF[0] BFV"));
	ck_assert_ptr_nonnull(strstr(err, "tdx-add+extend  gpa=0xffc84000 len=0x37c000\n"));
	ck_assert_ptr_nonnull(strstr(err, "RTMR1 EV_EFI_BOOT_SERVICES_APPLICATION 049cc0fc"));
	ck_assert_ptr_nonnull(strstr(err, " Exit Boot Services Returned with Success\n"));
}
END_TEST

static Suite *tdx_cmd_suite(void)
{
	Suite *s = suite_create("tdx-cmd");
	TCase *t = tcase_create("cli");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, mrtd_orders);
	tcase_add_test(t, rtmr_rows);
	tcase_add_test(t, json_and_base64);
	tcase_add_test(t, errors);
	tcase_add_test(t, memory_units);
	tcase_add_test(t, memory_matrix);
	tcase_add_test(t, cvm_run_launch);
	tcase_add_test(t, vcpu_memory_matrix);
	tcase_add_test(t, rvps_rows);
	tcase_add_test(t, dump_td_hob);
	tcase_add_test(t, verbose);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(tdx_cmd_suite)

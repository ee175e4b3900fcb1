#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/error.h"
#include "vmm/config.h"
#include "tests/unit/test.h"
#include "tests/unit/vm-test.h"

#define PARSE(c, ...) vm_test__parse(c, (const char *const[]){ __VA_ARGS__, NULL })

static void expect_error(const char *const *args, const char *needle)
{
	struct vm_config c;

	ck_assert_int_eq(vm_test__parse(&c, args), -1);
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
	ck_assert_msg(strstr(err__msg(), needle), "'%s' does not name '%s'", err__msg(), needle);
	ck_assert_ptr_null(strchr(err__msg(), '\n'));
	config__exit(&c);
}

#define EXPECT_ERROR(needle, ...) expect_error((const char *const[]){ __VA_ARGS__, NULL }, needle)

START_TEST(defaults_and_options)
{
	struct vm_config c;

	ck_assert_int_eq(PARSE(&c, "-k", "vmlinux"), 0);
	ck_assert_str_eq(c.kernel, "vmlinux");
	ck_assert_uint_eq(c.mem, 512ull << 20);
	ck_assert_uint_eq(c.cpus, 1);
	ck_assert_int_eq(c.backend, MEM_GUEST_MEMFD);
	ck_assert(!c.backend_explicit);
	ck_assert_ptr_null(c.console_file);
	ck_assert_int_eq(c.pit, -1);
	config__exit(&c);

	ck_assert_int_eq(PARSE(&c, "--kernel", "k", "-i", "initrd", "-p", "console=ttyS0",
			       "-m", "4G", "-c", "4", "--console", "file:/tmp/out",
			       "--timeout", "2.5", "--expect", "Linux version [0-9]",
			       "--memory-backend", "anon", "--cpuid-disable", "xsave,avx2",
			       "--pit", "off"), 0);
	ck_assert_str_eq(c.initrd, "initrd");
	ck_assert_str_eq(c.params, "console=ttyS0");
	ck_assert_uint_eq(c.mem, 4ull << 30);
	ck_assert_uint_eq(c.cpus, 4);
	ck_assert_str_eq(c.console_file, "/tmp/out");
	ck_assert(c.timeout == 2.5);
	ck_assert_str_eq(c.expect, "Linux version [0-9]");
	ck_assert_int_eq(c.backend, MEM_ANON);
	ck_assert(c.backend_explicit);
	ck_assert_str_eq(c.cpuid_disable, "xsave,avx2");
	ck_assert_int_eq(c.pit, 0);
	config__exit(&c);
}
END_TEST

START_TEST(peek_addresses)
{
	struct vm_config c;

	ck_assert_int_eq(PARSE(&c, "-k", "k", "--peek", "0x4000a000,1073741824,0x0"), 0);
	ck_assert_uint_eq(c.npeek, 3);
	ck_assert_uint_eq(c.peek[0], 0x4000a000);
	ck_assert_uint_eq(c.peek[1], 0x40000000);
	ck_assert_uint_eq(c.peek[2], 0);
	config__exit(&c);
	ck_assert_int_eq(PARSE(&c, "-k", "k"), 0);
	ck_assert_uint_eq(c.npeek, 0);
	config__exit(&c);
	EXPECT_ERROR("--peek: 'here' is not a guest-physical address", "-k", "k", "--peek", "here");
	EXPECT_ERROR("--peek: '' is not", "-k", "k", "--peek", "0x1000,");
	EXPECT_ERROR("--peek: '0x1 ' is not", "-k", "k", "--peek", "0x1 ");
	EXPECT_ERROR("--peek: '0x10000000000000000' is not", "-k", "k", "--peek",
		     "0x10000000000000000");
	EXPECT_ERROR("--peek: more than 8 addresses", "-k", "k", "--peek", "1,2,3,4,5,6,7,8,9");
}
END_TEST

START_TEST(bad_options_name_themselves)
{
	EXPECT_ERROR("--mem", "-k", "k", "-m", "lots");
	EXPECT_ERROR("--mem", "-k", "k", "-m", "1M");
	EXPECT_ERROR("--mem", "-k", "k", "-m", "16777217B");
	EXPECT_ERROR("--mem", "-k", "k", "-m", "65537G");
	EXPECT_ERROR("--mem", "-k", "k", "-m", "1,5G");
	EXPECT_ERROR("--cpus", "-k", "k", "-c", "0");
	EXPECT_ERROR("--cpus", "-k", "k", "-c", "255");
	EXPECT_ERROR("--cpus", "-k", "k", "--cpus=two");
	EXPECT_ERROR("--timeout", "-k", "k", "--timeout", "-1");
	EXPECT_ERROR("--timeout", "-k", "k", "--timeout", "soon");
	EXPECT_ERROR("--expect", "-k", "k", "--expect", "(unclosed");
	EXPECT_ERROR("--console", "-k", "k", "--console", "tcp:1234");
	EXPECT_ERROR("--console", "-k", "k", "--console", "file:");
	EXPECT_ERROR("--memory-backend", "-k", "k", "--memory-backend", "hugetlb");
	EXPECT_ERROR("--pit", "-k", "k", "--pit", "no");
	/* A confidential guest never gets a PIT, so asking for one is an error. */
	EXPECT_ERROR("--pit on", "-k", "k", "--tee", "sw-protected", "--pit", "on");
	EXPECT_ERROR("--bogus", "-k", "k", "--bogus");
	EXPECT_ERROR("-x", "-k", "k", "-x");
	EXPECT_ERROR("missing value", "-k", "k", "--mem");
	EXPECT_ERROR("stray", "-k", "k", "stray");
	EXPECT_ERROR("--kernel", "-m", "1G");
	EXPECT_ERROR("--kernel", "--kernel=");
}
END_TEST

static char *write_ini(const char *text)
{
	char *path = strdup("/tmp/cvm-config-XXXXXX");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

START_TEST(config_file_and_precedence)
{
	struct vm_config c;
	char *ini = write_ini("; a test guest\n[vm]\nkernel = guest.elf\nmem = 1G\ncpus = 2\n"
			      "params = console=ttyS0 quiet\n");

	ck_assert_int_eq(PARSE(&c, "--config", ini), 0);
	ck_assert_str_eq(c.kernel, "/tmp/guest.elf");   /* relative to the file */
	ck_assert_uint_eq(c.mem, 1ull << 30);
	ck_assert_uint_eq(c.cpus, 2);
	ck_assert_str_eq(c.params, "console=ttyS0 quiet");
	config__exit(&c);

	/* The command line wins, wherever --config stands. */
	ck_assert_int_eq(PARSE(&c, "-c", "3", "--config", ini, "-m", "2G"), 0);
	ck_assert_uint_eq(c.cpus, 3);
	ck_assert_uint_eq(c.mem, 2ull << 30);
	ck_assert_str_eq(c.kernel, "/tmp/guest.elf");
	config__exit(&c);
	unlink(ini);
	free(ini);

	/* Flags take their value from a file: false keeps the filter on. */
	ini = write_ini("[vm]\nkernel = k\nno-seccomp = false\n");
	ck_assert_int_eq(PARSE(&c, "--config", ini), 0);
	ck_assert(!c.no_seccomp);
	config__exit(&c);
	unlink(ini);
	free(ini);
	ini = write_ini("[vm]\nkernel = k\nno-seccomp = maybe\n");
	ck_assert_int_eq(PARSE(&c, "--config", ini), -1);
	ck_assert_msg(strstr(err__msg(), "no-seccomp maybe: expected true or false"), "%s",
		      err__msg());
	config__exit(&c);
	unlink(ini);
	free(ini);
	ck_assert_int_eq(PARSE(&c, "-k", "k", "--no-seccomp", "--dry-run"), 0);
	ck_assert(c.no_seccomp && c.dry_run);
	config__exit(&c);
}
END_TEST

START_TEST(config_file_errors_name_file_and_line)
{
	struct vm_config c;
	char *bad_key = write_ini("[vm]\nkernel = k\nturbo = yes\n");
	char *bad_val = write_ini("[vm]\nkernel = k\n\nmem = huge\n");
	char *bad_sec = write_ini("[machine]\nkernel = k\n");
	char *bad_line = write_ini("[vm]\nkernel\n");
	char want[128];

	ck_assert_int_eq(PARSE(&c, "--config", bad_key), -1);
	snprintf(want, sizeof(want), "%s:3: unknown key 'turbo'", bad_key);
	ck_assert_str_eq(err__msg(), want);
	config__exit(&c);

	ck_assert_int_eq(PARSE(&c, "--config", bad_val), -1);
	snprintf(want, sizeof(want), "%s:4: mem: 'huge' is not a size", bad_val);
	ck_assert_msg(!strncmp(err__msg(), want, strlen(want)), "got '%s'", err__msg());
	config__exit(&c);

	ck_assert_int_eq(PARSE(&c, "--config", bad_sec), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "[machine]"));
	config__exit(&c);

	ck_assert_int_eq(PARSE(&c, "--config", bad_line), -1);
	snprintf(want, sizeof(want), "%s:2:", bad_line);
	ck_assert_msg(!strncmp(err__msg(), want, strlen(want)), "got '%s'", err__msg());
	config__exit(&c);

	EXPECT_ERROR("/nonexistent.ini", "--config", "/nonexistent.ini", "-k", "k");
	for (char **p = (char *[]){ bad_key, bad_val, bad_sec, bad_line, NULL }; *p; p++) {
		unlink(*p);
		free(*p);
	}
}
END_TEST

/* QEMU's -m: a bare number is MiB, fractions allowed. */
START_TEST(memory_in_mib)
{
	static const struct {
		const char *arg;
		uint64_t bytes;
	} cases[] = {
		{ "512", 512ull << 20 }, { "1.5G", 3ull << 29 }, { "2048M", 2ull << 30 },
		{ "16", 16ull << 20 }, { "1073741824B", 1ull << 30 }, { "0.5g", 1ull << 29 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vm_config c;

		ck_assert_msg(PARSE(&c, "-k", "k", "-m", cases[i].arg) == 0, "%s: %s", cases[i].arg,
			      err__msg());
		ck_assert_uint_eq(c.mem, cases[i].bytes);
		config__exit(&c);
	}
}
END_TEST

/* Paths in a config file are relative to the file; other values are not. */
START_TEST(config_paths_relative_to_file)
{
	char dir[] = "/tmp/cvm-cfgdir-XXXXXX", path[64], text[256];
	struct vm_config c;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vm.ini", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[vm]\nkernel = ../k/vmlinux\ninitrd = /abs/initrd\nconsole = file:out/console.log\n"
	      "params = root=./x\n", f);
	fclose(f);
	ck_assert_msg(PARSE(&c, "--config", path) == 0, "%s", err__msg());
	snprintf(text, sizeof(text), "%s/../k/vmlinux", dir);
	ck_assert_str_eq(c.kernel, text);
	ck_assert_str_eq(c.initrd, "/abs/initrd");
	snprintf(text, sizeof(text), "%s/out/console.log", dir);
	ck_assert_str_eq(c.console_file, text);
	ck_assert_str_eq(c.params, "root=./x");
	config__exit(&c);
	/* The command line's paths stay relative to the current directory. */
	ck_assert_int_eq(PARSE(&c, "--config", path, "-k", "vmlinux"), 0);
	ck_assert_str_eq(c.kernel, "vmlinux");
	config__exit(&c);
	/* Every file an option names: SNP's, and the QGS's unix socket. */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[vm]\nkernel = k\ntee = snp\nid-block = ib.bin\nid-auth = a/ia.bin\n"
	      "snp-certs = certs\n", f);
	fclose(f);
	ck_assert_msg(PARSE(&c, "--config", path) == 0, "%s", err__msg());
	snprintf(text, sizeof(text), "%s/ib.bin", dir);
	ck_assert_str_eq(c.sev.id_block, text);
	snprintf(text, sizeof(text), "%s/a/ia.bin", dir);
	ck_assert_str_eq(c.sev.id_auth, text);
	snprintf(text, sizeof(text), "%s/certs", dir);
	ck_assert_str_eq(c.sev.snp_certs, text);
	config__exit(&c);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[vm]\nkernel = k\ntee = tdx\ntdx-qgs = unix:run/qgs.sock\n", f);
	fclose(f);
	ck_assert_msg(PARSE(&c, "--config", path) == 0, "%s", err__msg());
	snprintf(text, sizeof(text), "unix:%s/run/qgs.sock", dir);
	ck_assert_str_eq(c.tdx_qgs, text);
	config__exit(&c);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* What another INI reader would silently reinterpret is refused, with the
 * file, the line and the key. */
START_TEST(config_reader_is_strict)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "[vm]\nkernel = k ; the kernel\n", ":2: kernel: ';' after a blank" },
		{ "[vm]\nparams = quiet # debug\n", ":2: params: '#' after a blank" },
		{ "[vm]\nparams = console=ttyS0\n  quiet\n", ":3: indented line" },
		{ "[vm]\nkernel = a\nmem = 1G\nkernel = b\n", ":4: kernel: set again (first on line 2)" },
		{ "[vm]\nkernel = k\n[extra]\n", ":3: unknown section [extra]" },
		{ "kernel = k\n", ":1: kernel: key before any [section]" },
		{ "[vm\nkernel = k\n", ":1: expected [section]" },
		{ "[vm]\n= k\n", ":2: no key" },
		{ "[vm]\nkernel = k\0\n", ":2: a NUL byte" },
		{ "[vm]\nmem = 1G\ncpus = 0\n", ":3: cpus: '0' is not a vCPU count" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].text) + (strstr(cases[i].msg, "NUL") ? 2 : 0);
		char *path = strdup("/tmp/cvm-config-XXXXXX"), want[128];
		int fd = mkstemp(path);
		struct vm_config c;

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, cases[i].text, len), (ssize_t)len);
		close(fd);
		ck_assert_int_eq(PARSE(&c, "--config", path), -1);
		ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
		snprintf(want, sizeof(want), "%s%s", path, cases[i].msg);
		ck_assert_msg(!strncmp(err__msg(), want, strlen(want)), "got '%s', want '%s'",
			      err__msg(), want);
		config__exit(&c);
		unlink(path);
		free(path);
	}
	/* Whole-line comments (indented too), blank lines, CRLF and a BOM are fine. */
	{
		char *ini = write_ini("\xef\xbb\xbf; c\r\n[vm]\r\n  # indented comment\r\n\r\n"
				      "kernel = /k\r\nparams = a;b c#d\r\n");
		struct vm_config c;

		ck_assert_msg(PARSE(&c, "--config", ini) == 0, "%s", err__msg());
		ck_assert_str_eq(c.kernel, "/k");
		ck_assert_str_eq(c.params, "a;b c#d");
		config__exit(&c);
		unlink(ini);
		free(ini);
	}
}
END_TEST

START_TEST(shipped_configs_parse)
{
	static const char *const files[] = { "configs/test-guest.ini", "configs/debian-pvh.ini" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct vm_config c;

		ck_assert_msg(PARSE(&c, "--config", files[i]) == 0, "%s: %s", files[i], err__msg());
		ck_assert_ptr_nonnull(c.kernel);
		config__exit(&c);
	}
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *t = tcase_create("core");

	tcase_add_test(t, defaults_and_options);
	tcase_add_test(t, peek_addresses);
	tcase_add_test(t, bad_options_name_themselves);
	tcase_add_test(t, config_file_and_precedence);
	tcase_add_test(t, config_file_errors_name_file_and_line);
	tcase_add_test(t, memory_in_mib);
	tcase_add_test(t, config_paths_relative_to_file);
	tcase_add_test(t, config_reader_is_strict);
	tcase_add_test(t, shipped_configs_parse);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(config_suite)

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/test.h"

static test_suite_fn suites[64];
static int nsuites;

void test__register(test_suite_fn fn)
{
	if (nsuites == (int)(sizeof(suites) / sizeof(suites[0]))) {
		fprintf(stderr, "too many suites\n");
		exit(1);
	}
	suites[nsuites++] = fn;
}

static const char *join(const char *env, const char *def, const char *rel)
{
	static __thread char buf[8][4096];
	static __thread int i;
	const char *base = getenv(env);

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", base ? base : def, rel);
	return buf[i];
}

const char *test__shared(const char *rel)
{
	return join("CVM_SHARED", "../shared", rel);
}

const char *test__build(const char *rel)
{
	return join("CVM_BUILD", "build", rel);
}

const char *test__program(const char *name)
{
	static __thread char buf[PATH_MAX + 256];
	const char *exec = getenv("CVM_TEST_EXEC");
	char path[PATH_MAX];

	ck_assert_msg(realpath(test__build(name), path), "build %s first", test__build(name));
	snprintf(buf, sizeof(buf), "%s%s'%s'", exec ? exec : "", exec ? " " : "", path);
	return buf;
}

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n = 0, r;

	if (!buf || !len)
		return;
	while (n + 1 < len && (r = fread(buf + n, 1, len - 1 - n, f)) > 0)
		n += r;
	buf[n] = 0;
}

int test__run(const char *dir, const char *cmd, char *out, size_t outlen, char *err,
	      size_t errlen)
{
	char errpath[] = "/tmp/cvm-test-err-XXXXXX";
	char *full;
	FILE *p, *ef;
	int fd, st;

	fd = mkstemp(errpath);
	if (fd < 0)
		return -1;
	close(fd);
	if (asprintf(&full, "cd '%s' && ( %s ) 2>'%s'", dir ? dir : ".", cmd, errpath) < 0)
		return -1;
	p = popen(full, "r");
	free(full);
	if (!p)
		return -1;
	slurp(p, out, outlen);
	/* Drain what did not fit so the child never blocks on a full pipe. */
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	ef = fopen(errpath, "r");
	if (ef) {
		slurp(ef, err, errlen);
		fclose(ef);
	}
	unlink(errpath);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

size_t test__count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)); s += strlen(what))
		n++;
	return n;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (!nsuites) {
		fprintf(stderr, "no test suites registered\n");
		return 1;
	}
	sr = srunner_create(suites[0]());
	for (int i = 1; i < nsuites; i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

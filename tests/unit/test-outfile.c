/* Output files are all or nothing: staged beside their path, renamed only
 * on commit, gone without a trace on abort or on a failed stage. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/error.h"
#include "loader/outfile.h"
#include "tests/unit/test.h"

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static char *file_in(const char *dir, const char *name)
{
	char *p = malloc(strlen(dir) + strlen(name) + 2);

	sprintf(p, "%s/%s", dir, name);
	return p;
}

START_TEST(all_or_nothing)
{
	char dir[] = "/tmp/cvm-test-outfile-XXXXXX";
	struct outfiles o = { 0 };
	char *a, *b, *missing, buf[8] = "";
	struct stat st;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	a = file_in(dir, "a.bin");
	b = file_in(dir, "b.bin");
	missing = file_in(dir, "no/such/dir.bin");

	/* A stage that fails leaves the earlier ones staged, not in place. */
	ck_assert_int_eq(outfiles__stage(&o, a, "AAAA", 4), 0);
	ck_assert_int_eq(outfiles__stage(&o, missing, "x", 1), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "no/such/dir.bin: cannot create"));
	ck_assert_int_eq(stat(a, &st), -1);
	outfiles__abort(&o);
	ck_assert_int_eq(entries(dir), 0);

	/* Commit renames every one; an existing file is replaced whole. */
	f = fopen(b, "w");
	fputs("old", f);
	fclose(f);
	ck_assert_int_eq(outfiles__stage(&o, a, "AAAA", 4), 0);
	ck_assert_int_eq(outfiles__stage(&o, b, "BB", 2), 0);
	ck_assert_int_eq(entries(dir), 3);      /* b.bin and two temporaries */
	f = fopen(b, "r");
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "old");
	ck_assert_int_eq(outfiles__commit(&o), 0);
	outfiles__abort(&o);
	ck_assert_int_eq(entries(dir), 2);
	ck_assert_int_eq(stat(a, &st), 0);
	ck_assert_int_eq(st.st_size, 4);
	ck_assert_int_eq(stat(b, &st), 0);
	ck_assert_int_eq(st.st_size, 2);

	unlink(a);
	unlink(b);
	rmdir(dir);
	free(a);
	free(b);
	free(missing);
}
END_TEST

static Suite *outfile_suite(void)
{
	Suite *s = suite_create("outfile");
	TCase *t = tcase_create("core");

	tcase_add_test(t, all_or_nothing);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(outfile_suite)

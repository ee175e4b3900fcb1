/* JSON strings from any bytes: cvm-measure echoes paths and --append. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/output.h"
#include "tests/unit/test.h"

static char *json(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	out__json_str(f, s);
	fclose(f);
	return buf;
}

START_TEST(json_strings_for_any_bytes)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "q\"b\\", "\"q\\\"b\\\\\"" },
		{ "\t\n\x1f\x7f", "\"\\u0009\\u000a\\u001f\\u007f\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		/* stray bytes: continuation alone, truncated, overlong, surrogate, > U+10FFFF */
		{ "\x80", "\"\\u0080\"" },
		{ "a\xc3", "\"a\\u00c3\"" },
		{ "\xe2\x82", "\"\\u00e2\\u0082\"" },
		{ "\xc0\xaf", "\"\\u00c0\\u00af\"" },
		{ "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },
		{ "\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"" },
		{ "\xff\xfe", "\"\\u00ff\\u00fe\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = json(cases[i].in);

		ck_assert_msg(!strcmp(got, cases[i].out), "case %zu: %s", i, got);
		free(got);
	}
}
END_TEST

static Suite *output_suite(void)
{
	Suite *s = suite_create("output");
	TCase *t = tcase_create("json");

	tcase_add_test(t, json_strings_for_any_bytes);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(output_suite)

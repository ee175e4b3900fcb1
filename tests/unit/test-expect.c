/* The --expect matcher: its syntax and errors, agreement with glibc's POSIX
 * ERE on random patterns and lines, and the bounds that keep hostile
 * patterns (nested counted repetition, deep nesting) cheap. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loader/error.h"
#include "vmm/expect.h"
#include "tests/unit/test.h"

/* Feeds LINE; the 1-based byte at which a match was first reported, or 0. */
static size_t first_match(const char *pattern, const char *line, size_t len)
{
	struct expect *e = expect__new(pattern, "--expect");
	size_t at = 0;

	ck_assert_msg(e, "%s: %s", pattern, err__msg());
	for (size_t i = 0; i < len && !at; i++) {
		if (line[i] == '\n')
			expect__newline(e);
		else if (expect__feed(e, line[i]))
			at = i + 1;
	}
	expect__free(e);
	return at;
}

START_TEST(syntax)
{
	static const struct {
		const char *pattern, *line;
		size_t at;
	} cases[] = {
		{ "login: ", "Debian login: ", 14 },
		{ "^login", "x login", 0 },
		{ "^login", "x\nlogin", 7 },
		{ "ok$", "ok then", 2 },            /* '$': the end of the line so far */
		{ "a$b", "a$b ab", 0 },
		{ "a\\$b", "a$b", 3 },
		{ "Linux version [0-9]+\\.", "Linux version 6.1.0-1", 16 },
		{ "[[:digit:]]{3}", "ab12c345", 8 },
		{ "x{2,3}y", "xxxxy", 5 },
		{ "x{2,}", "x-xx", 4 },
		{ "(ab|cd)+!", "abcdab!", 7 },
		{ "[^a-z ]", "abc d9", 6 },
		{ "[]x]", "a]", 2 },
		{ "[a-]z", "-z", 2 },
		{ ".", "\xff", 1 },
		{ "", "q", 1 },
		{ "^$", "\nq", 0 },
		{ "^", "\nq", 2 },
		{ "(|x)y", "y", 1 },
		{ "a|b|c", "zzc", 3 },
		{ "\\(\\)\\[\\*", "()[*", 4 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(first_match(cases[i].pattern, cases[i].line, strlen(cases[i].line)) ==
			      cases[i].at, "case %zu: %s", i, cases[i].pattern);
}
END_TEST

START_TEST(errors)
{
	static const struct {
		const char *pattern, *want;
	} cases[] = {
		{ "a(b", "at byte 4: '(' without ')'" },
		{ "ab)", "at byte 3: ')' without '('" },
		{ "*a", "at byte 1: nothing to repeat" },
		{ "a|+", "at byte 3: nothing to repeat" },
		{ "[ab", "'[' without ']'" },
		{ "[z-a]", "range out of order" },
		{ "[[:word:]]", "unknown character class" },
		{ "[[=a=]]", "not supported" },
		{ "a{2", "'{' without '}'" },
		{ "a{x}", "a bound needs a number" },
		{ "a{3,2}", "m < n" },
		{ "a{256}", "at most 255" },
		{ "\\d", "not supported" },
		{ "a\\", "trailing backslash" },
		/* the regex bomb that took glibc seconds, gigabytes and a SIGSEGV */
		{ "((a{1,100}){1,100}){1,100}", "more than 2048 NFA states" },
		{ "(((((((((((x{255}){255}){255}){255}){255}){255}){255}){255}){255}){255}){255})",
		  "more than 2048 NFA states" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(!expect__new(cases[i].pattern, "--expect"), "case %zu accepted", i);
		ck_assert_msg(strstr(err__msg(), cases[i].want) && !strncmp(err__msg(), "--expect: ", 10),
			      "case %zu: %s", i, err__msg());
		ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
	}
}
END_TEST

/* CPU time to feed LINE to PATTERN, which must match only at a final 'b'. */
static clock_t feed_time(const char *line, size_t len, const char *pattern)
{
	struct expect *e = expect__new(pattern, "--expect");
	clock_t t = clock();

	ck_assert_ptr_nonnull(e);
	for (size_t i = 0; i < len; i++)
		ck_assert(!expect__feed(e, line[i]));
	ck_assert(expect__feed(e, 'b'));
	t = clock() - t;
	expect__free(e);
	return t;
}

START_TEST(bounds)
{
	char deep[2 * EXPECT_MAX_DEPTH + 8], *big = malloc(EXPECT_MAX_PATTERN + 2);
	size_t n = 0, len = 1 << 20;
	char *line = malloc(len);
	struct expect *e;
	clock_t t, base, slow;

	for (int i = 0; i <= EXPECT_MAX_DEPTH; i++)
		deep[n++] = '(';
	deep[n] = 0;
	ck_assert_ptr_null(expect__new(deep, "--expect"));
	ck_assert_ptr_nonnull(strstr(err__msg(), "nested too deep"));
	memset(big, 'a', EXPECT_MAX_PATTERN + 1);
	big[EXPECT_MAX_PATTERN + 1] = 0;
	ck_assert_ptr_null(expect__new(big, "--expect"));
	ck_assert_ptr_nonnull(strstr(err__msg(), "at most 1024"));

	/* Linear in the output: a megabyte of one line against a pattern that
	 * backtracking engines take exponential time on costs a small multiple
	 * of the same line against "a*b" (timed in this run: the arm64 suite
	 * runs under qemu-user, tens of times slower than native). */
	memset(line, 'a', len);
	base = feed_time(line, len, "a*b");
	slow = feed_time(line, len, "(a|aa)*(a*)*b");
	ck_assert_msg(slow < 50 * base + CLOCKS_PER_SEC / 10, "%ld ticks, %ld for a*b",
		      (long)slow, (long)base);

	/* Nested repetition of an empty group compiles to nothing, at once
	 * (it once took min^depth steps: 16 s for four levels). */
	t = clock();
	e = expect__new("((((((){255}){255}){255}){255}){255}){2,}x", "--expect");
	ck_assert_ptr_nonnull(e);
	ck_assert_msg(clock() - t < CLOCKS_PER_SEC, "%ld ticks", (long)(clock() - t));
	ck_assert(!expect__feed(e, 'y'));
	ck_assert(expect__feed(e, 'x'));
	expect__free(e);
	free(line);
	free(big);
}
END_TEST

/* Random patterns over a small alphabet, checked byte by byte against
 * glibc: a match ends at byte k exactly when the prefix of k bytes is the
 * first one regexec() matches. */
static void random_pattern(char *p, int depth, unsigned *seed)
{
	static const char *const atoms[] = { "a", "b", ".", "[ab]", "[^a]", "^", "$" };
	int n = 1 + rand_r(seed) % 3;

	while (n--) {
		int r = rand_r(seed) % 10;

		if (r < 2 && depth < 3) {
			strcat(p, "(");
			random_pattern(p, depth + 1, seed);
			if (rand_r(seed) % 2) {
				strcat(p, "|");
				random_pattern(p, depth + 1, seed);
			}
			strcat(p, ")");
		} else {
			strcat(p, atoms[rand_r(seed) % (r < 8 ? 3 : 7)]);
		}
		r = rand_r(seed) % 8;
		if (r < 4)
			strcat(p, (const char *[]){ "*", "+", "?", "{1,2}" }[r]);
	}
}

START_TEST(agrees_with_glibc)
{
	unsigned seed = 15;

	for (int i = 0; i < 3000; i++) {
		char p[512] = "", line[16], prefix[16];
		size_t len = rand_r(&seed) % 12, want = 0;
		regex_t re;

		random_pattern(p, 0, &seed);
		for (size_t k = 0; k < len; k++)
			line[k] = "abc"[rand_r(&seed) % 3];
		line[len] = 0;
		if (regcomp(&re, p, REG_EXTENDED | REG_NOSUB))
			continue;       /* undefined in POSIX (a repeated anchor) */
		for (size_t k = 1; k <= len && !want; k++) {
			memcpy(prefix, line, k);
			prefix[k] = 0;
			if (regexec(&re, prefix, 0, NULL, 0) == 0)
				want = k;
		}
		regfree(&re);
		ck_assert_msg(first_match(p, line, len) == want, "'%s' on '%s': glibc says %zu", p,
			      line, want);
	}
}
END_TEST

static Suite *expect_suite(void)
{
	Suite *s = suite_create("expect");
	TCase *t = tcase_create("core");

	tcase_add_test(t, syntax);
	tcase_add_test(t, errors);
	tcase_add_test(t, bounds);
	tcase_add_test(t, agrees_with_glibc);
	tcase_set_timeout(t, 30);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(expect_suite)

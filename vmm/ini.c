#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/error.h"
#include "vmm/ini.h"

#define MAX_KEYS 64     /* per file: cvm-run has a dozen options */

struct ini_state {
	char section[64];
	char *keys[MAX_KEYS];   /* "section\nkey" seen so far */
	unsigned key_line[MAX_KEYS];
	size_t nkeys;
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *trim(char *s)
{
	char *e = s + strlen(s);

	while (blank(*s))
		s++;
	while (e > s && blank(e[-1]))
		*--e = 0;
	return s;
}

/* Remembers KEY of the current section; -1 naming the first line if seen. */
static int remember(struct ini_state *st, unsigned line, const char *key)
{
	size_t n = strlen(st->section) + strlen(key) + 2;
	char *k = malloc(n);

	if (!k)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	snprintf(k, n, "%s\n%s", st->section, key);
	for (size_t i = 0; i < st->nkeys; i++) {
		if (!strcmp(st->keys[i], k)) {
			free(k);
			return err__set("%u: %s: set again (first on line %u)", line, key,
					st->key_line[i]);
		}
	}
	if (st->nkeys == MAX_KEYS) {
		free(k);
		return err__set("%u: more than %d keys", line, MAX_KEYS);
	}
	st->key_line[st->nkeys] = line;
	st->keys[st->nkeys++] = k;
	return 0;
}

/* An error from the callback, with the line in front. */
static int at_line(unsigned line)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", err__msg());
	return err__set_status(err__status(), "%u: %s", line, msg);
}

static int parse_line(struct ini_state *st, unsigned line, char *s, ini_fn fn, void *user)
{
	char *t = trim(s), *eq, *key, *val;

	if (!*t || *t == ';' || *t == '#')
		return 0;
	if (t != s)
		return err__set("%u: indented line: continuation lines are not supported (start keys at column 1)",
				line);
	if (*t == '[') {
		char *end = strchr(t, ']');

		if (!end || end[1] || end == t + 1 || (size_t)(end - t - 1) >= sizeof(st->section))
			return err__set("%u: expected [section] alone on the line", line);
		*end = 0;
		snprintf(st->section, sizeof(st->section), "%s", trim(t + 1));
		return fn(user, line, st->section, NULL, NULL) < 0 ? at_line(line) : 0;
	}
	eq = strchr(t, '=');
	if (!eq)
		return err__set("%u: not an INI line (expected key = value)", line);
	*eq = 0;
	key = trim(t);
	val = trim(eq + 1);
	if (!*key)
		return err__set("%u: no key before '='", line);
	for (const char *c = val; *c; c++)
		if ((*c == ';' || *c == '#') && c > val && blank(c[-1]))
			return err__set("%u: %s: '%c' after a blank reads as an inline comment elsewhere; put comments on their own line",
					line, key, *c);
	if (!st->section[0])
		return err__set("%u: %s: key before any [section]", line, key);
	if (remember(st, line, key) < 0)
		return -1;
	return fn(user, line, st->section, key, val) < 0 ? at_line(line) : 0;
}

int ini__parse(const char *text, size_t len, ini_fn fn, void *user)
{
	struct ini_state st = { .nkeys = 0 };
	unsigned line = 1;
	size_t i = 0;
	int ret = 0;

	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		i = 3;  /* a UTF-8 byte-order mark */
	while (i < len && !ret) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = (nl ? (size_t)(nl - text) : len) - i;
		char *s;

		if (memchr(text + i, 0, n)) {
			ret = err__set("%u: a NUL byte: not a text file", line);
			break;
		}
		if (n && text[i + n - 1] == '\r')
			n--;
		s = strndup(text + i, n);
		if (!s) {
			ret = err__set_status(CVM_EXIT_FAIL, "out of memory");
			break;
		}
		ret = parse_line(&st, line, s, fn, user);
		free(s);
		i += n + (i + n < len && text[i + n] == '\r') + 1;
		line++;
	}
	for (size_t k = 0; k < st.nkeys; k++)
		free(st.keys[k]);
	return ret;
}

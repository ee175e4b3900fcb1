/* The cvmtest.* words of the kernel command line. */
#include "common.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* The first word that is KEY followed by '=' (EQ) or KEY alone (!EQ): its
 * start, or NULL. */
static const char *cmdline__word(const char *cmdline, const char *key, bool eq)
{
	for (const char *w = cmdline; *w; ) {
		size_t i = 0;

		while (key[i] && w[i] == key[i])
			i++;
		if (!key[i] && (eq ? w[i] == '=' : !w[i] || is_blank(w[i])))
			return w;
		while (*w && !is_blank(*w))
			w++;
		while (is_blank(*w))
			w++;
	}
	return NULL;
}

const char *cmdline__value(const char *cmdline, const char *key)
{
	const char *w = cmdline__word(cmdline, key, true);

	if (!w)
		return NULL;
	while (*w != '=')
		w++;
	return w + 1;
}

bool cmdline__u64(const char *val, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	for (p = val; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (p == val || (*p && !is_blank(*p)))
		return false;
	*out = v;
	return true;
}

bool cmdline__has(const char *cmdline, const char *word)
{
	return cmdline__word(cmdline, word, false) != NULL;
}

/* FNV-1a over the word's bytes. */
uint64_t cmdline__word_hash(const char *cmdline, const char *key)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *w = cmdline__word(cmdline, key, true); w && *w && !is_blank(*w); w++)
		h = (h ^ (uint8_t)*w) * 0x100000001b3ull;
	return h;
}

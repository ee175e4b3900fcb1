#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loader/parse.h"

int parse__u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int parse__flag(const char *s, bool *out)
{
	if (!*s || !strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "yes"))
		*out = true;
	else if (!strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "no"))
		*out = false;
	else
		return -1;
	return 0;
}

/* The shift of a unit letter; -1 when C is none. */
static int unit_shift(char c)
{
	static const char units[] = "BKMGTPE";
	const char *u = c ? strchr(units, toupper((unsigned char)c)) : NULL;

	return u ? 10 * (int)(u - units) : -1;
}

/* Whole digits (hex after 0x, else decimal: no octal surprise with "010"),
 * an optional decimal fraction, a unit.  The fraction is kept exact as
 * FRAC / 10^NFRAC so 1.5G is 1610612736, not a rounded double. */
static int parse_size(const char *s, unsigned default_shift, uint64_t *out)
{
	unsigned __int128 v = 0, frac = 0, scale = 1;
	int base = 10, shift, digits = 0;

	if (!s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; isxdigit((unsigned char)*s) && (base == 16 || isdigit((unsigned char)*s)); s++) {
		v = v * base + (isdigit((unsigned char)*s) ? *s - '0' : (tolower(*s) - 'a' + 10));
		if (v > UINT64_MAX)
			return -1;
		digits++;
	}
	if (*s == '.' && base == 10) {
		for (s++; isdigit((unsigned char)*s); s++) {
			if (scale > UINT64_MAX)
				return -1;
			frac = frac * 10 + (*s - '0');
			scale *= 10;
			digits++;
		}
	}
	if (!digits)
		return -1;
	shift = unit_shift(*s);
	if (shift < 0) {
		shift = default_shift;
	} else {
		s++;
		if (shift && (!strcasecmp(s, "iB") || !strcasecmp(s, "B")))
			s += strlen(s);
	}
	if (*s || v > (UINT64_MAX >> shift))
		return -1;
	v <<= shift;
	frac <<= shift;
	if (frac % scale || v + frac / scale > UINT64_MAX)
		return -1;
	*out = (uint64_t)(v + frac / scale);
	return 0;
}

int parse__size(const char *s, uint64_t *out)
{
	return parse_size(s, 0, out);
}

int parse__size_mib(const char *s, uint64_t *out)
{
	return parse_size(s, 20, out);
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse__hex(const char *s, uint8_t *d, size_t n)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		d[i] = hi << 4 | lo;
	}
	return 0;
}

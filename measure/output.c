#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "measure/output.h"

void out__hex(FILE *f, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", d[i]);
}

void out__base64(FILE *f, const uint8_t *d, size_t n)
{
	unsigned char *buf = malloc(4 * ((n + 2) / 3) + 1);

	if (!buf)
		return;
	EVP_EncodeBlock(buf, d, (int)n);
	fputs((char *)buf, f);
	free(buf);
}

/* Bytes in a well-formed UTF-8 sequence at S (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (i = 1; i < n; i++, lo = 0x80, hi = 0xbf)
		if (s[i] < lo || s[i] > hi)    /* the NUL terminator stops it too */
			return 0;
	return n;
}

void out__json_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		size_t n = utf8_len(s);

		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s < 0x20 || *s == 0x7f || !n)
			fprintf(f, "\\u%04x", *s);    /* a stray byte: U+0080..U+00FF */
		else
			fwrite(s, 1, n, f);
		s += n ? n : 1;
	}
	fputc('"', f);
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

int out__parse_hex(const char *s, uint8_t *d, size_t n)
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

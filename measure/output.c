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

void out__json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
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

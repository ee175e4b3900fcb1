#include <check.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/sev-rows.h"
#include "tests/unit/test.h"

/* Splits shell words ('...' quoted or bare) of LINE in place. */
static int words(char *line, char **w, int max)
{
	int n = 0;

	while (*line && n < max) {
		char *out;

		while (*line == ' ')
			line++;
		if (!*line)
			break;
		w[n++] = out = line;
		while (*line && *line != ' ') {
			if (*line == '\'') {
				line++;
				while (*line && *line != '\'')
					*out++ = *line++;
				line += *line == '\'';
			} else {
				*out++ = *line++;
			}
		}
		if (*line)
			line++;
		*out = 0;
	}
	return n;
}

static void hex_of_base64(const char *b64, char *hex)
{
	unsigned char d[64];
	int n = EVP_DecodeBlock(d, (const unsigned char *)b64, strlen(b64));

	/* 48 bytes encode to 64 characters without padding. */
	ck_assert_int_eq(n, 48);
	for (int i = 0; i < 48; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
}

/* cvm-run's name for cvm-measure's option, "" to drop it, NULL: the row is
 * not one cvm-run launches. */
static const char *option(const char *o)
{
	static const char *const map[][2] = {
		{ "--vcpus", "--cpus" }, { "--ovmf", "--firmware" }, { "--kernel", "--kernel" },
		{ "--initrd", "--initrd" }, { "--append", "--params" },
		{ "--vcpu-type", "--vcpu-type" }, { "--vcpu-sig", "--vcpu-sig" },
		{ "--guest-features", "--guest-features" }, { "--output-format", "" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(o, map[i][0]))
			return map[i][1];
	return NULL;
}

static char *keep(struct sev_row *r, size_t *used, const char *s)
{
	char *p = r->store + *used;
	size_t n = strlen(s) + 1;

	ck_assert_uint_lt(*used + n, sizeof(r->store));
	memcpy(p, s, n);
	*used += n;
	return p;
}

/* One row into R; false when cvm-run does not launch it. */
static bool row(struct sev_row *r, char *args, const char *want)
{
	static const char *const tees[][2] = { { "sev", "sev" }, { "seves", "sev-es" },
					       { "snp", "snp" } };
	char *w[64], path[1024];
	int n = words(args, w, 64), argc = 0;
	size_t used = 0;
	bool b64 = false;

	for (int i = 0; i + 1 < n; i += 2) {
		const char *name = option(w[i]);

		if (!strcmp(w[i], "--mode")) {
			name = NULL;
			for (size_t t = 0; t < 3; t++)
				if (!strcmp(w[i + 1], tees[t][0]))
					name = tees[t][1];
			if (!name)
				return false;
			r->run[argc++] = "--tee";
			r->run[argc++] = name;
			continue;
		}
		if (!name || (!strcmp(w[i], "--ovmf") && strncmp(w[i + 1], "firmware/", 9)))
			return false;
		b64 |= !strcmp(w[i], "--output-format") && !strcmp(w[i + 1], "base64");
		if (!*name)
			continue;
		ck_assert_int_lt(argc + 2, SEV_ROW_ARGS);
		r->run[argc++] = name;
		if (strcmp(w[i], "--ovmf") && strcmp(w[i], "--kernel") && strcmp(w[i], "--initrd")) {
			r->run[argc++] = keep(r, &used, w[i + 1]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", test__shared("vectors"), w[i + 1]);
		r->run[argc++] = keep(r, &used, path);
	}
	r->run[argc] = NULL;
	if (b64)
		hex_of_base64(want, r->want);
	else
		snprintf(r->want, sizeof(r->want), "%s", want);
	return true;
}

struct sev_row *sev_rows__load(size_t *n)
{
	FILE *f = fopen(test__shared("vectors/EXPECTED-sev.tsv"), "r");
	struct sev_row *rows = calloc(64, sizeof(*rows));
	static char line[4096];

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(rows);
	*n = 0;
	while (fgets(line, sizeof(line), f)) {
		char *id, *args, *want;
		struct sev_row *r = &rows[*n];

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = 0;
		id = strtok(line, "\t");
		args = strtok(NULL, "\t");
		want = strtok(NULL, "\t");
		ck_assert_ptr_nonnull(want);
		ck_assert_uint_lt(*n, 64);
		snprintf(r->id, sizeof(r->id), "%s", id);
		snprintf(r->measure_args, sizeof(r->measure_args), "%s", args);
		if (row(r, args, want))
			(*n)++;
	}
	fclose(f);
	return rows;
}

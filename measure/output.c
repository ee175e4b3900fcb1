#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "loader/error.h"
#include "measure/output.h"

#define RVPS_VERSION "0.1.0"    /* Trustee's message format, rvps/README.md */

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

/* The next option; the commands add fewer than OUT_MAX_OPTIONS. */
static struct out_option *opt_add(struct out_doc *d, const char *key)
{
	struct out_option *o = &d->opt[d->nopt < OUT_MAX_OPTIONS ? d->nopt++ : OUT_MAX_OPTIONS - 1];

	o->key = key;
	o->str = NULL;
	return o;
}

void out__opt_str(struct out_doc *d, const char *key, const char *s)
{
	struct out_option *o = opt_add(d, key);

	o->str = s;
	if (!s)
		snprintf(o->json, sizeof(o->json), "null");
}

void out__opt_u64(struct out_doc *d, const char *key, uint64_t v)
{
	snprintf(opt_add(d, key)->json, sizeof(d->opt[0].json), "%llu", (unsigned long long)v);
}

void out__opt_hexnum(struct out_doc *d, const char *key, uint64_t v)
{
	snprintf(opt_add(d, key)->json, sizeof(d->opt[0].json), "\"0x%llx\"",
		 (unsigned long long)v);
}

void out__opt_bool(struct out_doc *d, const char *key, bool v)
{
	snprintf(opt_add(d, key)->json, sizeof(d->opt[0].json), "%s", v ? "true" : "false");
}

void out__opt_digest(struct out_doc *d, const char *key, const uint8_t *p, size_t n)
{
	struct out_option *o = opt_add(d, key);
	char *c = o->json;

	if (!p || 2 * n + 3 > sizeof(o->json)) {
		snprintf(o->json, sizeof(o->json), "null");
		return;
	}
	*c++ = '"';
	for (size_t i = 0; i < n; i++, c += 2)
		sprintf(c, "%02x", p[i]);
	snprintf(c, 2, "\"");
}

enum out_axis out__axes(const struct measure_opts *o, size_t *n)
{
	*n = (o->vcpu_matrix ? o->nvcpu_list : 1) * (o->mem_matrix ? o->nmem_list : 1);
	return (o->vcpu_matrix ? OUT_VCPUS : 0) | (o->mem_matrix ? OUT_MEMORY : 0);
}

void out__entry(const struct measure_opts *o, size_t i, struct out_result *r)
{
	size_t nmem = o->mem_matrix ? o->nmem_list : 1;

	r->vcpus = o->vcpu_matrix ? o->vcpu_list[i / nmem] : o->vcpus_set ? o->vcpus : 0;
	r->memory = o->mem_matrix ? o->mem_list[i % nmem] : o->memory;
}

void out__value(struct out_result *r, const char *key, const char *rvps, const uint8_t *p,
		size_t n)
{
	struct out_value *v;

	if (r->nv == OUT_MAX_VALUES || n > OUT_VALUE_SIZE)
		return;
	v = &r->v[r->nv++];
	v->key = key;
	v->rvps = rvps;
	memcpy(v->d, p, n);
	v->n = n;
}

static void put_value(FILE *f, enum measure_format fmt, const struct out_value *v)
{
	if (fmt == FORMAT_BASE64)
		out__base64(f, v->d, v->n);
	else
		out__hex(f, v->d, v->n);
}

/* "2G", "1536M", "4096B": the largest binary unit that divides it. */
static void put_size(FILE *f, uint64_t b)
{
	static const char units[] = "BKMGT";
	int u = 0;

	while (u < 4 && b && !(b & 1023)) {
		b >>= 10;
		u++;
	}
	fprintf(f, "%llu%c", (unsigned long long)b, units[u]);
}

static void put_axis(FILE *f, const struct out_doc *d, const struct out_result *r, bool json)
{
	if (d->axis & OUT_VCPUS)
		fprintf(f, json ? "\"vcpus\": %llu" : "vcpus=%llu", (unsigned long long)r->vcpus);
	if (d->axis == OUT_BOTH)
		fputs(json ? ", " : " ", f);
	if (!(d->axis & OUT_MEMORY))
		return;
	if (json) {
		fprintf(f, "\"memory\": %llu", (unsigned long long)r->memory);
	} else {
		fputs("memory=", f);
		put_size(f, r->memory);
	}
}

static void print_text(FILE *f, const struct out_doc *d)
{
	for (size_t i = 0; i < d->nres; i++) {
		const struct out_result *r = &d->res[i];

		if (d->axis != OUT_SINGLE)
			put_axis(f, d, r, false);
		for (size_t k = 0; k < r->nv; k++) {
			if (d->axis != OUT_SINGLE)
				fputc(' ', f);
			if (!(d->axis == OUT_SINGLE && d->bare))
				fprintf(f, "%s=", r->v[k].key);
			put_value(f, d->format, &r->v[k]);
			if (d->axis == OUT_SINGLE)
				fputc('\n', f);
		}
		if (d->axis != OUT_SINGLE)
			fputc('\n', f);
	}
}

static void json_values(FILE *f, const struct out_result *r)
{
	fputc('{', f);
	for (size_t k = 0; k < r->nv; k++) {
		fprintf(f, "%s\"%s\": \"", k ? ", " : "", r->v[k].key);
		out__hex(f, r->v[k].d, r->v[k].n);
		fputc('"', f);
	}
	fputc('}', f);
}

static void json_ops(FILE *f, const struct oplog *l)
{
	fputc('[', f);
	for (size_t i = 0; i < l->n; i++) {
		const struct oplog_entry *e = &l->e[i];

		fprintf(f, "%s\n    {\"what\": ", i ? "," : "");
		out__json_str(f, e->what);
		fprintf(f, ", \"gpa\": \"0x%llx\", \"length\": \"0x%llx\", \"page_type\": ",
			(unsigned long long)e->gpa, (unsigned long long)e->len);
		out__json_str(f, e->type);
		fputs(", \"digest\": \"", f);
		out__hex(f, e->digest, e->dlen);
		fputs("\"}", f);
	}
	fputs(l->n ? "\n  ]" : "]", f);
}

static void json_events(FILE *f, const struct rtmr_log *log)
{
	fputc('[', f);
	for (size_t i = 0; i < log->n; i++) {
		const struct rtmr_event *e = &log->ev[i];

		fprintf(f, "%s\n    {\"register\": %u, \"type\": \"%s\", \"digest\": \"",
			i ? "," : "", e->reg, rtmr__type_name(e->type));
		out__hex(f, e->digest, RTMR_SIZE);
		fputs("\", \"description\": ", f);
		out__json_str(f, e->desc);
		fputc('}', f);
	}
	fputs(log->n ? "\n  ]" : "]", f);
}

static void print_json(FILE *f, const struct out_doc *d)
{
	fputs("{\n  \"mode\": ", f);
	out__json_str(f, d->mode);
	fputs(",\n  \"inputs\": [", f);
	for (size_t i = 0; i < d->nin; i++) {
		const struct out_input *in = &d->in[i];

		fprintf(f, "%s\n    {\"role\": \"%s\", \"path\": ", i ? "," : "", in->role);
		if (in->path)
			out__json_str(f, in->path);
		else
			fputs("null", f);
		fputs(", \"sha256\": ", f);
		if (in->known) {
			fputc('"', f);
			out__hex(f, in->sha256, 32);
			fputc('"', f);
		} else {
			fputs("null", f);
		}
		fputc('}', f);
	}
	fputs(d->nin ? "\n  ],\n  \"options\": {" : "],\n  \"options\": {", f);
	for (size_t i = 0; i < d->nopt; i++) {
		fprintf(f, "%s\"%s\": ", i ? ", " : "", d->opt[i].key);
		if (d->opt[i].str)
			out__json_str(f, d->opt[i].str);
		else
			fputs(d->opt[i].json, f);
	}
	if (d->axis == OUT_SINGLE) {
		fputs("},\n  \"values\": ", f);
		json_values(f, &d->res[0]);
	} else {
		fputs("},\n  \"matrix\": [", f);
		for (size_t i = 0; i < d->nres; i++) {
			fputs(i ? ",\n    {" : "\n    {", f);
			put_axis(f, d, &d->res[i], true);
			fputs(", \"values\": ", f);
			json_values(f, &d->res[i]);
			fputc('}', f);
		}
		fputs(d->nres ? "\n  ]" : "]", f);
	}
	fputs(",\n  \"log\": ", f);
	if (d->ops)
		json_ops(f, d->ops);
	else if (d->events)
		json_events(f, d->events);
	else if (d->log_json)
		d->log_json(f, d->log_ctx);
	else
		fputs("null", f);
	fputs("\n}\n", f);
}

static bool seen_before(const struct out_doc *d, size_t ri, size_t vi)
{
	const struct out_value *v = &d->res[ri].v[vi];

	for (size_t i = 0; i < ri; i++)
		for (size_t k = 0; k < d->res[i].nv; k++)
			if (!strcmp(d->res[i].v[k].key, v->key) && d->res[i].v[k].n == v->n &&
			    !memcmp(d->res[i].v[k].d, v->d, v->n))
				return true;
	return false;
}

/* {"name": ["hex", ...], ...}: per reference-value name (in the order of the
 * first result), every distinct value of the results. */
static void rvps_payload(FILE *f, const struct out_doc *d)
{
	const struct out_result *first = &d->res[0];
	int names = 0;

	fputc('{', f);
	for (size_t k = 0; k < first->nv; k++) {
		int n = 0;

		if (!first->v[k].rvps)
			continue;
		fprintf(f, "%s\"%s\": [", names++ ? ", " : "", first->v[k].rvps);
		for (size_t i = 0; i < d->nres; i++) {
			if (k >= d->res[i].nv || seen_before(d, i, k))
				continue;
			fprintf(f, "%s\"", n++ ? ", " : "");
			out__hex(f, d->res[i].v[k].d, d->res[i].v[k].n);
			fputc('"', f);
		}
		fputc(']', f);
	}
	fputc('}', f);
}

static int print_rvps(FILE *f, const struct out_doc *d)
{
	char *payload = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&payload, &len);

	if (!m)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	rvps_payload(m, d);
	if (fclose(m) != 0) {
		free(payload);
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	}
	fputs("{\"version\": \"" RVPS_VERSION "\", \"type\": \"sample\", \"payload\": \"", f);
	out__base64(f, (const uint8_t *)payload, len);
	fputs("\"}\n", f);
	free(payload);
	return 0;
}

int out__print(FILE *f, const struct out_doc *d)
{
	int ret = 0;

	if (d->format == FORMAT_JSON)
		print_json(f, d);
	else if (d->format == FORMAT_RVPS)
		ret = print_rvps(f, d);
	else
		print_text(f, d);
	if (ret == 0 && (fflush(f) || ferror(f)))
		ret = err__set_status(CVM_EXIT_FAIL, "stdout: write error");
	return ret;
}

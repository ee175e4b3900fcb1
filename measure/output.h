/* Everything cvm-measure prints on stdout, in one place.  A mode's command
 * fills an out_doc (inputs, the options that shaped the result, one result
 * or a matrix of them, its log) and out__print() writes it in the format
 * asked for:
 *   hex, base64  the value alone (SEV modes), "key=value" lines (TDX), or one
 *                line per matrix entry ("vcpus=4 measurement=...");
 *   json         {"mode", "inputs", "options", "values" or "matrix", "log"},
 *                the same shape for every mode;
 *   rvps         Trustee's RVPS "sample" message: version, type and a base64
 *                JSON payload mapping reference-value names to arrays of the
 *                accepted hex values (every distinct value of a matrix). */
#ifndef CVM_MEASURE_OUTPUT_H
#define CVM_MEASURE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "measure/oplog.h"
#include "measure/options.h"
#include "measure/rtmr.h"

#define OUT_MAX_INPUTS  264     /* a realm script and its 256 data files */
#define OUT_MAX_OPTIONS 16
#define OUT_MAX_VALUES  6
#define OUT_VALUE_SIZE  64

struct out_input {
	const char *role;
	const char *path;               /* NULL: only the digest was given */
	uint8_t sha256[32];
	bool known;                     /* false: JSON null */
};

struct out_option {
	const char *key;
	const char *str;                /* a string value, escaped when printed ... */
	char json[112];                 /* ... or the value as JSON text */
};

struct out_value {
	const char *key;                /* "measurement", "mrtd", "rtmr0", ... */
	const char *rvps;               /* its Trustee reference-value name, or NULL */
	uint8_t d[OUT_VALUE_SIZE];
	size_t n;
};

struct out_result {
	uint64_t vcpus, memory;         /* a matrix entry's (0: not given) */
	struct out_value v[OUT_MAX_VALUES];
	size_t nv;
};

/* Which coordinates name a matrix entry: none (one result), its vCPU
 * count, its memory size, or both (vCPUs first: "vcpus=2 memory=1G ..."). */
enum out_axis { OUT_SINGLE = 0, OUT_VCPUS = 1, OUT_MEMORY = 2, OUT_BOTH = 3 };

struct out_doc {
	const char *mode;
	enum measure_format format;
	bool bare;                      /* hex/base64 of one result: the value alone */
	struct out_input in[OUT_MAX_INPUTS];
	size_t nin;
	struct out_option opt[OUT_MAX_OPTIONS];
	size_t nopt;
	enum out_axis axis;
	struct out_result *res;         /* nres results (1 unless a matrix) */
	size_t nres;
	const struct oplog *ops;        /* the log: launch updates (SEV modes) ... */
	const struct rtmr_log *events;  /* ... or RTMR events (TDX) ... */
	/* ... or a mode's own steps (CCA), printed as the JSON array "log";
	 * all three NULL: null. */
	void (*log_json)(FILE *f, const void *ctx);
	const void *log_ctx;
};

/* Options, in the order added (at most OUT_MAX_OPTIONS); a NULL string or
 * digest is JSON null.  A string must live until out__print(). */
void out__opt_str(struct out_doc *d, const char *key, const char *s);
void out__opt_u64(struct out_doc *d, const char *key, uint64_t v);
void out__opt_hexnum(struct out_doc *d, const char *key, uint64_t v);     /* "0x21" */
void out__opt_bool(struct out_doc *d, const char *key, bool v);
void out__opt_digest(struct out_doc *d, const char *key, const uint8_t *p, size_t n);
/* Appends a value to R. */
void out__value(struct out_result *r, const char *key, const char *rvps, const uint8_t *p,
		size_t n);
/* The axes of O's matrix (each list given: --vcpus, --memory) and its
 * number of entries, every combination of them (1 without a list). */
enum out_axis out__axes(const struct measure_opts *o, size_t *n);
/* Entry I of O's matrix, vCPU-major, ascending: its vCPU count and memory
 * size into R (an axis without a list: the one value, 0 when not given). */
void out__entry(const struct measure_opts *o, size_t i, struct out_result *r);
/* Writes D to F; -1 with err__set() on a write error. */
int out__print(FILE *f, const struct out_doc *d);

void out__hex(FILE *f, const uint8_t *d, size_t n);
void out__base64(FILE *f, const uint8_t *d, size_t n);
/* A JSON string literal, quoted and escaped, valid JSON for any bytes:
 * well-formed UTF-8 is kept; control characters, DEL and every byte that is
 * not part of well-formed UTF-8 become JSON u00XX escapes (byte 0xNN reads
 * as the code point U+00NN). */
void out__json_str(FILE *f, const char *s);

#endif

/* The Arm CCA Realm Initial Measurement, replayed from a realm launch plan
 * (MEASUREMENT.md 4; ../shared/vectors/cca/README.md wins on field widths).
 *
 * RMI_REALM_CREATE starts the RIM as the hash of its measured parameters;
 * then, in plan order, every DATA_CREATE granule, every RTT_INIT_RIPAS entry
 * (RMM 1.0 only) and every runnable REC_CREATE chains a 256-byte descriptor
 * into it with the realm's hash.  Measurements live in 64-byte buffers,
 * zero past the hash's length. */
#ifndef CVM_MEASURE_RIM_H
#define CVM_MEASURE_RIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/plan.h"

#define RIM_MAX         64
#define RIM_GRANULE     4096u

/* The digest length of H, 0 if H is no RmiHashAlgorithm. */
size_t rim__hash_size(enum plan_realm_hash h);
/* "sha256", "sha512", "sha384", or "?". */
const char *rim__hash_name(enum plan_realm_hash h);

/* The measurement building blocks: each replaces RIM by its next value.
 * -1 with err__set() on an unknown algorithm or a hashing failure. */
int rim__create(const struct plan_realm *r, uint8_t rim[RIM_MAX]);
/* One DATA_CREATE: GRANULE holds LEN <= 4096 bytes, zero-padded (NULL: a
 * zero page); CONTENT receives H(granule) when MEASURED, zeros otherwise. */
int rim__data(enum plan_realm_hash h, uint8_t rim[RIM_MAX], uint64_t ipa, bool measured,
	      const uint8_t *granule, size_t len, uint8_t content[RIM_MAX]);
/* One RTT_INIT_RIPAS entry [BASE, TOP) (RMM 1.0 semantics). */
int rim__ripas(enum plan_realm_hash h, uint8_t rim[RIM_MAX], uint64_t base, uint64_t top);
/* One runnable REC_CREATE; CONTENT receives H(RmiRecParams as measured). */
int rim__rec(enum plan_realm_hash h, uint8_t rim[RIM_MAX], const struct plan_realm_rec *rec,
	     uint8_t content[RIM_MAX]);

enum rim_step_kind { RIM_STEP_CREATE, RIM_STEP_RIPAS, RIM_STEP_DATA, RIM_STEP_REC };

/* One RMI call of the replay and the RIM after it. */
struct rim_step {
	enum rim_step_kind kind;
	size_t op;              /* index into the plan's ops (create: none) */
	uint64_t ipa;           /* data: the granule; ripas: the entry's base */
	bool measured;          /* the call changed the RIM */
	bool has_content;       /* data: H(granule); rec: H(RmiRecParams) */
	uint8_t content[RIM_MAX];
	uint8_t rim[RIM_MAX];
};

struct rim_log {
	struct rim_step *s;
	size_t n, cap;
};

/* The RIM of plan P (P->realm set, realm ops only), at the hash's length in
 * RIM; each RMI call appended to LOG unless it is NULL.  -1 with err__set()
 * naming the op on a plan the RMM would refuse or a RIPAS op whose
 * measurement depends on an RMM version the plan does not say. */
int rim__replay(const struct plan *p, uint8_t rim[RIM_MAX], struct rim_log *log);
void rim_log__exit(struct rim_log *l);

/* What one replay computed, kept for the next ones: a matrix of launches
 * (vCPU counts, memory sizes) loads the same kernel and initrd.  A later
 * plan with the same realm parameters and the same leading ops starts after
 * them, from the RIM (and log steps) the first replay had there; any other
 * op holding bytes the first replay hashed reuses their content hashes,
 * whatever its IPA.  Ops and bytes are compared, never assumed equal.  The
 * first replay with the memo fills it; its plan must outlive the memo. */
struct rim_memo_op {
	const uint8_t *data;
	uint64_t len;
	enum plan_realm_hash h;
	uint8_t (*content)[RIM_MAX];    /* one per granule */
};

struct rim_memo {
	struct rim_memo_op *op;
	size_t n;
	bool filled;
	struct plan_realm realm;        /* the first plan's parameters ... */
	const struct plan_op *ops;      /* ... and ops, */
	size_t nops;
	uint8_t (*after)[RIM_MAX];      /* the RIM after each of them, */
	size_t *steps;                  /* the log's length after each */
	struct rim_log log;             /* and the log, when the replay kept one */
};

/* rim__replay(), with MEMO (NULL: none). */
int rim__replay_memo(const struct plan *p, uint8_t rim[RIM_MAX], struct rim_log *log,
		     struct rim_memo *memo);
void rim_memo__exit(struct rim_memo *m);

#endif

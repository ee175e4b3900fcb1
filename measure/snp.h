/* The SEV-SNP launch digest: a plan replayed as SNP_LAUNCH_UPDATE pages into
 * the PAGE_INFO SHA-384 chain (MEASUREMENT.md 2.3). */
#ifndef CVM_MEASURE_SNP_H
#define CVM_MEASURE_SNP_H

#include <stdbool.h>
#include <stdint.h>

#include "loader/plan.h"
#include "measure/hashpool.h"
#include "measure/oplog.h"

#define SNP_LD_SIZE     48
#define SNP_VMSA_GPA    0xfffffffff000ull       /* where PAGE_INFO puts VMSAs */

enum snp_page_type {
	SNP_PAGE_NORMAL = 1,
	SNP_PAGE_VMSA = 2,
	SNP_PAGE_ZERO = 3,
	SNP_PAGE_UNMEASURED = 4,
	SNP_PAGE_SECRETS = 5,
	SNP_PAGE_CPUID = 6,
};

/* The page type an op is launched as; -1 for kinds SNP has no use for. */
int snp__page_type(enum plan_kind kind);
const char *snp__page_type_name(enum snp_page_type type);

/* One PAGE_INFO step: LD = SHA-384(LD || CONTENTS || 0x70 || TYPE || 0.. || GPA).
 * CONTENTS is the page's SHA-384, or zeros for types without contents. */
int snp__page_info(uint8_t ld[SNP_LD_SIZE], const uint8_t contents[SNP_LD_SIZE],
		   enum snp_page_type type, uint64_t gpa);

struct snp_replay {
	struct hash_pool *pool;
	struct oplog *log;      /* NULL: no log */
	size_t skip;            /* leading ops LD already covers (a seed) */
	bool log_skipped;       /* log them, with the seed as their digest */
};

/* Extends LD (the seed, or zeros) by the ops of P from R->skip on, page by
 * page: contents hashed on the pool, PAGE_INFO chained in order.  -1 with
 * err__set() on an op SNP cannot launch. */
int snp__replay(uint8_t ld[SNP_LD_SIZE], const struct plan *p, const struct snp_replay *r);

#endif

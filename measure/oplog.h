/* The operation log of a measurement replay: one entry per launch update
 * (GPA, length, page type, running digest), for --verbose and JSON
 * (measure/output.c prints it). */
#ifndef CVM_MEASURE_OPLOG_H
#define CVM_MEASURE_OPLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "loader/plan.h"

struct oplog_entry {
	char what[32];
	const char *type;       /* the page type as the firmware sees it */
	uint64_t gpa, len;
	uint8_t digest[64];     /* the launch digest after this update */
	size_t dlen;
};

struct oplog {
	struct oplog_entry *e;
	size_t n, cap;
};

/* Records OP as measured at GPA; -1 on allocation failure. */
int oplog__add(struct oplog *l, const struct plan_op *op, const char *type, uint64_t gpa,
	       const uint8_t *digest, size_t dlen);
/* One line per entry. */
void oplog__print(FILE *f, const struct oplog *l);
void oplog__exit(struct oplog *l);

#endif

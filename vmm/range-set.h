/* A set of guest-physical ranges kept as sorted, disjoint, merged
 * [start, end) intervals: the VMM's record of which RAM is private.  Cost
 * follows the number of intervals, never the number of pages, so marking
 * 64 GiB is one operation.  Not thread-safe: the caller locks. */
#ifndef CVM_RANGE_SET_H
#define CVM_RANGE_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct range {
	uint64_t start, end;    /* end exclusive */
};

struct range_set {
	struct range *r;
	size_t n, cap;
};

void range_set__init(struct range_set *s);
void range_set__exit(struct range_set *s);
/* Makes room for EXTRA more intervals, so that the next add or remove
 * (each needs at most one) cannot fail; -1 when out of memory. */
int range_set__reserve(struct range_set *s, size_t extra);
/* Adds or removes [start, end); -1 (nothing changed) when out of memory. */
int range_set__add(struct range_set *s, uint64_t start, uint64_t end);
int range_set__remove(struct range_set *s, uint64_t start, uint64_t end);
/* Whether [start, end) lies wholly inside / wholly outside the set. */
bool range_set__covers(const struct range_set *s, uint64_t start, uint64_t end);
bool range_set__disjoint(const struct range_set *s, uint64_t start, uint64_t end);
/* Bytes of the set inside [start, end). */
uint64_t range_set__bytes(const struct range_set *s, uint64_t start, uint64_t end);

#endif

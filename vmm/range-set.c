#include <stdlib.h>
#include <string.h>

#include "vmm/range-set.h"

void range_set__init(struct range_set *s)
{
	memset(s, 0, sizeof(*s));
}

void range_set__exit(struct range_set *s)
{
	free(s->r);
	memset(s, 0, sizeof(*s));
}

/* Index of the first interval whose end is >= ADDR (binary search). */
static size_t first_ending_at_or_after(const struct range_set *s, uint64_t addr)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->r[mid].end < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int reserve(struct range_set *s, size_t n)
{
	struct range *r;
	size_t cap;

	if (n <= s->cap)
		return 0;
	cap = s->cap ? s->cap * 2 : 16;
	while (cap < n)
		cap *= 2;
	r = realloc(s->r, cap * sizeof(*r));
	if (!r)
		return -1;
	s->r = r;
	s->cap = cap;
	return 0;
}

int range_set__reserve(struct range_set *s, size_t extra)
{
	return reserve(s, s->n + extra);
}

/* Replaces intervals [i, j) by the N intervals in NEW. */
static int splice(struct range_set *s, size_t i, size_t j, const struct range *new, size_t n)
{
	if (n > j - i && reserve(s, s->n + n - (j - i)) < 0)
		return -1;
	memmove(&s->r[i + n], &s->r[j], (s->n - j) * sizeof(*s->r));
	memcpy(&s->r[i], new, n * sizeof(*new));
	s->n = s->n + n - (j - i);
	return 0;
}

int range_set__add(struct range_set *s, uint64_t start, uint64_t end)
{
	/* Every interval touching [start, end), adjacent ones included,
	 * merges with it. */
	size_t i = first_ending_at_or_after(s, start), j = i;
	struct range m = { start, end };

	if (start >= end)
		return 0;
	while (j < s->n && s->r[j].start <= end) {
		if (s->r[j].start < m.start)
			m.start = s->r[j].start;
		if (s->r[j].end > m.end)
			m.end = s->r[j].end;
		j++;
	}
	return splice(s, i, j, &m, 1);
}

int range_set__remove(struct range_set *s, uint64_t start, uint64_t end)
{
	size_t i = first_ending_at_or_after(s, start + 1), j = i;
	struct range keep[2];
	size_t n = 0;

	if (start >= end)
		return 0;
	while (j < s->n && s->r[j].start < end)
		j++;
	if (i == j)
		return 0;
	/* What sticks out on either side survives. */
	if (s->r[i].start < start)
		keep[n++] = (struct range){ s->r[i].start, start };
	if (s->r[j - 1].end > end)
		keep[n++] = (struct range){ end, s->r[j - 1].end };
	return splice(s, i, j, keep, n);
}

bool range_set__covers(const struct range_set *s, uint64_t start, uint64_t end)
{
	size_t i = first_ending_at_or_after(s, start + 1);

	if (start >= end)
		return true;
	return i < s->n && s->r[i].start <= start && s->r[i].end >= end;
}

bool range_set__disjoint(const struct range_set *s, uint64_t start, uint64_t end)
{
	size_t i = first_ending_at_or_after(s, start + 1);

	return start >= end || i == s->n || s->r[i].start >= end;
}

uint64_t range_set__bytes(const struct range_set *s, uint64_t start, uint64_t end)
{
	uint64_t sum = 0;

	for (size_t i = first_ending_at_or_after(s, start + 1); i < s->n && s->r[i].start < end; i++) {
		uint64_t a = s->r[i].start > start ? s->r[i].start : start;
		uint64_t b = s->r[i].end < end ? s->r[i].end : end;

		sum += b - a;
	}
	return sum;
}

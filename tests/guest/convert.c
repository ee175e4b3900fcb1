/* cvmtest.convert=N: private-memory conversions through KVM_HC_MAP_GPA_RANGE,
 * checked against what a page must hold afterwards.
 *
 * The rule the VMM promises: a page that changes state reads zeros (its
 * old contents never survive a round trip); a page already in the target
 * state keeps its contents.  First one page X goes through a fixed round
 * trip, then bogus ranges, then N random conversions shared among all
 * vCPUs, each in a sub-region of its own, with a model of every page's
 * state and expected first word.  Where the VMM refuses conversions (a
 * plain VM) the same run checks that every request is refused and that no
 * page changes. */
#include "guest.h"
#include "io.h"

#define PAGE		0x1000ull
#define MAP_ENCRYPTED	(1u << 4)
#define PAGE_X		CONVERT_START		/* the round-trip page */
#define REGION		(CONVERT_START + PAGE)	/* 8 MiB: the random phase */
#define SUB_PAGES	64			/* pages per vCPU */
#define WORKERS		(SMP_WORK_MAX + 1)
#define MAX_RUN		8			/* pages per random request */

static bool accepted;
static uint64_t share[WORKERS];
static bool state[WORKERS][SUB_PAGES];		/* true: private */
static uint64_t expect[WORKERS][SUB_PAGES];	/* the first word of each page */
static const char *volatile failed[WORKERS];
static volatile uint32_t done;

static uint64_t map_gpa(uint64_t gpa, uint64_t pages, uint64_t attrs)
{
	return hc__map_gpa_range(gpa, pages, attrs);
}

static volatile uint64_t *word(uint64_t pa, unsigned i)
{
	return (volatile uint64_t *)pa + i;
}

static void fill(uint64_t pa, uint64_t v)
{
	for (unsigned i = 0; i < PAGE / 8; i += 64)
		*word(pa, i) = v + i;
}

static bool holds(uint64_t pa, uint64_t v)
{
	for (unsigned i = 0; i < PAGE / 8; i += 64)
		if (*word(pa, i) != (v ? v + i : 0))
			return false;
	return true;
}

/* The fixed round trip on page X; sets ACCEPTED. */
static const char *round_trip(void)
{
	uint64_t r;

	fill(PAGE_X, 0x5ead0000);
	r = map_gpa(PAGE_X, 1, MAP_ENCRYPTED);
	accepted = r == 0;
	if (!accepted) {
		say("convert refused (ret %lu)", r);
		if (!holds(PAGE_X, 0x5ead0000))
			return "a refused conversion changed the page";
		say("convert data kept after the refusal: ok");
		return NULL;
	}
	say("convert accepted");
	if (!holds(PAGE_X, 0))
		return "a page made private still holds its shared data";
	say("convert private page reads zeros: ok");
	fill(PAGE_X, 0x9a1e0000);
	if (!holds(PAGE_X, 0x9a1e0000))
		return "private page does not keep what was written";
	if (map_gpa(PAGE_X, 1, 0) != 0)
		return "private -> shared refused";
	if (!holds(PAGE_X, 0))
		return "a page made shared shows its private data";
	fill(PAGE_X, 0x5ead0001);
	if (map_gpa(PAGE_X, 1, MAP_ENCRYPTED) != 0)
		return "shared -> private refused the second time";
	if (!holds(PAGE_X, 0))
		return "private data survived private -> shared -> private";
	say("convert private data gone after a round trip: ok");
	if (map_gpa(PAGE_X, 1, 0) != 0)
		return "private -> shared refused the second time";
	return NULL;
}

/* Requests no VMM may accept; the guest runs on after each. */
static const char *bogus(uint64_t ram_top)
{
	static const struct {
		uint64_t gpa, pages;
	} bad[] = {
		{ PAGE_X + 8, 1 },                      /* unaligned */
		{ PAGE_X, 0 },                          /* empty */
		{ ~0ull - PAGE + 1, 2 },                /* wraps */
		{ 0, 1ull << 60 },                      /* page count overflows */
		{ 0xfec00000, 1 },                      /* the IOAPIC */
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (map_gpa(bad[i].gpa, bad[i].pages, MAP_ENCRYPTED) == 0)
			return "a bogus range was accepted";
	if (map_gpa((ram_top + (1ull << 30)) & ~(PAGE - 1), 1, MAP_ENCRYPTED) == 0)
		return "a range outside RAM was accepted";
	say("convert bogus ranges refused: ok");
	return NULL;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Worker W's random conversions in its sub-region, checked page by page. */
static const char *random_share(uint32_t w)
{
	uint64_t base = REGION + w * SUB_PAGES * PAGE, seed = 0x9e3779b97f4a7c15ull * (w + 1);

	for (uint64_t k = 0; k < share[w]; k++) {
		uint64_t first = xorshift(&seed) % SUB_PAGES, n = 1 + xorshift(&seed) % MAX_RUN;
		bool priv = xorshift(&seed) & 1;
		uint64_t r;

		if (first + n > SUB_PAGES)
			n = SUB_PAGES - first;
		r = map_gpa(base + first * PAGE, n, priv ? MAP_ENCRYPTED : 0);
		if (accepted ? r != 0 : r == 0)
			return accepted ? "a random conversion was refused" :
					  "a random conversion was accepted";
		for (uint64_t p = first; p < first + n; p++) {
			uint64_t pa = base + p * PAGE, mark = (uint64_t)w << 48 | k << 8 | p;

			if (accepted && state[w][p] != priv) {
				state[w][p] = priv;
				expect[w][p] = 0;
			}
			if (!holds(pa, expect[w][p]))
				return expect[w][p] ? "a page lost its data" :
						      "old data survived a conversion";
			fill(pa, mark);
			expect[w][p] = mark;
		}
	}
	return NULL;
}

static void work(uint32_t w)
{
	if (w >= WORKERS || !share[w])
		return;
	failed[w] = random_share(w);
	__atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST);
}

const char *convert__run(const struct guest_boot *b, uint64_t n, uint32_t cpus)
{
	uint32_t workers = cpus < WORKERS ? cpus : WORKERS, answered = 1, busy = 0;
	const char *bad;

	_Static_assert(REGION + WORKERS * SUB_PAGES * PAGE == CONVERT_END, "the convert region");
	if (!boot__ram_covers(b, PAGE_X, CONVERT_END))
		return "the conversion region [0x7ff000, 12 MiB) is not RAM";
	if ((bad = round_trip()) || (bad = bogus(boot__map_top(b))))
		return bad;
	for (uint32_t w = 0; w < workers; w++) {
		share[w] = n / workers + (w < n % workers);
		busy += share[w] != 0;
	}
	if (cpus > 1)
		answered = smp__start(cpus, work);
	say("cpus %u of %u", answered, cpus);
	if (answered != cpus)
		return "cpus answered != cvmtest.cpus";
	work(0);
	while (__atomic_load_n(&done, __ATOMIC_SEQ_CST) < busy)
		cpu_relax();
	for (uint32_t w = 0; w < workers; w++)
		if (failed[w])
			return failed[w];
	say("convert %lu random on %u cpus: %s", n, workers,
	    accepted ? "ok" : "all refused, data intact");
	return NULL;
}

#include <string.h>

#include "loader/error.h"
#include "loader/parse.h"
#include "loader/realm-opts.h"

#define IPA_MIN         32
#define IPA_MAX         48
#define IPA_MAX_LPA2    52
#define SVE_VL_MAX      2048    /* bits: 16 quadwords, sve_vl = VQ - 1 */
#define PMU_CTRS_MAX    31
#define DEBUG_MAX       64      /* breakpoints, watchpoints: a 6-bit N - 1 */

static const char *const names[] = {
	"rmm", "hash", "ipa-bits", "sve-vl", "pmu-num-ctrs", "num-bps", "num-wps", "lpa2",
};
#define NOPTS (sizeof(names) / sizeof(names[0]))

void realm_opts__init(struct realm_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->hash = PLAN_REALM_SHA256;
}

static int lookup(const char *name)
{
	while (*name == '-')
		name++;
	for (size_t i = 0; i < NOPTS; i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	return -1;
}

bool realm_opts__known(const char *name)
{
	return lookup(name) >= 0;
}

const char *realm_opts__given(const struct realm_opts *o, unsigned mask)
{
	static const char *const dashed[] = {
		"--rmm", "--hash", "--ipa-bits", "--sve-vl", "--pmu-num-ctrs", "--num-bps",
		"--num-wps", "--lpa2",
	};

	_Static_assert(sizeof(dashed) == sizeof(names), "one spelling per option");
	for (size_t i = 0; i < NOPTS; i++)
		if (o->given & mask & (1u << i))
			return dashed[i];
	return NULL;
}

/* A number from LO to HI. */
static int num(const char *name, const char *v, unsigned lo, unsigned hi, unsigned *out)
{
	uint64_t x;

	if (parse__u64(v, &x) < 0)
		return err__set("%s %s: not a number", name, v);
	if (x < lo || x > hi)
		return err__set("%s %s: %u to %u", name, v, lo, hi);
	*out = (unsigned)x;
	return 0;
}

static int set(struct realm_opts *o, int i, const char *name, const char *v)
{
	switch (1u << i) {
	case REALM_OPT_RMM:
		if (strcmp(v, "1.0") && strcmp(v, "2.0"))
			return err__set("%s %s: expected 1.0 or 2.0", name, v);
		o->rmm = v[0] == '1' ? PLAN_RMM_1_0 : PLAN_RMM_2_0;
		return 0;
	case REALM_OPT_HASH:
		if (!strcmp(v, "sha256"))
			o->hash = PLAN_REALM_SHA256;
		else if (!strcmp(v, "sha384"))
			o->hash = PLAN_REALM_SHA384;
		else if (!strcmp(v, "sha512"))
			o->hash = PLAN_REALM_SHA512;
		else
			return err__set("%s %s: expected sha256, sha384 or sha512", name, v);
		return 0;
	case REALM_OPT_IPA_BITS:
		return num(name, v, IPA_MIN, IPA_MAX_LPA2, &o->ipa_bits);
	case REALM_OPT_SVE_VL:
		if (num(name, v, 128, SVE_VL_MAX, &o->sve_vl) < 0)
			return -1;
		if (o->sve_vl % 128)
			return err__set("%s %s: a multiple of 128 bits", name, v);
		return 0;
	case REALM_OPT_PMU:
		return num(name, v, 0, PMU_CTRS_MAX, &o->pmu_num_ctrs);
	case REALM_OPT_NUM_BPS:
		return num(name, v, 1, DEBUG_MAX, &o->num_bps);
	case REALM_OPT_NUM_WPS:
		return num(name, v, 1, DEBUG_MAX, &o->num_wps);
	default:
		if (parse__flag(v, &o->lpa2) < 0)
			return err__set("%s %s: expected true or false", name, v);
		return 0;
	}
}

int realm_opts__set(struct realm_opts *o, const char *name, const char *v)
{
	int i = lookup(name);

	if (i < 0)
		return err__set("%s: not a realm option", name);
	if (set(o, i, name, v) < 0)
		return -1;
	o->given |= 1u << i;
	return 0;
}

/* The fewest IPA bits whose lower half holds [0, TOP); 0 if none does. */
static unsigned ipa_bits_for(uint64_t top, unsigned max)
{
	for (unsigned b = IPA_MIN; b <= max; b++)
		if (top <= 1ull << (b - 1))
			return b;
	return 0;
}

int realm_opts__params(const struct realm_opts *o, uint64_t ram_top, struct plan_realm *out)
{
	unsigned max = o->lpa2 ? IPA_MAX_LPA2 : IPA_MAX;
	unsigned need = ipa_bits_for(ram_top, max);

	if (!need)
		return err__set("memory: the RAM ends at %#llx, beyond the protected half of a "
				"%u-bit IPA space%s", (unsigned long long)ram_top, max,
				o->lpa2 ? "" : " (52 bits need --lpa2)");
	if (o->ipa_bits > max)
		return err__set("--ipa-bits %u: more than %u needs --lpa2", o->ipa_bits, max);
	if (o->ipa_bits && o->ipa_bits < need)
		return err__set("--ipa-bits %u: the RAM ends at %#llx, above the protected half "
				"(below %#llx); it needs at least %u", o->ipa_bits,
				(unsigned long long)ram_top, 1ull << (o->ipa_bits - 1), need);
	if (o->hash == PLAN_REALM_SHA384 && o->rmm == PLAN_RMM_1_0)
		return err__set("--hash sha384: RMM 1.0 has sha256 and sha512 only");
	*out = (struct plan_realm){
		.rmm = o->rmm,
		.hash = o->hash,
		.flags0 = (o->lpa2 ? PLAN_REALM_LPA2 : 0) |
			  (o->given & REALM_OPT_SVE_VL ? PLAN_REALM_SVE : 0) |
			  (o->given & REALM_OPT_PMU ? PLAN_REALM_PMU : 0),
		.s2sz = o->ipa_bits ? o->ipa_bits : need,
		.sve_vl = o->given & REALM_OPT_SVE_VL ? o->sve_vl / 128 - 1 : 0,
		.num_bps = o->num_bps ? o->num_bps - 1 : 0,
		.num_wps = o->num_wps ? o->num_wps - 1 : 0,
		.pmu_num_ctrs = o->pmu_num_ctrs,
	};
	return 0;
}

int realm_opts__check_tee(const struct realm_opts *o, const char *tee)
{
	const char *name = realm_opts__given(o, ~0u);

	if (name && strcmp(tee, "realm"))
		return err__set("%s: only with --tee realm", name);
	return 0;
}

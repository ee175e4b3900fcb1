/* The options that shape an Arm CCA realm's RMI_REALM_CREATE, parsed by one
 * function for both programs (cvm-run --tee realm, cvm-measure --mode cca),
 * so that both build the same realm parameters from the same words:
 *
 *   --rmm 1.0|2.0          whose RIM semantics (RMM 1.0 measures RIPAS entries)
 *   --hash sha256|sha384|sha512                           (default sha256)
 *   --ipa-bits N           32-48, 52 with --lpa2 (default: the fewest that
 *                          put the RAM in the protected, lower half)
 *   --sve-vl BITS          SVE on, vector length 128-2048 in steps of 128
 *   --pmu-num-ctrs N       PMU on with N (0-31) event counters
 *   --num-bps N, --num-wps N   1-64 breakpoints, watchpoints (the field is
 *                          N - 1; not given: the field stays 0, as the v14
 *                          KVM leaves it)
 *   --lpa2                 LPA2: 52-bit IPAs
 *
 * Off by default: SVE, PMU, LPA2, all of which the v14 KVM ABI never sets. */
#ifndef CVM_REALM_OPTS_H
#define CVM_REALM_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "loader/plan.h"

enum {
	REALM_OPT_RMM = 1u << 0,
	REALM_OPT_HASH = 1u << 1,
	REALM_OPT_IPA_BITS = 1u << 2,
	REALM_OPT_SVE_VL = 1u << 3,
	REALM_OPT_PMU = 1u << 4,
	REALM_OPT_NUM_BPS = 1u << 5,
	REALM_OPT_NUM_WPS = 1u << 6,
	REALM_OPT_LPA2 = 1u << 7,
	/* The RmiRealmParams fields: an operation script's create line has them. */
	REALM_OPT_PARAMS = REALM_OPT_IPA_BITS | REALM_OPT_SVE_VL | REALM_OPT_PMU |
			   REALM_OPT_NUM_BPS | REALM_OPT_NUM_WPS | REALM_OPT_LPA2,
};

struct realm_opts {
	enum plan_rmm rmm;              /* PLAN_RMM_ANY: not given */
	enum plan_realm_hash hash;
	unsigned ipa_bits;              /* 0: not given */
	unsigned sve_vl;                /* bits */
	unsigned pmu_num_ctrs;
	unsigned num_bps, num_wps;      /* counts */
	bool lpa2;
	unsigned given;                 /* REALM_OPT_* */
};

/* The defaults: nothing given, SHA-256. */
void realm_opts__init(struct realm_opts *o);
/* Sets option NAME ("--sve-vl" or "sve-vl") to VALUE ("" for --lpa2 on a
 * command line).  -1 with err__set("NAME VALUE: why") when VALUE is bad or
 * NAME is not a realm option. */
int realm_opts__set(struct realm_opts *o, const char *name, const char *value);
/* Whether NAME (with or without the dashes) is one of them. */
bool realm_opts__known(const char *name);
/* "--NAME" of the first option in MASK that was given, or NULL. */
const char *realm_opts__given(const struct realm_opts *o, unsigned mask);
/* The realm parameters for guest RAM that ends at RAM_TOP (exclusive): it
 * must lie in the protected half of the IPA space.  -1 with err__set()
 * naming the option that cannot hold. */
int realm_opts__params(const struct realm_opts *o, uint64_t ram_top, struct plan_realm *out);
/* cvm-run: refuses realm options unless TEE is "realm". */
int realm_opts__check_tee(const struct realm_opts *o, const char *tee);

#endif

#include <string.h>

#include "arch/x86/vmsa.h"
#include "loader/error.h"
#include "loader/parse.h"
#include "loader/sev-opts.h"

/* What KVM passes to the firmware at all (KVM_SNP_POLICY_MASK_VALID):
 * MIGRATE_MA (bit 18) is never among them (ERRATA row 9). */
#define SNP_POLICY_KVM_VALID (SNP_POLICY_MASK_API_MINOR | SNP_POLICY_MASK_API_MAJOR | \
			      SNP_POLICY_MASK_SMT | SNP_POLICY_MASK_RSVD_MBO | \
			      SNP_POLICY_MASK_DEBUG | SNP_POLICY_MASK_SINGLE_SOCKET | \
			      SNP_POLICY_MASK_CXL_ALLOW | SNP_POLICY_MASK_MEM_AES_256_XTS | \
			      SNP_POLICY_MASK_RAPL_DIS | SNP_POLICY_MASK_CIPHERTEXT_HIDING_DRAM | \
			      SNP_POLICY_MASK_PAGE_SWAP_DISABLE)

enum opt {
	O_VCPU_TYPE, O_VCPU_SIG, O_VCPU_FAMILY, O_VCPU_MODEL, O_VCPU_STEPPING,
	O_GUEST_FEATURES, O_SNP_POLICY, O_ID_BLOCK, O_ID_AUTH, O_HOST_DATA, O_SNP_CERTS,
	O_CPUID_FIXUP, O_COUNT,
};

/* Which --tee values use each option (cvm-run). */
enum { T_SEV = 1, T_SEV_ES = 2, T_SNP = 4 };

static const struct {
	const char *name;
	unsigned tees;
} opts[O_COUNT] = {
	[O_VCPU_TYPE] = { "vcpu-type", T_SEV_ES | T_SNP },
	[O_VCPU_SIG] = { "vcpu-sig", T_SEV_ES | T_SNP },
	[O_VCPU_FAMILY] = { "vcpu-family", T_SEV_ES | T_SNP },
	[O_VCPU_MODEL] = { "vcpu-model", T_SEV_ES | T_SNP },
	[O_VCPU_STEPPING] = { "vcpu-stepping", T_SEV_ES | T_SNP },
	[O_GUEST_FEATURES] = { "guest-features", T_SNP },
	[O_SNP_POLICY] = { "snp-policy", T_SNP },
	[O_ID_BLOCK] = { "id-block", T_SNP },
	[O_ID_AUTH] = { "id-auth", T_SNP },
	[O_HOST_DATA] = { "host-data", T_SNP },
	[O_SNP_CERTS] = { "snp-certs", T_SNP },
	[O_CPUID_FIXUP] = { "snp-cpuid-fixup", T_SNP },
};

void sev_opts__init(struct sev_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->guest_features = SEV_FEATURES_DEFAULT;
	o->snp_policy = SNP_POLICY_DEFAULT;
}

static int lookup(const char *name)
{
	while (*name == '-')
		name++;
	for (int i = 0; i < O_COUNT; i++)
		if (!strcmp(name, opts[i].name))
			return i;
	return -1;
}

bool sev_opts__known(const char *name)
{
	return lookup(name) >= 0;
}

/* A number up to MAX, in sev-snp-measure's words. */
static int num(const char *name, const char *v, uint64_t max, uint64_t *out)
{
	if (parse__u64(v, out) < 0)
		return err__set("%s %s: not a number", name, v);
	if (*out > max)
		return err__set("%s %s: at most %llu", name, v, (unsigned long long)max);
	return 0;
}

static int policy(struct sev_opts *o, const char *name, const char *v)
{
	uint64_t p;

	if (parse__u64(v, &p) < 0)
		return err__set("%s %s: not a number", name, v);
	if (p & SNP_POLICY_MASK_MIGRATE_MA)
		return err__set("%s %s: bit 18 (MIGRATE_MA) is never accepted by KVM", name, v);
	if (p & ~SNP_POLICY_KVM_VALID)
		return err__set("%s %s: bits %#llx are no SNP policy bits KVM knows", name, v,
				(unsigned long long)(p & ~SNP_POLICY_KVM_VALID));
	if (!(p & SNP_POLICY_MASK_RSVD_MBO))
		return err__set("%s %s: bit 17 must be one (the firmware's RSVD_MBO)", name, v);
	o->snp_policy = p;
	return 0;
}

static int file(const char *name, const char *v, const char **out)
{
	if (!*v)
		return err__set("%s: empty file name", name);
	*out = v;
	return 0;
}

int sev_opts__set(struct sev_opts *o, const char *name, const char *v)
{
	int i = lookup(name);
	uint64_t x;
	int r = 0;

	switch (i) {
	case O_VCPU_TYPE:
		if (!vcpu__find(v))
			return err__set("%s %s: unknown vCPU type (see --help)", name, v);
		o->vcpu_type = v;
		break;
	case O_VCPU_SIG:
		r = num(name, v, 0xffffffffu, &o->vcpu_sig);
		o->vcpu_sig_set = true;
		break;
	case O_VCPU_FAMILY:
		r = num(name, v, 0xff + 0xf, &x);
		o->vcpu_family = x;
		o->family_set = true;
		break;
	case O_VCPU_MODEL:
		r = num(name, v, 0xff, &x);
		o->vcpu_model = x;
		o->model_set = true;
		break;
	case O_VCPU_STEPPING:
		r = num(name, v, 0xf, &x);
		o->vcpu_stepping = x;
		o->stepping_set = true;
		break;
	case O_GUEST_FEATURES:
		r = num(name, v, ~0ull, &o->guest_features);
		break;
	case O_SNP_POLICY:
		r = policy(o, name, v);
		break;
	case O_ID_BLOCK:
		r = file(name, v, &o->id_block);
		break;
	case O_ID_AUTH:
		r = file(name, v, &o->id_auth);
		break;
	case O_HOST_DATA:
		if (parse__hex(v, o->host_data, SNP_HOST_DATA_SIZE) < 0)
			return err__set("%s %s: expected %d hex digits", name, v,
					2 * SNP_HOST_DATA_SIZE);
		o->host_data_set = true;
		break;
	case O_SNP_CERTS:
		r = file(name, v, &o->snp_certs);
		break;
	case O_CPUID_FIXUP:
		if (parse__flag(v, &o->cpuid_fixup) < 0)
			return err__set("%s %s: expected true or false", name, v);
		break;
	default:
		return err__set("%s: not an SEV option", name);
	}
	o->given |= 1u << i;
	return r;
}

int sev_opts__vcpu_sig(const struct sev_opts *o, uint32_t *sig)
{
	const struct vcpu_model *m;

	if (o->family_set) {
		if (!o->model_set || !o->stepping_set)
			return err__set("--vcpu-family requires --vcpu-model and --vcpu-stepping");
		*sig = vcpu__sig(o->vcpu_family, o->vcpu_model, o->vcpu_stepping);
	} else if (o->vcpu_sig_set) {
		*sig = o->vcpu_sig;
	} else if (o->vcpu_type && (m = vcpu__find(o->vcpu_type))) {
		*sig = vcpu__sig(m->family, m->model, m->stepping);
	} else {
		return 0;
	}
	return 1;
}

int sev_opts__check_tee(const struct sev_opts *o, const char *tee)
{
	unsigned t = !strcmp(tee, "sev") ? T_SEV : !strcmp(tee, "sev-es") ? T_SEV_ES :
		     !strcmp(tee, "snp") ? T_SNP : 0;

	for (int i = 0; i < O_COUNT; i++) {
		if (!(o->given & (1u << i)) || (opts[i].tees & t))
			continue;
		return err__set("--%s: only with --tee %s", opts[i].name,
				opts[i].tees == T_SNP ? "snp" : "snp or sev-es");
	}
	if (t == T_SNP && (!o->id_block != !o->id_auth))
		return err__set("--%s: needs --%s too (the firmware checks the ID block's "
				"signature)", o->id_block ? "id-block" : "id-auth",
				o->id_block ? "id-auth" : "id-block");
	return 0;
}

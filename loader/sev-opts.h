/* The options that shape an AMD SEV launch, parsed by one function for both
 * programs.  cvm-measure and cvm-run share the measurement-shaping ones,
 * with sev-snp-measure 0.0.13's names and meaning: --vcpu-type, --vcpu-sig,
 * --vcpu-family/--vcpu-model/--vcpu-stepping (the VMSA's RDX) and
 * --guest-features (SNP SEV_FEATURES).  cvm-run adds the SNP launch options
 * that never enter the launch digest: --snp-policy, --id-block, --id-auth,
 * --host-data, --snp-certs and --snp-cpuid-fixup. */
#ifndef CVM_SEV_OPTS_H
#define CVM_SEV_OPTS_H

#include <stdbool.h>
#include <stdint.h>

/* SNP guest policy (SNP firmware ABI; the names of include/linux/psp-sev.h). */
#define SNP_POLICY_MASK_API_MINOR		0x00000000000000ffULL
#define SNP_POLICY_MASK_API_MAJOR		0x000000000000ff00ULL
#define SNP_POLICY_MASK_SMT			(1ULL << 16)
#define SNP_POLICY_MASK_RSVD_MBO		(1ULL << 17)
#define SNP_POLICY_MASK_MIGRATE_MA		(1ULL << 18)
#define SNP_POLICY_MASK_DEBUG			(1ULL << 19)
#define SNP_POLICY_MASK_SINGLE_SOCKET		(1ULL << 20)
#define SNP_POLICY_MASK_CXL_ALLOW		(1ULL << 21)
#define SNP_POLICY_MASK_MEM_AES_256_XTS		(1ULL << 22)
#define SNP_POLICY_MASK_RAPL_DIS		(1ULL << 23)
#define SNP_POLICY_MASK_CIPHERTEXT_HIDING_DRAM	(1ULL << 24)
#define SNP_POLICY_MASK_PAGE_SWAP_DISABLE	(1ULL << 25)

#define SNP_POLICY_DEFAULT	(SNP_POLICY_MASK_SMT | SNP_POLICY_MASK_RSVD_MBO)  /* QEMU's */
#define SEV_FEATURES_DEFAULT	0x1ull          /* SNPActive */
#define SNP_HOST_DATA_SIZE	32
#define SNP_ID_BLOCK_SIZE	96
#define SNP_ID_AUTH_SIZE	4096

struct sev_opts {
	/* Measured: the VMSAs. */
	const char *vcpu_type;
	bool vcpu_sig_set, family_set, model_set, stepping_set;
	uint64_t vcpu_sig;
	int vcpu_family, vcpu_model, vcpu_stepping;
	uint64_t guest_features;
	/* cvm-run's SNP launch: not measured. */
	uint64_t snp_policy;
	const char *id_block, *id_auth;         /* files of 96 and 4096 bytes */
	bool host_data_set;
	uint8_t host_data[SNP_HOST_DATA_SIZE];
	const char *snp_certs;                  /* served on KVM_EXIT_SNP_REQ_CERTS */
	bool cpuid_fixup;
	unsigned given;                         /* which options were set (a bit each) */
};

/* The defaults: guest features 0x1, policy 0x30000, nothing given. */
void sev_opts__init(struct sev_opts *o);
/* Sets option NAME ("--vcpu-sig" or "vcpu-sig") to VALUE ("" for a flag
 * on the command line).  -1 with err__set("NAME VALUE: why") when VALUE is
 * bad, or when NAME is not one of these options. */
int sev_opts__set(struct sev_opts *o, const char *name, const char *value);
/* Whether NAME (with or without the leading dashes) is one of them. */
bool sev_opts__known(const char *name);
/* The vCPU signature, by sev-snp-measure's precedence: family/model/
 * stepping, then --vcpu-sig, then --vcpu-type.  1 with *SIG set, 0 when
 * none was given, -1 when --vcpu-family lacks --vcpu-model/--vcpu-stepping. */
int sev_opts__vcpu_sig(const struct sev_opts *o, uint32_t *sig);
/* cvm-run: refuses options the --tee value TEE does not use (SNP options
 * with sev or sev-es, vCPU options with sev, any of them without SEV), one
 * line naming the first such option. */
int sev_opts__check_tee(const struct sev_opts *o, const char *tee);

#endif

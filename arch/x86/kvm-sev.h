/* AMD SEV, SEV-ES and SEV-SNP (--tee sev, sev-es, snp): the launch plans of
 * loader/sev.c, which cvm-measure replays, executed through KVM as Linux
 * 7.3 checks them (KERNEL-RULES.md sections 2, 4 and 5, KVM-UAPI-ERRATA.md).
 *
 * kvm-sev.c holds what the three share: the plan and its digest, /dev/sev,
 * KVM_SEV_INIT2, firmware errors by name, the VMSA ops (vCPU registers that
 * KVM syncs into exactly the plan's VMSA: kvm-vmsa.c), termination
 * requests; and the SEV/SEV-ES launch: LAUNCH_START, LAUNCH_UPDATE_DATA in
 * place over KVM_MEMORY_ENCRYPT_REG_REGION memory, LAUNCH_UPDATE_VMSA,
 * LAUNCH_MEASURE, LAUNCH_FINISH.  kvm-snp.c holds the SNP launch on private
 * guest_memfd memory (SNP_LAUNCH_START/UPDATE/FINISH, the CPUID page) and
 * the certificate requests of a running SNP guest. */
#ifndef CVM_X86_KVM_SEV_H
#define CVM_X86_KVM_SEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/plan.h"
#include "loader/sev.h"

struct kvm;
struct vcpu;
struct vm;

struct sev_state {
	enum sev_mode mode;
	int fd;                         /* /dev/sev, every command's sev_fd */
	uint64_t features;              /* KVM_SEV_INIT2.vmsa_features */
	uint32_t handle;                /* SEV/SEV-ES: LAUNCH_START's */
	unsigned vmsas;                 /* vCPUs whose VMSA registers are set */
	/* SNP, read while planning so that bad files are bad input. */
	uint8_t *id_block, *id_auth;
	uint8_t *certs;
	size_t certs_len;
};

extern const struct tee_ops tee_sev, tee_sev_es, tee_snp;

/* KVM_MEMORY_ENCRYPT_OP command ID with DATA on VM's fd; -1 with errno
 * and *FW the firmware status (0 when KVM refused before the firmware
 * ran), no message: the caller names what failed with sev__fail(). */
int sev__cmd(struct vm *vm, uint32_t id, void *data, uint32_t *fw);
/* err__set_status(1): "WHAT: strerror(ERR), firmware error FW NAME". */
int sev__fail(const char *what, int err, uint32_t fw);
/* A KVM_X86_GRP_SEV attribute of /dev/kvm; -1 with errno (ENXIO: absent). */
int sev__attr(const struct kvm *k, uint64_t attr, uint64_t *val);

/* kvm-snp.c: the hooks only SNP has. */
int snp__vm_init(struct vm *vm);               /* after INIT2 */
int snp__load(struct vm *vm, const struct plan_op *op);
int snp__finalize(struct vm *vm);
bool snp__certs_exit(struct vcpu *v, bool *more);

#endif

/* The fake kernel's AMD SEV, SEV-ES and SEV-SNP VMs (KERNEL-RULES.md
 * sections 1, 2, 4 and 5; KVM-UAPI-ERRATA.md), and a fake secure processor
 * behind them that keeps its own launch digest: from the bytes it reads at
 * each command's uaddr (or the guest page it fills), the GPAs and page
 * types it is given, and the VMSA it builds from the vCPU registers exactly
 * as sev_es_sync_vmsa does.  SNP: the PAGE_INFO SHA-384 chain; SEV and
 * SEV-ES: the SHA-256 of every LAUNCH_UPDATE_DATA / UPDATE_VMSA payload,
 * which LAUNCH_MEASURE MACs with FAKE_SEV_TIK.
 *
 * fake-sev.c holds the VM side (the command dispatcher, the launch
 * commands, guest_memfd population, the firmware, KVM_RUN's gates);
 * fake-sev-vcpu.c the vCPU registers and the VMSA.  A test calls
 * fake__host_sev() after fake__install(). */
#ifndef CVM_TEST_FAKE_SEV_H
#define CVM_TEST_FAKE_SEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/unit/fake/fake-kvm.h"

/* The platform LAUNCH_MEASURE reports and MACs (SEV API). */
#define FAKE_SEV_API_MAJOR	1
#define FAKE_SEV_API_MINOR	55
#define FAKE_SEV_BUILD		21
extern const uint8_t fake_sev_tik[16];          /* the guest owner's TIK */
extern const uint8_t fake_sev_mnonce[16];

/* SEV features the host's KVM offers besides SNPActive (DebugSwap). */
#define FAKE_SEV_FEATURES	(1ull << 5)

/* A host with SEV, SEV-ES and SNP: VM types 2-4, private memory on SNP
 * VMs, /dev/sev, the KVM_X86_GRP_SEV attributes (VMSA features, policy
 * bits, certificate requests), SMT on.  Forgets the previous launch. */
void fake__host_sev(void);
/* The same without KVM_X86_SNP_POLICY_BITS and REQ_CERTS (a 6.12 host). */
void fake__host_sev_old(void);

/* ---- Faults the firmware is told to make -------------------------------- */

/* The firmware's SNP_LAUNCH_UPDATE of the page at GPA fails with ERROR
 * (SEV_RET_*): the first TIMES times, or always when TIMES is 0. */
void fake_sev__fail_page(uint64_t gpa, uint32_t error, unsigned times);
/* The firmware's CPUID policy clears BITS of register REG (0 eax .. 3 edx)
 * of leaf LEAF.INDEX in a CPUID page: a page it changes is rejected with
 * INVALID_PARAM and the corrected table copied back. */
void fake_sev__cpuid_clear(uint32_t leaf, uint32_t index, int reg, uint32_t bits);
/* The firmware's (SNP_)LAUNCH_FINISH fails with ERROR. */
void fake_sev__finish_fails(uint32_t error);

/* ---- What happened ------------------------------------------------------- */

/* One KVM_MEMORY_ENCRYPT_OP, as the fake saw it. */
struct fake_sev_call {
	uint32_t id;
	long ret;                       /* 0 or -errno */
	uint32_t error;                 /* cmd.error as written back */
	uint64_t gpa, len;              /* LAUNCH_UPDATE (SNP: gfn_start << 12) */
	uint8_t type;                   /* SNP LAUNCH_UPDATE page type */
	uint64_t policy;                /* LAUNCH_START */
};

/* Every command, in order (valid until fake__uninstall). */
const struct fake_sev_call *fake_sev__calls(size_t *n);
/* How many calls of command ID there were (FAKE_ANY: all). */
unsigned fake_sev__count(long id);
/* The launch digest of the last SEV VM, as the firmware has it: 48 bytes
 * (SNP) or 32 (the LD of SEV/SEV-ES); *LEN its size, 0 before a launch. */
const uint8_t *fake_sev__digest(size_t *len);
/* The VMSA the fake built for vCPU ID, or NULL. */
const uint8_t *fake_sev__vmsa(unsigned id);

/* What SNP_LAUNCH_FINISH gave the firmware. */
struct fake_sev_finish {
	bool done;
	bool id_block_en, auth_key_en;
	uint8_t id_block[96];
	uint8_t host_data[32];
};
const struct fake_sev_finish *fake_sev__finish(void);

/* ---- Inside the fake (fake-sev.c, fake-snp.c, fake-sev-vcpu.c) --------- */

struct obj;
struct fake_vcpu;
struct kvm_sev_cmd;
typedef struct evp_md_ctx_st EVP_MD_CTX;

#define FAKE_SEV_MAX_CALLS	4096
#define FAKE_SEV_MAX_RULES	8

enum fake_sev_guest { G_NONE, G_LUPDATE, G_LSECRET, G_RUNNING };

/* One SEV VM (KERNEL-RULES 4.0) and the firmware's guest context, in the
 * VM object's priv. */
struct sev_vm {
	bool inited;                    /* !need_init */
	bool es, snp;
	uint64_t features;              /* vmsa_features, | SNPActive on SNP */
	bool certs;
	bool started;                   /* snp_context, or a legacy handle */
	uint64_t policy;
	int fd;                         /* the /dev/sev LAUNCH_START used */
	enum fake_sev_guest state;      /* SEV/SEV-ES */
	uint8_t *rmp;                   /* SNP: assigned GFNs, a bit each */
	EVP_MD_CTX *ld_ctx;             /* SEV/SEV-ES: the running LD */
};

struct fake_sev_state {
	bool host, old_host;
	struct fake_sev_call calls[FAKE_SEV_MAX_CALLS];
	size_t ncalls;
	struct { uint64_t gpa; uint32_t error; unsigned times; } faults[FAKE_SEV_MAX_RULES];
	unsigned nfaults;
	struct { uint32_t leaf, index, bits; int reg; } cpuid[FAKE_SEV_MAX_RULES];
	unsigned ncpuid;
	uint32_t finish_error;
	uint8_t digest[48];
	size_t dlen;
	uint8_t vmsa[FAKE_MAX_VCPUS][4096];
	bool has_vmsa[FAKE_MAX_VCPUS];
	struct fake_sev_finish finish;
};

extern struct fake_sev_state sev;

/* The firmware's side (fake-sev.c). */
uint32_t fake_sev__page_fault(uint64_t gpa);
void fake_sev__measure_page(const uint8_t *page, uint8_t type, uint64_t gpa);
uint32_t fake_sev__check_cpuid(uint8_t *page);
/* KVM's side: GUP of a user range. */
bool fake_sev__user_ok(uint64_t addr, uint64_t len, bool write);
bool fake_sev__fd_ok(int fd);

/* fake-snp.c: the SNP commands (KERNEL-RULES 4.3-4.6). */
long fake_snp__launch_start(struct sev_vm *s, struct kvm_sev_cmd *c, struct fake_sev_call *log);
long fake_snp__launch_update(struct obj *vm, struct sev_vm *s, struct kvm_sev_cmd *c,
			     struct fake_sev_call *log);
long fake_snp__launch_finish(struct obj *vm, struct sev_vm *s, struct kvm_sev_cmd *c);
long fake_snp__enable_certs(const struct obj *vm, struct sev_vm *s);

/* fake-sev-vcpu.c. */
/* vCPU ID's VMSA as KVM syncs it for a VM with FEATURES (sev_features);
 * -EINVAL when it is protected already or debug state forbids it.  Marks
 * the vCPU protected on success. */
long fake_sev__sync_vmsa(unsigned id, uint64_t features, uint8_t *vmsa);
bool fake_sev__protected(unsigned id);
long fake_sev__vcpu_ioctl(struct obj *vcpu, unsigned long req, void *arg);
void fake_sev__vcpu_reset(struct fake_vcpu *v, unsigned id);
void fake_sev__vcpus_reset(void);

#endif

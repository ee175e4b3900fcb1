/* Inside the fake TDX: the state fake-tdx.c (launch) and fake-tdx-run.c
 * (the running TD) share, under fake.lock. */
#ifndef CVM_TEST_FAKE_TDX_INT_H
#define CVM_TEST_FAKE_TDX_INT_H

#include <openssl/evp.h>
#include <pthread.h>

#include "tests/unit/fake/fake-tdx.h"
#include "tests/unit/fake/fake.h"

enum { TD_CREATED, TD_INITIALIZED, TD_RUNNABLE };       /* fake_tdx_td.state */

#define FAKE_TDX_MAX_OPS 64
#define FAKE_EXIT_TD     0x7d00        /* a script step that is a TD op, not an exit */

enum td_op_kind { OP_CALL, OP_WRITE, OP_WAIT };

struct td_op {
	enum td_op_kind kind;
	struct fake_tdx_call call;      /* OP_CALL */
	uint64_t gpa;                   /* OP_WRITE, OP_WAIT */
	const void *data;               /* OP_WRITE */
	void *out;                      /* OP_WAIT */
	size_t len;
	unsigned nth;                   /* OP_WAIT: the interrupt awaited */
};

struct td_vcpu {
	bool x2apic;                    /* its SET_CPUID2 had CPUID.1:ECX.x2APIC */
	bool init;                      /* INIT_VCPU done */
	struct fake_tdx_call *call;     /* waiting for the VMM's answer */
	uint64_t map_next, map_end;     /* MapGPA in progress (guest GPAs) */
	uint64_t map_chunk;
};

struct td {
	struct fake_tdx_td pub;
	uint64_t shared;                /* the shared bit: 1 << (GPAW - 1) */
	struct kvm_cpuid_entry2 cpuid[MAX_CPUID];
	unsigned ncpuid;
	EVP_MD_CTX *mrtd;
	struct { uint64_t start, end; } *added;         /* pages added, as ranges */
	unsigned nadded;
	struct td_vcpu vcpus[FAKE_MAX_VCPUS];
};

/* The host's TDX module and the TD script: reset by fake__host_tdx(). */
struct fake_tdx_host {
	uint64_t attrs, xfam;
	bool ept5;
	int init_err;
	uint64_t init_hw;
	unsigned init_fails;
	uint64_t finalize_hw;
	uint64_t signal_page, pages_seen;
	struct td *last;
	struct td_op ops[FAKE_TDX_MAX_OPS];
	unsigned nops;
};

extern struct fake_tdx_host tdx_host;
/* Signalled on every KVM_SIGNAL_MSI a TD takes (with fake.lock). */
extern pthread_cond_t tdx_msi;

/* fake-tdx-run.c: KVM_RUN on a TD vCPU (fake_vm_type.run). */
bool fake_tdx__run(struct obj *vcpu, struct fake_vcpu *v, long *ret);

#endif

/* The fake kernel built for arm64 (fake.h says which files): what an arm64
 * test sets up and reads back beyond fake-kvm.h.  Arm CCA realms follow
 * the posted v14 series (ARM64.md; KERNEL-RULES has no realm section, so
 * fake-realm.c says where it decided), with a fake RMM behind them:
 *
 *   KVM_ARM_RMI_POPULATE: checks its arguments, creates the realm on the
 *   first call (RMI_REALM_CREATE with what v14 KVM passes: the VM type's
 *   IPA bits, LPA2 when the host runs with it, SHA-256), then per 4 KiB
 *   granule RMI_DATA_CREATE: the bytes at source_uaddr land in the
 *   guest_memfd and, with MEASURE, in the RIM;
 *   the first KVM_RUN: REC_CREATE of every vCPU in creation order from its
 *   registers (only vCPU 0 runnable), INIT_RIPAS over each guest_memfd
 *   memslot, REALM_ACTIVATE.
 *
 * The RMM keeps its own RIM (RMM 2.0: INIT_RIPAS is not measured), with
 * code of its own, so a test compares it with what measure/ replays. */
#ifndef CVM_TEST_FAKE_ARM64_H
#define CVM_TEST_FAKE_ARM64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/unit/fake/fake-kvm.h"

/* A host whose KVM has the CCA series: KVM_CAP_ARM_RMI, realm VMs with
 * private memory; resets the settings below. */
void fake__host_realm(void);
/* The host kernel runs with LPA2: 52-bit IPAs offered, LPA2 in every
 * realm's parameters (default off, 48 bits). */
void fake_realm__host_lpa2(bool on);
/* Each KVM_ARM_RMI_POPULATE does at most GRANULES 4 KiB granules and
 * returns the rest in its argument (0: all of them, the default). */
void fake_realm__populate_chunk(unsigned granules);
/* Call number NTH (from 0) succeeds having done nothing: a kernel that
 * makes no progress. */
void fake_realm__populate_stall(unsigned nth);
/* The DATA_CREATE of the granule at IPA fails (an RMI error): the call
 * returns what it did before it, or -ERR when that is nothing. */
void fake_realm__populate_fails(uint64_t ipa, int err);

enum fake_rmi {
	FAKE_RMI_REALM_CREATE, FAKE_RMI_DATA_CREATE, FAKE_RMI_REC_CREATE, FAKE_RMI_INIT_RIPAS,
	FAKE_RMI_REALM_ACTIVATE,
};

/* One RMI call the fake KVM made. */
struct fake_rmi_call {
	enum fake_rmi op;
	uint64_t ipa, top;      /* DATA_CREATE: the granule; INIT_RIPAS: [ipa, top) */
	bool measured;          /* DATA_CREATE with MEASURE, a runnable REC */
	unsigned vcpu;          /* REC_CREATE */
	uint64_t pc, x0;        /* REC_CREATE: the registers it took */
};

struct fake_realm {
	bool created, active;
	unsigned s2sz;
	uint64_t flags0;                /* PLAN_REALM_LPA2 ... as RmiRealmParams */
	uint8_t rim[32];                /* SHA-256: v14 creates no other */
	unsigned populates;             /* KVM_ARM_RMI_POPULATE calls that succeeded */
	struct fake_rmi_call *calls;
	size_t ncalls;
};

/* The realm of the last realm VM created, or NULL. */
const struct fake_realm *fake_realm__get(void);

#endif

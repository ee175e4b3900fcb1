/* The fake kernel's TDX (VM type 5, KERNEL-RULES section 6) and the fake
 * TDX module behind it: what a test sets up and reads back.
 *
 * The module keeps MRTD itself: each page KVM_TDX_INIT_MEM_REGION adds is
 * TDH.MEM.PAGE.ADD of its GPA and, with MEASURE, TDH.MR.EXTEND of each
 * 256-byte chunk of the bytes at source_addr; FINALIZE ends the digest.
 * The page also lands in the guest_memfd, so a test sees private memory.
 *
 * A running TD is scripted with TD steps between the ordinary ones
 * (fake-kvm.h): a TDVMCALL as the guest makes it, which KVM answers itself
 * or turns into the exits of section 6.10 (completed by the VMM's answer
 * on the next KVM_RUN, as KVM does); a guest write into shared memory; a
 * wait for the event-notify interrupt. */
#ifndef CVM_TEST_FAKE_TDX_H
#define CVM_TEST_FAKE_TDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_TDX_MAX_REGIONS 64

/* A host whose KVM offers TDX VMs (types default and TDX, private memory);
 * resets every TDX setting and TD step below. */
void fake__host_tdx(void);

/* ---- The host's TDX module ---------------------------------------------- */

/* KVM_TDX_CAPABILITIES' supported attributes and XFAM (defaults:
 * SEPT_VE_DISABLE, 0x2e7). */
void fake_tdx__caps(uint64_t attrs, uint64_t xfam);
/* 5-level EPT: whether INIT_VM takes a GPA width of 52 (default no). */
void fake_tdx__ept5(bool on);
/* The next TIMES INIT_VMs fail with ERR (EAGAIN: the RNG; EINVAL with
 * HW_ERROR: TDH.MNG.INIT's OPERAND_INVALID). */
void fake_tdx__init_vm_fails(int err, uint64_t hw_error, unsigned times);
/* FINALIZE fails once with HW_ERROR (OPERAND_BUSY: -EBUSY, else -EIO). */
void fake_tdx__finalize_fails(uint64_t hw_error);
/* A signal arrives before INIT_MEM_REGION's page number PAGE (counted over
 * the whole launch, from 0): that call stops with -EINTR. */
void fake_tdx__signal_at_page(uint64_t page);

#define TDX_OPERAND_BUSY	0x8000020000000000ull
#define TDX_OPERAND_INVALID	0xc000010000000000ull

/* ---- What the launch did ------------------------------------------------ */

struct fake_tdx_region {                /* one KVM_TDX_INIT_MEM_REGION call */
	unsigned vcpu;
	uint64_t gpa, nr_pages;         /* as passed */
	bool measure;
	int err;                        /* 0 or the errno it returned */
	uint64_t pages_done;
};

struct fake_tdx_td {
	int state;                      /* 0 created, 1 INIT_VM done, 2 FINALIZE done */
	uint64_t attributes, xfam;
	unsigned gpaw;
	uint8_t mrconfigid[48], mrowner[48], mrownerconfig[48];
	uint8_t mrtd[48];               /* valid once finalized */
	uint64_t pages_added, pages_extended;
	struct fake_tdx_region regions[FAKE_TDX_MAX_REGIONS];
	unsigned nregions;
	uint64_t vcpu_rcx[8];           /* INIT_VCPU's data, per vCPU id */
	bool vcpu_init[8];
	unsigned msis;                  /* KVM_SIGNAL_MSI calls */
	uint32_t msi_vector, msi_dest;  /* the last one */
};

/* The last TD created (NULL if none); valid until fake__uninstall(). */
const struct fake_tdx_td *fake_tdx__td(void);

/* ---- The guest ---------------------------------------------------------- */

struct fake_tdx_call {
	/* In: the guest's registers.  r10 = 0 is a TDVMCALL with its leaf in
	 * r11; anything else a KVM hypercall (nr r10, arguments r11..r14).
	 * ReportFatalError also passes regs[], the 16 GPRs (RAX = the
	 * TDH.VP.ENTER status). */
	uint64_t r10, r11, r12, r13, r14, r15;
	uint64_t regs[16];
	/* Out: what the guest got back, once done. */
	bool done;
	bool exited;                    /* KVM went to the VMM on the way */
	unsigned exits;
	uint64_t out_r10, out_r11, out_r12, out_r13, out_r14;
	int run_err;                    /* KVM_RUN failed on completion (errno) */
};

/* A TDVMCALL step on VCPU: LEAF with R12, R13 (r10 = 0).  The result is
 * filled in as KVM would answer the guest; it lives until fake__host_tdx()
 * or fake__uninstall(). */
struct fake_tdx_call *fake_tdx__call(unsigned vcpu, uint64_t leaf, uint64_t r12, uint64_t r13);
/* The guest writes LEN bytes of DATA (kept by the caller) at shared GPA. */
void fake_tdx__write(unsigned vcpu, uint64_t gpa, const void *data, size_t len);
/* The guest waits (at most 10 s) until the NTH event-notify interrupt
 * (counted from 1) has arrived, then copies LEN bytes of shared memory at
 * GPA into OUT (kept by the caller). */
void fake_tdx__wait_notify(unsigned vcpu, unsigned nth, uint64_t gpa, void *out, size_t len);

#endif

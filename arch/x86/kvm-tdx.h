/* The Intel TDX backend's state, shared by its two files: kvm-tdx.c
 * launches the TD (KERNEL-RULES 6.9 order: INIT_VM, split irqchip, vCPUs
 * with SET_CPUID2 then INIT_VCPU, INIT_MEM_REGION per TDVF section,
 * FINALIZE); kvm-tdx-exit.c serves the TDVMCALLs KVM hands to userspace
 * while it runs (GetQuote relayed to a QGS, GetTdVmCallInfo,
 * SetupEventNotifyInterrupt, ReportFatalError).  MapGPA is not here: it
 * arrives as KVM_HC_MAP_GPA_RANGE and goes to the conversion engine. */
#ifndef CVM_X86_KVM_TDX_H
#define CVM_X86_KVM_TDX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/kvm-abi.h"
#include "arch/x86/tdx-qgs.h"
#include "loader/tdx.h"
#include "measure/tdvf-events.h"
#include "vmm/staging.h"

#define TDX_MR_SIZE     48      /* MRCONFIGID, MROWNER, MROWNERCONFIG: SHA-384 */
#define TDX_MAX_QUOTES  16      /* GetQuote relays in flight, as QEMU */

struct vcpu;
struct vm;
struct tdx_quote;

struct tdx_state {
	struct tdx_layout layout;       /* the firmware, its sections, the TD HOB */
	enum tdvf_separator separator;  /* --tdx-separator: --dry-run's RTMR0/1 */
	uint8_t mr[3][TDX_MR_SIZE];     /* MRCONFIGID, MROWNER, MROWNERCONFIG */
	struct tdx_qgs_addr qgs;        /* family 0: no QGS */
	struct kvm_tdx_capabilities *caps;
	struct staging staging;         /* page-aligned INIT_MEM_REGION source */

	/* Run time, under lock. */
	pthread_mutex_t lock;
	uint32_t notify_vector;         /* SetupEventNotifyInterrupt; 0: none */
	uint32_t notify_apic;
	struct tdx_quote *quotes[TDX_MAX_QUOTES];
	bool stopping;                  /* no new relays; running ones shut down */
};

/* KVM_EXIT_TDX and KVM_SYSTEM_EVENT_TDX_FATAL: the backend's handle_exit. */
bool tdx__handle_exit(struct vcpu *v, bool *more);
/* Ends every GetQuote relay and waits for it (before guest memory goes). */
void tdx__quotes_exit(struct tdx_state *s);

#endif

/* Guest-written formats of Intel's GHCI that the VMM reads from a TD: the
 * GetQuote buffer header and the registers of ReportFatalError.  Pure
 * parsers of untrusted bytes (the guest is hostile), with fuzz targets. */
#ifndef CVM_X86_TDX_GHCI_H
#define CVM_X86_TDX_GHCI_H

#include <stddef.h>
#include <stdint.h>

/* TDVMCALL sub-functions (r11; KVM_EXIT_TDX nr) and the status codes the
 * VMM answers with (GHCI; kernel names from asm/shared/tdx.h). */
#define TDVMCALL_GET_TD_VM_CALL_INFO		0x10000
#define TDVMCALL_MAP_GPA			0x10001
#define TDVMCALL_GET_QUOTE			0x10002
#define TDVMCALL_REPORT_FATAL_ERROR		0x10003
#define TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT	0x10004

#define TDVMCALL_STATUS_SUCCESS			0x0000000000000000ULL
#define TDVMCALL_STATUS_RETRY			0x0000000000000001ULL
#define TDVMCALL_STATUS_INVALID_OPERAND		0x8000000000000000ULL
#define TDVMCALL_STATUS_GPA_INUSE		0x8000000000000001ULL	/* GHCI only */
#define TDVMCALL_STATUS_ALIGN_ERROR		0x8000000000000002ULL
#define TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED	0x8000000000000003ULL

/* GetTdVmCallInfo leaf 1, R11: the optional TDVMCALLs the host serves. */
#define TDVMCALLINFO_SETUP_EVENT_NOTIFY_INTERRUPT (1ull << 1)

/* The GetQuote buffer: this header, then the message (TDREPORT in, quote
 * out), in shared guest memory.  All fields little-endian. */
#define TDX_QUOTE_HDR           24
#define TDX_QUOTE_VERSION       1
#define TDX_QUOTE_MAX           (128u << 10)    /* largest buffer relayed, as QEMU */

/* Header status values (GHCI 3.3, QEMU's TDX_VP_GET_QUOTE_*). */
#define TDX_QUOTE_SUCCESS         0x0ull
#define TDX_QUOTE_IN_FLIGHT       0xffffffffffffffffull
#define TDX_QUOTE_ERROR           0x8000000000000000ull
#define TDX_QUOTE_QGS_UNAVAILABLE 0x8000000000000001ull

struct tdx_quote_hdr {
	uint64_t version;
	uint64_t status;        /* error_code */
	uint32_t in_len;        /* bytes of request after the header */
	uint32_t out_len;       /* bytes of quote after the header, on return */
};

/* Checks a GetQuote request: BUF holds the first TDX_QUOTE_HDR bytes of a
 * SIZE-byte buffer at GPA.  Returns the TDVMCALL status to give the guest
 * when the request is unusable (INVALID_OPERAND, ALIGN_ERROR), else
 * TDVMCALL_STATUS_SUCCESS with *H filled. */
uint64_t tdx_ghci__quote_request(uint64_t gpa, uint64_t size, const uint8_t *buf,
				 struct tdx_quote_hdr *h);
/* Writes H's status and out_len fields into the header at BUF. */
void tdx_ghci__quote_put(uint8_t *buf, uint64_t status, uint32_t out_len);

/* ReportFatalError as KVM reports it (KVM_SYSTEM_EVENT_TDX_FATAL): NDATA
 * values of DATA are the 16 GPRs in x86 order (ERRATA row 18).  Writes one
 * line into OUT: the error code (R12), the guest's message (the registers
 * RCX selects: R14, R15, RBX, RDI, RSI, R8, R9, RDX; printable ASCII only)
 * and the GPA (R13) when bit 63 of the code says it is valid. */
void tdx_ghci__fatal(const uint64_t *data, uint32_t ndata, char *out, size_t len);

#endif

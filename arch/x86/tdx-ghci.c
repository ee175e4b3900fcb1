#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86/tdx-ghci.h"
#include "loader/bytes.h"

#define PAGE_MASK 0xfffull

/* x86 GPR numbers, the order of kvm_run.system_event.data[]. */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

#define FATAL_GPA_VALID (1ull << 63)

uint64_t tdx_ghci__quote_request(uint64_t gpa, uint64_t size, const uint8_t *buf,
				 struct tdx_quote_hdr *h)
{
	if (size == 0)
		return TDVMCALL_STATUS_INVALID_OPERAND;
	if ((gpa | size) & PAGE_MASK)
		return TDVMCALL_STATUS_ALIGN_ERROR;
	if (size > TDX_QUOTE_MAX)
		return TDVMCALL_STATUS_INVALID_OPERAND;
	h->version = bytes__get_le(buf, 8);
	h->status = bytes__get_le(buf + 8, 8);
	h->in_len = (uint32_t)bytes__get_le(buf + 16, 4);
	h->out_len = (uint32_t)bytes__get_le(buf + 20, 4);
	if (h->version != TDX_QUOTE_VERSION || h->in_len > size - TDX_QUOTE_HDR)
		return TDVMCALL_STATUS_INVALID_OPERAND;
	return TDVMCALL_STATUS_SUCCESS;
}

void tdx_ghci__quote_put(uint8_t *buf, uint64_t status, uint32_t out_len)
{
	bytes__put_le(buf + 20, 4, out_len);
	/* The guest polls the status: the length must be visible first. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	bytes__put_le(buf + 8, 8, status);
}

void tdx_ghci__fatal(const uint64_t *data, uint32_t ndata, char *out, size_t len)
{
	static const int msg_regs[] = { R14, R15, RBX, RDI, RSI, R8, R9, RDX };
	char msg[8 * 8 + 1];
	size_t m = 0, off;
	uint64_t code, mask;
	bool end = false;

	if (ndata < R13 + 1) {
		snprintf(out, len, "guest reported a fatal error (%u registers, expected 16)", ndata);
		return;
	}
	code = data[R12];
	mask = data[RCX];
	for (size_t i = 0; i < sizeof(msg_regs) / sizeof(msg_regs[0]) && !end; i++) {
		if (!(mask & (1ull << msg_regs[i])) || (uint32_t)msg_regs[i] >= ndata)
			continue;
		for (int b = 0; b < 8 && !end; b++) {
			char c = (char)(data[msg_regs[i]] >> (8 * b));

			if (!c)
				end = true;
			else
				msg[m++] = c >= 0x20 && c < 0x7f ? c : '?';
		}
	}
	msg[m] = 0;
	off = snprintf(out, len, "guest reported a fatal error: code %#llx", (unsigned long long)code);
	if (m && off < len)
		off += snprintf(out + off, len - off, ", \"%s\"", msg);
	if ((code & FATAL_GPA_VALID) && off < len)
		snprintf(out + off, len - off, ", gpa %#llx", (unsigned long long)data[R13]);
}

/* What a hostile TD writes for cvm-run to read (arch/x86/tdx-ghci.c): a
 * GetQuote buffer's header at any GPA and size, and ReportFatalError's
 * registers.  The fatal-error line must stay in its buffer and printable. */
#include <ctype.h>

#include "arch/x86/tdx-ghci.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[TDX_QUOTE_HDR] = { 0 };
	uint64_t regs[16] = { 0 };
	struct tdx_quote_hdr h;
	char line[512];
	uint64_t gpa, len, st;
	uint32_t ndata;

	if (size < 17)
		return 0;
	gpa = fuzz__take(&data, &size, 8);
	len = fuzz__take(&data, &size, 8);
	ndata = fuzz__take(&data, &size, 1) % 17;
	memcpy(hdr, data, size < sizeof(hdr) ? size : sizeof(hdr));
	st = tdx_ghci__quote_request(gpa, len, hdr, &h);
	if (st == TDVMCALL_STATUS_SUCCESS) {
		if ((uint64_t)h.in_len + TDX_QUOTE_HDR > len || len > TDX_QUOTE_MAX)
			__builtin_trap();   /* a request longer than its buffer was accepted */
		tdx_ghci__quote_put(hdr, TDX_QUOTE_ERROR, 0);
	}
	memcpy(regs, data, size < sizeof(regs) ? size : sizeof(regs));
	memset(line, 0x7f, sizeof(line));
	tdx_ghci__fatal(regs, ndata, line, sizeof(line));
	for (const char *p = line; *p; p++)
		if (p == line + sizeof(line) - 1 || !isprint((unsigned char)*p))
			__builtin_trap();
	return 0;
}

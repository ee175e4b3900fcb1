/* The TD HOB built from TDVF sections and QEMU q35's RAM for a memory size
 * (the first 8 bytes), into the largest buffer it may need. */
#include "arch/x86/td-hob.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t hob[TD_HOB_MAX_SIZE];
	uint64_t mem = fuzz__take(&data, &size, 8) & ((1ull << 52) - 1);
	struct x86_ram_range ram[2];
	size_t nram = td_hob__q35_ram(mem, ram);
	const struct tdvf_section *s;
	struct tdvf t;
	struct ovmf o;
	size_t len;

	if (ovmf__parse(&o, "fw.fd", data, size) < 0 || tdvf__parse(&t, &o, true) < 0)
		return 0;
	s = tdvf__find(&t, TDVF_TD_HOB);
	if (!s)
		return 0;
	if (td_hob__build(&t, ram, nram, hob,
			  s->mem_size < sizeof(hob) ? s->mem_size : sizeof(hob), &len) == 0 &&
	    len > sizeof(hob))
		__builtin_trap();
	return 0;
}

#include "arch/x86/memmap.h"

size_t x86__ram_ranges(uint64_t mem, struct x86_ram_range out[2])
{
	uint64_t low = mem < X86_MMIO_HOLE ? mem : X86_MMIO_HOLE;

	out[0].start = 0;
	out[0].size = low;
	if (mem <= low)
		return 1;
	out[1].start = X86_4G;
	out[1].size = mem - low;
	return 2;
}

#include "arch/arm64/memmap.h"

unsigned arm64__ipa_bits(uint64_t mem)
{
	/* KVM refuses IPA sizes below 32 bits; the map's devices fit in 32. */
	unsigned bits = 32;

	if (mem > (1ull << ARM64_IPA_MAX_BITS) - ARM64_RAM_BASE)
		return 0;
	while (bits < ARM64_IPA_MAX_BITS && ARM64_RAM_BASE + mem > 1ull << bits)
		bits++;
	return bits;
}

/* The PL011 register model (arm64's console): guest MMIO accesses (offset,
 * size, direction, value) and host input, in the order the input gives
 * them.  The interrupt line may only be driven to 0 or 1. */
#include "tests/fuzz/fuzz.h"
#include "vmm/pl011.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pl011_ops ops = { fuzz__tx, fuzz__irq };
	struct pl011 u;

	pl011__init(&u, &ops, NULL);
	/* Each step: flags (input, write, size), offset, four value bytes. */
	while (size >= 6) {
		uint8_t flags = data[0], v[8] = { 0 };

		memcpy(v, data + 2, 4);
		if (flags & 0x80)
			pl011__input(&u, v[0]);
		else
			pl011__mmio(&u, (uint64_t)data[1] << (flags & 4 ? 4 : 0), flags & 1, v,
				    1u << (flags >> 1 & 3));
		data += 6;
		size -= 6;
	}
	pl011__exit(&u);
	return 0;
}

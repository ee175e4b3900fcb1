/* The 16550A register model: guest port accesses (offset, direction,
 * value) and host input, in the order the input gives them. */
#include "tests/fuzz/fuzz.h"
#include "vmm/uart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct uart_ops ops = { fuzz__tx, fuzz__irq };
	struct uart u;

	uart__init(&u, &ops, NULL);
	while (size >= 2) {
		uint8_t op = data[0], v = data[1];

		data += 2;
		size -= 2;
		if (op & 0x80)
			uart__input(&u, v);
		else
			uart__io(&u, op & 7, op & 8, &v);
	}
	uart__exit(&u);
	return 0;
}

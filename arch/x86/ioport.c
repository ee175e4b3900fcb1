/* The x86 port map of the plain VM.  The PIC, PIT and speaker port live in
 * KVM; here: COM1, the debug-exit port and the two reset paths. */
#include <string.h>

#include "vmm/arch.h"
#include "vmm/vm.h"

#define DEBUG_EXIT    0xf4      /* the byte written becomes the exit status */
#define I8042_DATA    0x60
#define I8042_CMD     0x64
#define I8042_RESET   0xfe      /* pulse the reset line: Linux reboot=k */
#define RESET_CONTROL 0xcf9     /* Linux reboot=pci: bit 2 resets */

void arch__io(struct vm *vm, uint16_t port, int is_write, uint8_t *data, int size)
{
	if (port >= UART_COM1_PORT && port < UART_COM1_PORT + UART_NR_PORTS) {
		/* A wide access touches consecutive registers, as on the bus. */
		for (int i = 0; i < size; i++) {
			if (port + i < UART_COM1_PORT + UART_NR_PORTS)
				uart__io(&vm->com1, port + i - UART_COM1_PORT, is_write, &data[i]);
			else if (!is_write)
				data[i] = 0xff;
		}
		return;
	}
	if (is_write) {
		if (port == DEBUG_EXIT)
			vm__exit(vm, data[0]);
		else if (port == I8042_CMD && data[0] == I8042_RESET)
			vm__stop(vm, 0, "guest reset (i8042)");
		else if (port == RESET_CONTROL && (data[0] & 0x4))
			vm__stop(vm, 0, "guest reset (port 0xcf9)");
		return;
	}
	/* An i8042 that is always idle (no data, input buffer empty) lets
	 * Linux's probe and its reboot path finish without spinning. */
	if (port == I8042_DATA || port == I8042_CMD)
		memset(data, 0, size);
	else
		memset(data, 0xff, size);
}

/* The x86 port devices of cvm-run's PC: COM1, the debug-exit port and the
 * two reset paths.  The PIC, PIT and speaker port live in KVM. */
#include <string.h>

#include "loader/error.h"
#include "vmm/arch.h"
#include "vmm/vm.h"

#define DEBUG_EXIT    0xf4      /* the byte written becomes the exit status */
#define I8042_DATA    0x60
#define I8042_CMD     0x64
#define I8042_RESET   0xfe      /* pulse the reset line: Linux reboot=k */
#define RESET_CONTROL 0xcf9     /* Linux reboot=pci: bit 2 resets */

static void com1_io(void *ctx, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	struct vm *vm = ctx;

	/* A wide access touches consecutive registers, as on the bus. */
	for (unsigned i = 0; i < size; i++) {
		if (off + i < UART_NR_PORTS)
			uart__io(&vm->arch.com1, off + i, is_write, &data[i]);
		else if (!is_write)
			data[i] = 0xff;
	}
}

static void com1_tx(void *ctx, uint8_t byte)
{
	struct vm *vm = ctx;

	console__tx(&vm->console, byte);
}

static void com1_irq(void *ctx, int level)
{
	arch__irq_line(ctx, UART_COM1_IRQ, level);
}

static bool com1_in(void *ctx, uint8_t byte)
{
	struct vm *vm = ctx;

	return uart__input(&vm->arch.com1, byte);
}

static const struct uart_ops com1_ops = { .tx = com1_tx, .irq = com1_irq };

static void debug_exit(void *ctx, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	(void)off;
	(void)size;
	if (is_write)
		vm__exit(ctx, data[0]);
	else
		data[0] = 0xff;
}

/* An i8042 that is always idle (no data, input buffer empty) lets Linux's
 * probe and its reboot path finish without spinning. */
static void i8042_data(void *ctx, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	(void)ctx;
	(void)off;
	if (!is_write)
		memset(data, 0, size);
}

static void i8042_cmd(void *ctx, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	i8042_data(ctx, off, is_write, data, size);
	if (is_write && data[0] == I8042_RESET)
		vm__guest_ended(ctx, "guest reset (i8042)");
}

static void reset_control(void *ctx, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	(void)off;
	if (!is_write)
		memset(data, 0xff, size);
	else if (data[0] & 0x4)
		vm__guest_ended(ctx, "guest reset (port 0xcf9)");
}

int x86__ioport_init(struct vm *vm)
{
	uart__init(&vm->arch.com1, &com1_ops, vm);
	vm->arch.com1_ready = true;
	vm->console_in = com1_in;
	vm->console_in_ctx = vm;
	return io__register(&vm->io, IO_PIO, UART_COM1_PORT, UART_NR_PORTS, com1_io, vm) < 0 ||
	       io__register(&vm->io, IO_PIO, DEBUG_EXIT, 1, debug_exit, vm) < 0 ||
	       io__register(&vm->io, IO_PIO, I8042_DATA, 1, i8042_data, vm) < 0 ||
	       io__register(&vm->io, IO_PIO, I8042_CMD, 1, i8042_cmd, vm) < 0 ||
	       io__register(&vm->io, IO_PIO, RESET_CONTROL, 1, reset_control, vm) < 0 ? -1 : 0;
}

void x86__ioport_exit(struct vm *vm)
{
	if (vm->arch.com1_ready)
		uart__exit(&vm->arch.com1);
	vm->arch.com1_ready = false;
}

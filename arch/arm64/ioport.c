/* The MMIO devices of cvm-run's arm64 machine (arch/arm64/memmap.h): the
 * PL011 console and the debug-exit register.  Neither reads guest memory:
 * what the guest writes arrives in kvm_run, which a protected VM's data
 * never has to leave. */
#include <string.h>

#include "arch/arm64/memmap.h"
#include "vmm/arch.h"
#include "vmm/vm.h"

static void uart_tx(void *ctx, uint8_t byte)
{
	struct vm *vm = ctx;

	console__tx(&vm->console, byte);
}

static void uart_irq(void *ctx, int level)
{
	arch__irq_line(ctx, ARM64_SPI_INTID(ARM64_UART_SPI), level);
}

static bool uart_in(void *ctx, uint8_t byte)
{
	struct vm *vm = ctx;

	return pl011__input(&vm->arch.uart, byte);
}

static const struct pl011_ops uart_ops = { .tx = uart_tx, .irq = uart_irq };

/* A byte written anywhere in the page ends the VM with it; reads are 0. */
static void debug_exit(void *ctx, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	(void)off;
	if (is_write)
		vm__exit(ctx, data[0]);
	else
		memset(data, 0, size);
}

int arm64__io_init(struct vm *vm)
{
	pl011__init(&vm->arch.uart, &uart_ops, vm);
	vm->arch.uart_ready = true;
	vm->console_in = uart_in;
	vm->console_in_ctx = vm;
	return io__register(&vm->io, IO_MMIO, ARM64_UART_BASE, ARM64_UART_SIZE, pl011__mmio,
			    &vm->arch.uart) < 0 ||
	       io__register(&vm->io, IO_MMIO, ARM64_DEBUG_EXIT_BASE, ARM64_DEBUG_EXIT_SIZE,
			    debug_exit, vm) < 0 ? -1 : 0;
}

void arm64__io_exit(struct vm *vm)
{
	if (vm->arch.uart_ready)
		pl011__exit(&vm->arch.uart);
	vm->arch.uart_ready = false;
}

/* The PL011 writes to the console, which vmm/ opens: nothing of its own. */
int arch__vm_ready(struct vm *vm)
{
	(void)vm;
	return 0;
}

/* The x86 port devices of cvm-run's PC: COM1, the debug-exit port, the
 * i8042's reset, and the i440FX + PIIX4 ports the ACPI tables describe
 * (PCI configuration with the reset register, the ACPI PM block, the
 * CMOS RTC) on every VM; fw_cfg only when the plan has fw_cfg items (a
 * firmware boot), the debug console only with --firmware-log.  The PIC,
 * PIT and speaker port live in KVM. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "arch/x86/memmap.h"
#include "loader/error.h"
#include "loader/outfile.h"
#include "vmm/arch.h"
#include "vmm/vm.h"

#define DEBUG_EXIT    0xf4      /* the byte written becomes the exit status */
#define I8042_DATA    0x60
#define I8042_CMD     0x64
#define I8042_RESET   0xfe      /* pulse the reset line: Linux reboot=k */

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

/* Through the PIIX reset control register 0xcf9 (bit 2): Linux's
 * reboot=pci and the FADT's reset register. */
static void pc_reset(void *ctx)
{
	vm__guest_ended(ctx, "guest reset (port 0xcf9)");
}

/* SLP_EN with _S5's sleep type in PM1a control. */
static void pc_poweroff(void *ctx)
{
	vm__guest_ended(ctx, "guest powered off");
}

static const struct pci_host_ops pci_ops = { .reset = pc_reset };
static const struct acpi_pm_ops pm_ops = { .poweroff = pc_poweroff,
					   .clock_ns = acpi_pm__host_clock };

/* fw_cfg DMA reaches guest RAM only (not the firmware's ROM). */
static void *fw_cfg_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
	struct vm *vm = ctx;

	return guest__ptr(&vm->mem, gpa, len);
}

/* Line-buffered (arch__vm_ready): a write error shows at the line it
 * happens and ends the run, as the console's does. */
static void fw_log_out(void *ctx, uint8_t byte)
{
	struct vm *vm = ctx;

	if (putc(byte, vm->arch.fw_log) == EOF)
		vm__stop(vm, CVM_EXIT_FAIL, "--firmware-log %s: %s", vm->cfg->firmware_log,
			 strerror(errno));
}

/* The ports the i440FX + PIIX4 machine and its ACPI tables promise. */
static int pc_init(struct vm *vm)
{
	struct vm_arch *a = &vm->arch;

	pci_host__init(&a->pci, &pci_ops, vm);
	acpi_pm__init(&a->pm, &pm_ops, vm);
	cmos__init(&a->cmos, vm->cfg->mem, cmos__host_clock, NULL);
	a->pc_ready = true;
	if (io__register(&vm->io, IO_PIO, X86_PORT_PCI_CONFIG, X86_PORT_PCI_CONFIG_LEN,
			 pci_host__io, &a->pci) < 0 ||
	    io__register(&vm->io, IO_PIO, X86_PORT_ACPI_PM, X86_PORT_ACPI_PM_LEN, acpi_pm__io,
			 &a->pm) < 0 ||
	    io__register(&vm->io, IO_PIO, X86_PORT_CMOS, X86_PORT_CMOS_LEN, cmos__io, &a->cmos) < 0)
		return -1;
	if (vm->plan.fw_cfg.n) {
		struct fw_cfg_guest g = { .ptr = fw_cfg_ptr, .ctx = vm };

		if (fw_cfg__init(&a->fw_cfg, vm->plan.fw_cfg.items, vm->plan.fw_cfg.n, &g) < 0)
			return -1;
		a->fw_cfg_ready = true;
		if (io__register(&vm->io, IO_PIO, X86_PORT_FW_CFG, X86_PORT_FW_CFG_LEN, fw_cfg__io,
				 &a->fw_cfg) < 0)
			return -1;
	}
	if (!vm->cfg->firmware_log)
		return 0;
	/* The file itself is opened by arch__vm_ready. */
	a->debugcon = (struct debugcon){ .out = fw_log_out, .ctx = vm };
	return io__register(&vm->io, IO_PIO, X86_PORT_DEBUGCON, 1, debugcon__io, &a->debugcon);
}

int arch__vm_ready(struct vm *vm)
{
	int fd;

	if (!vm->cfg->firmware_log)
		return 0;
	fd = outfile__open_stream("--firmware-log ", vm->cfg->firmware_log);
	if (fd < 0)
		return -1;
	vm->arch.fw_log = fdopen(fd, "w");
	if (!vm->arch.fw_log) {
		close(fd);
		return err__set("--firmware-log %s: %s", vm->cfg->firmware_log, strerror(errno));
	}
	setvbuf(vm->arch.fw_log, NULL, _IOLBF, 0);
	return 0;
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
	       pc_init(vm) < 0 ? -1 : 0;
}

void x86__ioport_exit(struct vm *vm)
{
	if (vm->arch.com1_ready)
		uart__exit(&vm->arch.com1);
	vm->arch.com1_ready = false;
	if (vm->arch.fw_cfg_ready)
		fw_cfg__exit(&vm->arch.fw_cfg);
	vm->arch.fw_cfg_ready = false;
	if (vm->arch.pc_ready) {
		pci_host__exit(&vm->arch.pci);
		acpi_pm__exit(&vm->arch.pm);
		cmos__exit(&vm->arch.cmos);
	}
	vm->arch.pc_ready = false;
	if (vm->arch.fw_log)
		fclose(vm->arch.fw_log);
	vm->arch.fw_log = NULL;
}

#include <string.h>

#include "arch/x86/memmap.h"
#include "arch/x86/pci-host.h"
#include "loader/bytes.h"

#define CONFIG_DATA   4
#define ADDR_ENABLE   0x80000000u
#define ADDR_MASK     0x80fffffcu       /* enable, bus, device, function, register */

/* Type-0 configuration headers (PCI 3.0, 6.1), little-endian.  The values
 * are the real parts' (Intel 82441FX and 82371AB data sheets). */
static const uint8_t i440fx[] = {
	[0x00] = 0x86, 0x80, 0x37, 0x12,        /* vendor, device */
	[0x08] = 0x02,                          /* revision */
	[0x0a] = 0x00, 0x06,                    /* class: host bridge */
};

static const uint8_t piix4_pm[] = {
	[0x00] = 0x86, 0x80, 0x13, 0x71,
	[0x04] = 0x01,                          /* command: I/O space */
	[0x08] = 0x03,
	[0x0a] = 0x80, 0x06,                    /* class: other bridge */
	[0x3c] = X86_ACPI_SCI_IRQ, 0x01,        /* interrupt line (SCI), pin A */
	[PIIX4_PMBA] = (X86_PORT_ACPI_PM & 0xff) | 1, X86_PORT_ACPI_PM >> 8,  /* bit 0: I/O */
	[PIIX4_PMREGMISC] = 0x01,               /* PMIOSE: the PMBA decodes */
};

_Static_assert(X86_PORT_ACPI_PM % 64 == 0, "PMBA is 64-byte aligned");

void pci_host__init(struct pci_host *h, const struct pci_host_ops *ops, void *ctx)
{
	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	h->ops = ops;
	h->ctx = ctx;
}

void pci_host__exit(struct pci_host *h)
{
	pthread_mutex_destroy(&h->lock);
}

/* Byte REG of the function CONFIG_ADDRESS selects: bus 0 only. */
static uint8_t config_byte(uint32_t address, unsigned reg)
{
	unsigned bus = address >> 16 & 0xff, devfn = address >> 8 & 0xff;
	const uint8_t *cfg = NULL;
	size_t len = 0;

	if (!(address & ADDR_ENABLE) || bus)
		return 0xff;
	if (devfn == 0) {
		cfg = i440fx;
		len = sizeof(i440fx);
	} else if (devfn == PIIX4_PM_DEVFN) {
		cfg = piix4_pm;
		len = sizeof(piix4_pm);
	} else {
		return 0xff;
	}
	return reg < len ? cfg[reg] : 0;
}

void pci_host__io(void *ctx, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	struct pci_host *h = ctx;

	pthread_mutex_lock(&h->lock);
	if (offset == 0 && size == 4) {
		if (is_write)
			h->address = bytes__get_le(data, 4) & ADDR_MASK;
		else
			bytes__put_le(data, 4, h->address);
	} else if (offset == PCI_HOST_RESET_CONTROL && size == 1) {
		if (!is_write) {
			data[0] = h->reset_control;
		} else {
			h->reset_control = data[0] & ~PCI_HOST_RESET_CPU;
			if (data[0] & PCI_HOST_RESET_CPU)
				h->ops->reset(h->ctx);
		}
	} else if (offset >= CONFIG_DATA && offset < X86_PORT_PCI_CONFIG_LEN &&
		   size <= X86_PORT_PCI_CONFIG_LEN - offset) {
		/* A read of SIZE bytes at 0xcfc + n is register (reg + n). */
		for (unsigned i = 0; i < size && !is_write; i++)
			data[i] = config_byte(h->address, (h->address & 0xfc) + offset - CONFIG_DATA + i);
	} else if (!is_write) {
		memset(data, 0xff, size);
	}
	pthread_mutex_unlock(&h->lock);
}

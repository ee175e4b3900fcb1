/* PCI configuration mechanism #1 (ports 0xcf8/0xcfc) of the i440FX + PIIX4
 * machine, as a pure model, with the PIIX reset control register (0xcf9)
 * that lives inside the same port range.
 *
 * Two functions answer, both read-only: the i440FX host bridge at 00:00.0,
 * whose device id tells OVMF (PlatformPei, AcpiTimerLib, BdsPlatform) which
 * machine this is, and the PIIX4 power-management function at 00:01.3,
 * whose PMBA reads as X86_PORT_ACPI_PM with I/O decoding already enabled
 * (PMREGMISC.PMIOSE), so firmware finds the ACPI PM block configured and
 * never moves it.  00:01.0 is absent, so bus scans by OVMF and Linux see
 * only the host bridge, which has no BARs.  Everything else reads as
 * all-ones; configuration writes are dropped.
 *
 * Writing the reset control register with bit 2 (RST_CPU) set calls
 * ops->reset: Linux's reboot=pci and ACPI reset register, OVMF's
 * ResetCold. */
#ifndef CVM_X86_PCI_HOST_H
#define CVM_X86_PCI_HOST_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define PCI_HOST_RESET_CONTROL 1        /* 0xcf9, offset from X86_PORT_PCI_CONFIG */
#define PCI_HOST_RESET_CPU     0x04
#define PCI_HOST_RESET_VALUE   0x06     /* SYS_RST | RST_CPU: the FADT's reset value */

#define PCI_VENDOR_INTEL       0x8086
#define PCI_DEVICE_I440FX      0x1237   /* OVMF's INTEL_82441_DEVICE_ID */
#define PCI_DEVICE_PIIX4_PM    0x7113
#define PIIX4_PM_DEVFN         ((1 << 3) | 3)
#define PIIX4_PMBA             0x40
#define PIIX4_PMREGMISC        0x80

struct pci_host_ops {
	void (*reset)(void *ctx);       /* called with the model's lock held */
};

struct pci_host {
	pthread_mutex_t lock;
	const struct pci_host_ops *ops;
	void *ctx;
	uint32_t address;               /* CONFIG_ADDRESS */
	uint8_t reset_control;
};

void pci_host__init(struct pci_host *h, const struct pci_host_ops *ops, void *ctx);
void pci_host__exit(struct pci_host *h);
/* A guest access at OFFSET (0..7 from 0xcf8) of SIZE bytes; the I/O table's
 * handler, CTX being the struct pci_host.  CONFIG_ADDRESS takes 32-bit
 * accesses only; CONFIG_DATA any width at 0xcfc-0xcff. */
void pci_host__io(void *ctx, uint64_t offset, bool is_write, uint8_t *data, unsigned size);

#endif

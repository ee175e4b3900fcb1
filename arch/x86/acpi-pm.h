/* The PIIX4 ACPI power-management block at X86_PORT_ACPI_PM as a pure
 * model: the PM1a event block (status, enable), the PM1a control register
 * and the 24-bit PM timer, counting at 3.579545 MHz from a host clock.
 *
 * Writing SLP_EN with the sleep type the DSDT gives _S5 (PIIX4's soft-off
 * type 0, which OVMF's ResetShutdown writes too) calls ops->poweroff: that is
 * how an ACPI poweroff leaves the guest.  Other sleep types are not offered
 * and do nothing.  SCI_EN reads as set: there is no SMI_CMD port, the
 * platform is in ACPI mode from reset.  Nothing raises a status bit (no
 * power button, no timer overflow SCI), so the SCI line stays low. */
#ifndef CVM_X86_ACPI_PM_H
#define CVM_X86_ACPI_PM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Register offsets from the block's base (ACPI 6.3, 4.8.3). */
#define ACPI_PM1_STS        0      /* 16-bit, write 1 to clear */
#define ACPI_PM1_EN         2      /* 16-bit */
#define ACPI_PM1_CNT        4      /* 16-bit */
#define ACPI_PM_TMR         8      /* 32-bit read-only, 24 bits count */
#define ACPI_PM1_EVT_LEN    4
#define ACPI_PM1_CNT_LEN    2
#define ACPI_PM_TMR_LEN     4

#define ACPI_PM1_CNT_SCI_EN    0x0001
#define ACPI_PM1_CNT_SLP_SHIFT 10          /* SLP_TYP: bits 10-12 */
#define ACPI_PM1_CNT_SLP_TYP   0x1c00
#define ACPI_PM1_CNT_SLP_EN    0x2000      /* write-only */
#define ACPI_S5_SLP_TYP        0           /* the DSDT's _S5 value */

#define ACPI_PM_TIMER_HZ       3579545
#define ACPI_PM_TIMER_MASK     0xffffff

struct acpi_pm_ops {
	void (*poweroff)(void *ctx);       /* called with the model's lock held */
	uint64_t (*clock_ns)(void *ctx);   /* monotonic nanoseconds */
};

struct acpi_pm {
	pthread_mutex_t lock;
	const struct acpi_pm_ops *ops;
	void *ctx;
	uint64_t t0;                       /* clock_ns() at power-on: timer 0 */
	uint16_t en, cnt;
};

void acpi_pm__init(struct acpi_pm *pm, const struct acpi_pm_ops *ops, void *ctx);
void acpi_pm__exit(struct acpi_pm *pm);
/* A guest access at OFFSET (0..X86_PORT_ACPI_PM_LEN-1) of SIZE bytes; the I/O
 * table's handler, CTX being the struct acpi_pm.  Offsets past the block read
 * as all-ones. */
void acpi_pm__io(void *ctx, uint64_t offset, bool is_write, uint8_t *data, unsigned size);
/* The PM timer's value NS nanoseconds after power-on. */
uint32_t acpi_pm__timer(uint64_t ns);
/* CLOCK_MONOTONIC, for ops->clock_ns. */
uint64_t acpi_pm__host_clock(void *ctx);

#endif

#include <string.h>
#include <time.h>

#include "arch/x86/acpi-pm.h"
#include "arch/x86/memmap.h"
#include "loader/bytes.h"

#define NS 1000000000ull

uint32_t acpi_pm__timer(uint64_t ns)
{
	/* Split so ns * Hz never overflows 64 bits (it would after 85 min). */
	uint64_t ticks = ns / NS * ACPI_PM_TIMER_HZ + ns % NS * ACPI_PM_TIMER_HZ / NS;

	return ticks & ACPI_PM_TIMER_MASK;
}

uint64_t acpi_pm__host_clock(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + ts.tv_nsec;
}

void acpi_pm__init(struct acpi_pm *pm, const struct acpi_pm_ops *ops, void *ctx)
{
	memset(pm, 0, sizeof(*pm));
	pthread_mutex_init(&pm->lock, NULL);
	pm->ops = ops;
	pm->ctx = ctx;
	pm->t0 = ops->clock_ns(ctx);
	pm->cnt = ACPI_PM1_CNT_SCI_EN;
}

void acpi_pm__exit(struct acpi_pm *pm)
{
	pthread_mutex_destroy(&pm->lock);
}

/* The block as the guest reads it now; one timer sample per access, so a
 * 32-bit read is consistent. */
static void snapshot(struct acpi_pm *pm, uint8_t r[X86_PORT_ACPI_PM_LEN])
{
	memset(r, 0, X86_PORT_ACPI_PM_LEN);
	bytes__put_le(r + ACPI_PM1_EN, 2, pm->en);
	bytes__put_le(r + ACPI_PM1_CNT, 2, pm->cnt);
	bytes__put_le(r + ACPI_PM_TMR, 4, acpi_pm__timer(pm->ops->clock_ns(pm->ctx) - pm->t0));
}

/* Bytes written to PM1_EN or PM1_CNT, merged into the 16-bit values; the
 * status bits are write-1-to-clear of bits that are never set. */
static void write_bytes(struct acpi_pm *pm, unsigned off, const uint8_t *data, unsigned size)
{
	for (unsigned i = 0; i < size; i++) {
		unsigned at = off + i, shift = 8 * (at & 1);
		uint16_t mask = 0xff << shift, v = data[i] << shift;

		if (at / 2 == ACPI_PM1_EN / 2)
			pm->en = (pm->en & ~mask) | v;
		else if (at / 2 == ACPI_PM1_CNT / 2)
			pm->cnt = (pm->cnt & ~mask) | v;
	}
}

void acpi_pm__io(void *ctx, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	struct acpi_pm *pm = ctx;
	uint8_t r[X86_PORT_ACPI_PM_LEN];

	pthread_mutex_lock(&pm->lock);
	if (!is_write) {
		snapshot(pm, r);
		for (unsigned i = 0; i < size; i++)
			data[i] = offset + i < sizeof(r) ? r[offset + i] : 0xff;
	} else if (offset < X86_PORT_ACPI_PM_LEN) {
		write_bytes(pm, offset, data, size < X86_PORT_ACPI_PM_LEN - offset ?
			    size : X86_PORT_ACPI_PM_LEN - offset);
		if (pm->cnt & ACPI_PM1_CNT_SLP_EN) {
			uint16_t typ = (pm->cnt & ACPI_PM1_CNT_SLP_TYP) >> ACPI_PM1_CNT_SLP_SHIFT;

			pm->cnt &= ~ACPI_PM1_CNT_SLP_EN;
			if (typ == ACPI_S5_SLP_TYP)
				pm->ops->poweroff(pm->ctx);
		}
		pm->cnt |= ACPI_PM1_CNT_SCI_EN;
	}
	pthread_mutex_unlock(&pm->lock);
}

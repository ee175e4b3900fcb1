/* Application processors: INIT-SIPI-SIPI through the xAPIC to "all excluding
 * self"; each AP runs trampoline.S in real mode, counts itself and halts,
 * or goes on to long mode and a work function (entry.S: ap_entry32). */
#include <string.h>

#include "guest.h"
#include "io.h"

#define LAPIC_BASE		0xfee00000ull
#define APIC_SVR		0x0f0
#define APIC_ICR_LO		0x300
#define APIC_ICR_HI		0x310
#define SVR_APIC_ENABLE		0x100
#define ICR_INIT		0x500
#define ICR_STARTUP		0x600
#define ICR_BUSY		0x1000
#define ICR_ASSERT		0x4000
#define ICR_ALL_BUT_SELF	0xc0000

/* Iteration counts, not time.  The answer loop is 7 instructions a turn:
 * ~2 M instructions, 0.4-1 s under an emulating KVM (2-5 M instructions/s),
 * and it ends as soon as everyone answered. */
#define SETTLE_LOOPS		10000
#define BUSY_POLLS		10000
#define ANSWER_LOOPS		300000

extern const char trampoline_start[], trampoline_end[], trampoline_count[], trampoline_work[];
extern const char ap_entry32[];

static void (*volatile ap_work)(uint32_t index);

/* entry.S's ap64, on the AP's own stack. */
void smp__ap_main(uint32_t index);
void smp__ap_main(uint32_t index)
{
	ap_work(index);
}

static void delay(unsigned loops)
{
	for (unsigned i = 0; i < loops; i++)
		cpu_relax();
}

static void lapic__ipi(uint32_t icr)
{
	mmio_write32(LAPIC_BASE + APIC_ICR_HI, 0);
	mmio_write32(LAPIC_BASE + APIC_ICR_LO, icr);
	for (unsigned i = 0; i < BUSY_POLLS && mmio_read32(LAPIC_BASE + APIC_ICR_LO) & ICR_BUSY; i++)
		cpu_relax();
}

uint32_t smp__start(uint32_t expected, void (*work)(uint32_t index))
{
	volatile uint32_t *count =
		(volatile uint32_t *)(SMP_TRAMPOLINE + (uint64_t)(trampoline_count - trampoline_start));
	volatile uint32_t *entry =
		(volatile uint32_t *)(SMP_TRAMPOLINE + (uint64_t)(trampoline_work - trampoline_start));
	uint32_t sipi = ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_STARTUP | (uint32_t)(SMP_TRAMPOLINE >> 12);
	uint32_t i;

	memcpy((void *)SMP_TRAMPOLINE, trampoline_start, (size_t)(trampoline_end - trampoline_start));
	*count = 0;
	ap_work = work;
	*entry = work ? (uint32_t)(uint64_t)ap_entry32 : 0;
	mmio_write32(LAPIC_BASE + APIC_SVR, mmio_read32(LAPIC_BASE + APIC_SVR) | SVR_APIC_ENABLE);

	lapic__ipi(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_INIT);
	delay(SETTLE_LOOPS);
	/* The second SIPI is for an AP that missed the first; one already
	 * running ignores it. */
	lapic__ipi(sipi);
	delay(SETTLE_LOOPS / 10);
	lapic__ipi(sipi);

	for (i = 0; i < ANSWER_LOOPS && *count + 1 < expected; i++)
		cpu_relax();
	return *count + 1;
}

/* cvmtest.garbage=N: hostile mode.  N writes of random values at random
 * widths to random I/O ports and to MMIO addresses nobody should own, plus a
 * read after about one write in eight.  The VMM must survive all of it. */
#include "guest.h"
#include "io.h"

#define MMIO_LOW_START	0xc0000000ull	/* the 32-bit hole ... */
#define MMIO_LOW_END	0xfec00000ull	/* ... up to the IOAPIC */
#define SZ_4G		0x100000000ull
#define MMIO_HIGH_END	0x1000000000ull	/* 64 GiB: within baseline 36-bit physical addresses */

/* Ports the guest itself or the machine's life depends on. */
static const struct {
	uint16_t first, last;
} avoid[] = {
	{ 0x020, 0x021 },	/* master PIC */
	{ 0x040, 0x043 },	/* PIT */
	{ 0x060, 0x064 },	/* i8042: 0x64 can reset */
	{ 0x070, 0x071 },	/* RTC index, NMI mask */
	{ 0x092, 0x092 },	/* system control port A: bit 0 resets */
	{ 0x0a0, 0x0a1 },	/* slave PIC */
	{ 0x0f4, 0x0f7 },	/* the exit port */
	{ 0x3f8, 0x3ff },	/* COM1: our output */
	{ 0xcf8, 0xcff },	/* PCI config; 0xcf9 resets */
	{ 0xb004, 0xb005 },	/* ACPI PM1a control: SLP_EN powers off */
};

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static bool port_allowed(uint32_t port, unsigned width)
{
	for (size_t i = 0; i < sizeof(avoid) / sizeof(avoid[0]); i++)
		if (port <= avoid[i].last && port + width - 1 >= avoid[i].first)
			return false;
	return true;
}

static void port_access(bool write, unsigned width, uint64_t v)
{
	uint16_t port;

	do
		port = (uint16_t)rnd();
	while (!port_allowed(port, width));

	switch (width) {
	case 1:
		if (write)
			outb(port, (uint8_t)v);
		else
			(void)inb(port);
		break;
	case 2:
		if (write)
			outw(port, (uint16_t)v);
		else
			(void)inw(port);
		break;
	default:
		if (write)
			outl(port, (uint32_t)v);
		else
			(void)inl(port);
		break;
	}
}

/* A width-aligned address in [start, end). */
static void mmio_access(bool write, unsigned width, uint64_t v, uint64_t start, uint64_t end)
{
	uint64_t pa = (start + rnd() % (end - start)) & ~(uint64_t)(width - 1);
	void *p = phys__map(pa, width);

	switch (width) {
	case 1:
		if (write)
			*(volatile uint8_t *)p = (uint8_t)v;
		else
			(void)*(volatile uint8_t *)p;
		break;
	case 2:
		if (write)
			*(volatile uint16_t *)p = (uint16_t)v;
		else
			(void)*(volatile uint16_t *)p;
		break;
	case 4:
		if (write)
			*(volatile uint32_t *)p = (uint32_t)v;
		else
			(void)*(volatile uint32_t *)p;
		break;
	default:
		if (write)
			*(volatile uint64_t *)p = v;
		else
			(void)*(volatile uint64_t *)p;
		break;
	}
}

static void garbage__access(bool write, uint64_t high_start)
{
	uint64_t r = rnd();
	unsigned width = 1u << (r & 3);		/* 1, 2, 4 or 8 bytes */
	unsigned targets = high_start < MMIO_HIGH_END ? 3 : 2;

	switch ((r >> 2) % targets) {
	case 0:
		port_access(write, width > 4 ? 4 : width, rnd());
		break;
	case 1:
		mmio_access(write, width, rnd(), MMIO_LOW_START, MMIO_LOW_END);
		break;
	default:
		mmio_access(write, width, rnd(), high_start, MMIO_HIGH_END);
		break;
	}
}

void garbage__run(uint64_t count, uint64_t seed, uint64_t ram_top)
{
	/* High MMIO targets lie above both RAM and 4 GiB. */
	uint64_t high_start = ram_top > SZ_4G ? ram_top : SZ_4G;

	rng = seed ? seed : 1;		/* xorshift never leaves 0 */
	for (uint64_t i = 0; i < count; i++) {
		garbage__access(true, high_start);
		if (!(rnd() & 7))
			garbage__access(false, high_start);
	}
}

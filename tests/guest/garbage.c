/* cvmtest.garbage=N: hostile mode.  N writes of random values at random
 * widths to random I/O ports and to MMIO addresses nobody should own, plus a
 * read after about one write in eight, shared among the vCPUs.  With
 * cvmtest.garbage-hc, random MAP_GPA_RANGE requests and fw_cfg DMA
 * descriptors join in; what they may write stays in the convert region, out
 * of the guest's own image.  The VMM must survive all of it. */
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

#define FW_CFG_DMA	0x514		/* big-endian address: high half, then low */
#define PAGE		0x1000ull

/* What each vCPU is told to do; each has a generator of its own (G). */
static uint64_t share[SMP_WORK_MAX + 1], seed0, high_start;
static bool with_hc;
static volatile uint32_t done;

static uint64_t rnd(uint64_t *g)
{
	*g ^= *g << 13;
	*g ^= *g >> 7;
	*g ^= *g << 17;
	return *g;
}

static bool port_allowed(uint32_t port, unsigned width)
{
	for (size_t i = 0; i < sizeof(avoid) / sizeof(avoid[0]); i++)
		if (port <= avoid[i].last && port + width - 1 >= avoid[i].first)
			return false;
	return true;
}

static void port_access(uint64_t *g, bool write, unsigned width, uint64_t v)
{
	uint16_t port;

	do
		port = (uint16_t)rnd(g);
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
static void mmio_access(uint64_t *g, bool write, unsigned width, uint64_t v, uint64_t start,
			uint64_t end)
{
	uint64_t pa = (start + rnd(g) % (end - start)) & ~(uint64_t)(width - 1);
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

/* A conversion request: mostly nonsense (any address, any count, any
 * attributes), sometimes a real range of the convert region. */
static void map_gpa_garbage(uint64_t *g)
{
	uint64_t r = rnd(g), gpa = rnd(g), pages = rnd(g), attrs = rnd(g);

	if (r & 1) {
		gpa = CONVERT_START + (rnd(g) % ((CONVERT_END - CONVERT_START) / PAGE)) * PAGE;
		pages = 1 + rnd(g) % 16;
		if (gpa + pages * PAGE > CONVERT_END)
			pages = (CONVERT_END - gpa) / PAGE;
		attrs &= 0x13;		/* the bits KVM defines */
	} else if (r & 2) {
		pages &= 0xffff;
	}
	(void)hc__map_gpa_range(gpa, pages, attrs);
}

/* A fw_cfg DMA descriptor (control, length, address: big-endian) placed in
 * the convert region, pointing anywhere: into the region, past RAM, at the
 * descriptor itself, or wrapping.  Where there is no fw_cfg nothing reads it. */
static void fw_cfg_dma_garbage(uint64_t *g)
{
	uint64_t at = CONVERT_START + (rnd(g) % ((CONVERT_END - CONVERT_START) / 16 - 1)) * 16;
	volatile uint32_t *d = (volatile uint32_t *)at;
	uint64_t target = rnd(g) & 1 ? CONVERT_START + rnd(g) % (CONVERT_END - CONVERT_START - 0x1000) :
				      rnd(g);

	d[0] = __builtin_bswap32((uint32_t)rnd(g));                      /* control */
	d[1] = __builtin_bswap32((uint32_t)(rnd(g) & 1 ? rnd(g) & 0xfff : rnd(g))); /* length */
	d[2] = __builtin_bswap32((uint32_t)(target >> 32));             /* address */
	d[3] = __builtin_bswap32((uint32_t)target);
	outl(FW_CFG_DMA, __builtin_bswap32((uint32_t)(at >> 32)));
	outl(FW_CFG_DMA + 4, __builtin_bswap32((uint32_t)at));
}

static void garbage__access(uint64_t *g, bool write, uint64_t high)
{
	uint64_t r = rnd(g);
	unsigned width = 1u << (r & 3);		/* 1, 2, 4 or 8 bytes */
	unsigned targets = high < MMIO_HIGH_END ? 3 : 2;

	if (write && with_hc && (r >> 8) % 8 == 0) {
		if ((r >> 11) & 1)
			map_gpa_garbage(g);
		else
			fw_cfg_dma_garbage(g);
		return;
	}
	switch ((r >> 2) % targets) {
	case 0:
		port_access(g, write, width > 4 ? 4 : width, rnd(g));
		break;
	case 1:
		mmio_access(g, write, width, rnd(g), MMIO_LOW_START, MMIO_LOW_END);
		break;
	default:
		mmio_access(g, write, width, rnd(g), high, MMIO_HIGH_END);
		break;
	}
}

/* vCPU W's share, from its own seed (xorshift never leaves 0). */
static void work(uint32_t w)
{
	if (w > SMP_WORK_MAX)
		return;
	uint64_t rng = (seed0 ^ (0x9e3779b97f4a7c15ull * w)) | 1, *g = &rng;

	for (uint64_t i = 0; i < share[w]; i++) {
		garbage__access(g, true, high_start);
		if (!(rnd(g) & 7))
			garbage__access(g, false, high_start);
	}
	__atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST);
}

uint32_t garbage__run(uint64_t count, uint64_t seed, uint64_t ram_top, uint32_t cpus, bool hc)
{
	uint32_t n = cpus < SMP_WORK_MAX + 1 ? cpus : SMP_WORK_MAX + 1, answered = 1;

	/* High MMIO targets lie above both RAM and 4 GiB. */
	high_start = ram_top > SZ_4G ? ram_top : SZ_4G;
	seed0 = seed;
	with_hc = hc;
	for (uint32_t w = 0; w < n; w++)
		share[w] = count / n + (w < count % n);
	if (n > 1)
		answered = smp__start(n, work);
	work(0);
	/* APs that never answered do no work: wait only for those that did. */
	while (__atomic_load_n(&done, __ATOMIC_SEQ_CST) < answered)
		asm volatile("pause" ::: "memory");
	return answered;
}

#include <string.h>
#include <time.h>

#include "arch/x86/cmos.h"
#include "arch/x86/memmap.h"

#define KIB           1024ull
#define MIB           (1024 * KIB)
#define UNIT_64K      (64 * KIB)

/* Clock registers (MC146818 data sheet; century from the ACPI FADT). */
enum { SEC = 0x00, MIN = 0x02, HOUR = 0x04, WDAY = 0x06, MDAY = 0x07, MON = 0x08, YEAR = 0x09 };

static void put16(uint8_t *ram, unsigned lo, uint64_t v)
{
	if (v > 0xffff)
		v = 0xffff;
	ram[lo] = v;
	ram[lo + 1] = v >> 8;
}

void cmos__init(struct cmos *c, uint64_t mem, int64_t (*clock)(void *ctx), void *ctx)
{
	struct x86_ram_range r[2];
	size_t n = x86__ram_ranges(mem, r);
	uint64_t low = r[0].size, high = n > 1 ? r[1].size : 0;

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->clock = clock;
	c->ctx = ctx;
	c->ram[CMOS_REG_A] = 0x26;      /* 32.768 kHz time base, 1024 Hz rate */
	c->ram[CMOS_REG_B] = CMOS_B_24H;
	c->ram[CMOS_REG_D] = CMOS_D_VRT;
	put16(c->ram, 0x15, 640);
	put16(c->ram, 0x17, low > MIB ? (low - MIB) / KIB : 0);
	put16(c->ram, 0x30, low > MIB ? (low - MIB) / KIB : 0);
	put16(c->ram, 0x34, low > 16 * MIB ? (low - 16 * MIB) / UNIT_64K : 0);
	high /= UNIT_64K;
	c->ram[0x5b] = high;
	c->ram[0x5c] = high >> 8;
	c->ram[0x5d] = high >> 16;
}

void cmos__exit(struct cmos *c)
{
	pthread_mutex_destroy(&c->lock);
}

int64_t cmos__host_clock(void *ctx)
{
	(void)ctx;
	return time(NULL);
}

static uint8_t encode(const struct cmos *c, unsigned v)
{
	return (c->ram[CMOS_REG_B] & CMOS_B_BINARY) ? v : (v / 10) << 4 | v % 10;
}

/* A clock register, computed from the host's time now. */
static uint8_t clock_reg(const struct cmos *c, uint8_t reg)
{
	time_t t = c->clock(c->ctx);
	struct tm tm;
	unsigned h;

	gmtime_r(&t, &tm);
	switch (reg) {
	case SEC:
		return encode(c, tm.tm_sec);
	case MIN:
		return encode(c, tm.tm_min);
	case HOUR:
		if (c->ram[CMOS_REG_B] & CMOS_B_24H)
			return encode(c, tm.tm_hour);
		/* 12-hour: 12, 1..11, with bit 7 for PM. */
		h = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
		return encode(c, h) | (tm.tm_hour >= 12 ? 0x80 : 0);
	case WDAY:
		return encode(c, tm.tm_wday + 1);
	case MDAY:
		return encode(c, tm.tm_mday);
	case MON:
		return encode(c, tm.tm_mon + 1);
	case YEAR:
		return encode(c, tm.tm_year % 100);
	default:                /* CMOS_CENTURY */
		return encode(c, (tm.tm_year + 1900) / 100);
	}
}

static bool is_clock(uint8_t reg)
{
	return reg == SEC || reg == MIN || reg == HOUR || (reg >= WDAY && reg <= YEAR) ||
	       reg == CMOS_CENTURY;
}

static uint8_t read_reg(struct cmos *c, uint8_t reg)
{
	if (is_clock(reg))
		return clock_reg(c, reg);
	if (reg == CMOS_REG_C)
		return 0;
	return c->ram[reg];
}

static void write_reg(struct cmos *c, uint8_t reg, uint8_t v)
{
	if (is_clock(reg) || reg == CMOS_REG_C || reg == CMOS_REG_D)
		return;
	if (reg == CMOS_REG_A)
		v &= 0x7f;              /* UIP is read-only */
	c->ram[reg] = v;
}

void cmos__io(void *ctx, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	struct cmos *c = ctx;

	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < size; i++) {
		uint64_t port = offset + i;

		if (port == 0 && is_write) {
			c->index = data[i] & (CMOS_SIZE - 1);
			c->nmi_masked = data[i] & 0x80;
		} else if (port == 1 && is_write) {
			write_reg(c, c->index, data[i]);
		} else if (port == 1) {
			data[i] = read_reg(c, c->index);
		} else if (!is_write) {
			data[i] = 0xff;         /* the index port is write-only */
		}
	}
	pthread_mutex_unlock(&c->lock);
}

/* PL011 model.  Register semantics follow the PrimeCell UART (PL011)
 * Technical Reference Manual (r1p5) as far as Linux's amba-pl011 driver
 * and earlycon look at them. */
#include <string.h>

#include "vmm/pl011.h"

enum {
	REG_DR = 0x000, REG_RSR = 0x004, REG_FR = 0x018, REG_ILPR = 0x020, REG_IBRD = 0x024,
	REG_FBRD = 0x028, REG_LCR_H = 0x02c, REG_CR = 0x030, REG_IFLS = 0x034, REG_IMSC = 0x038,
	REG_RIS = 0x03c, REG_MIS = 0x040, REG_ICR = 0x044, REG_DMACR = 0x048, REG_ID = 0xfe0,
};

#define FR_CTS      (1u << 0)
#define FR_DSR      (1u << 1)
#define FR_DCD      (1u << 2)
#define FR_RXFE     (1u << 4)
#define FR_RXFF     (1u << 6)
#define FR_TXFE     (1u << 7)
#define FR_RI       (1u << 8)

#define LCR_H_FEN   (1u << 4)
#define CR_LBE      (1u << 7)
#define CR_DTR      (1u << 10)
#define CR_RTS      (1u << 11)
#define CR_OUT1     (1u << 12)
#define CR_OUT2     (1u << 13)
#define CR_RESET    0x0300u             /* TXE | RXE, UARTEN off */
#define IFLS_RESET  0x12u               /* both trigger levels at 1/2 */

#define INT_RI      (1u << 0)
#define INT_CTS     (1u << 1)
#define INT_DCD     (1u << 2)
#define INT_DSR     (1u << 3)
#define INT_RX      (1u << 4)
#define INT_TX      (1u << 5)
#define INT_RT      (1u << 6)
#define INT_OE      (1u << 10)
#define INT_ALL     0x7ffu
#define RSR_OE      (1u << 3)

/* Outside loopback: a terminal that is present and ready. */
#define MODEM_IDLE  (FR_CTS | FR_DSR | FR_DCD)

/* PeriphID0-3 (part 0x011, designer ARM 0x41, revision 1) and PCellID0-3:
 * what Linux's amba bus matches the driver on, and what QEMU reports. */
static const uint8_t id_regs[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static unsigned rx_capacity(const struct pl011 *u)
{
	return (u->lcr_h & LCR_H_FEN) ? PL011_FIFO_SIZE : 1;
}

/* IFLS RXIFLSEL: 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO; the reserved
 * encodings act as 1/2.  Without FIFOs the one holding register. */
static unsigned rx_trigger(const struct pl011 *u)
{
	static const unsigned eighths[8] = { 1, 2, 4, 6, 7, 4, 4, 4 };

	if (!(u->lcr_h & LCR_H_FEN))
		return 1;
	return eighths[(u->ifls >> 3) & 7] * PL011_FIFO_SIZE / 8;
}

static void update_irq(struct pl011 *u)
{
	int level = (u->ris & u->imsc) != 0;

	if (level != u->irq_level) {
		u->irq_level = level;
		u->ops->irq(u->ctx, level);
	}
}

static void rx_push(struct pl011 *u, uint8_t byte)
{
	u->rx[(u->rx_head + u->rx_count) % PL011_FIFO_SIZE] = byte;
	/* RX rises as the FIFO reaches its trigger level, not above it. */
	if (++u->rx_count == rx_trigger(u))
		u->ris |= INT_RX;
	u->ris |= INT_RT;
}

static uint8_t rx_pop(struct pl011 *u)
{
	uint8_t byte;

	if (!u->rx_count)
		return 0;
	byte = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % PL011_FIFO_SIZE;
	u->rx_count--;
	if (u->rx_count < rx_trigger(u))
		u->ris &= ~INT_RX;
	if (!u->rx_count)
		u->ris &= ~INT_RT;
	return byte;
}

static void rx_clear(struct pl011 *u)
{
	u->rx_head = u->rx_count = 0;
	u->ris &= ~(INT_RX | INT_RT);
}

/* Modem inputs from the terminal, or in loopback from the CR outputs
 * (RTS->CTS, DTR->DSR, Out1->DCD, Out2->RI); each change raises its
 * interrupt. */
static void update_modem(struct pl011 *u)
{
	uint32_t in = MODEM_IDLE, changed;

	if (u->cr & CR_LBE) {
		in = 0;
		if (u->cr & CR_RTS)
			in |= FR_CTS;
		if (u->cr & CR_DTR)
			in |= FR_DSR;
		if (u->cr & CR_OUT1)
			in |= FR_DCD;
		if (u->cr & CR_OUT2)
			in |= FR_RI;
	}
	changed = u->modem ^ in;
	u->modem = in;
	if (changed & FR_CTS)
		u->ris |= INT_CTS;
	if (changed & FR_DSR)
		u->ris |= INT_DSR;
	if (changed & FR_DCD)
		u->ris |= INT_DCD;
	if (changed & FR_RI)
		u->ris |= INT_RI;
}

static void transmit(struct pl011 *u, uint8_t byte)
{
	if (!(u->cr & CR_LBE))
		u->ops->tx(u->ctx, byte);
	else if (u->rx_count < rx_capacity(u))
		rx_push(u, byte);
	else {
		u->rsr |= RSR_OE;
		u->ris |= INT_OE;
	}
	/* The byte left at once: the FIFO fell through its trigger level. */
	u->ris |= INT_TX;
}

static void write_lcr_h(struct pl011 *u, uint32_t val)
{
	/* Switching the FIFOs on or off flushes them. */
	if ((val ^ u->lcr_h) & LCR_H_FEN)
		rx_clear(u);
	u->lcr_h = val & 0xff;
}

static void reg_write(struct pl011 *u, uint64_t reg, uint32_t val)
{
	switch (reg) {
	case REG_DR:
		transmit(u, (uint8_t)val);
		break;
	case REG_RSR:		/* ECR: any write clears the errors */
		u->rsr = 0;
		break;
	case REG_ILPR:
		u->ilpr = val & 0xff;
		break;
	case REG_IBRD:
		u->ibrd = val & 0xffff;
		break;
	case REG_FBRD:
		u->fbrd = val & 0x3f;
		break;
	case REG_LCR_H:
		write_lcr_h(u, val);
		break;
	case REG_CR:
		u->cr = val & 0xff87;	/* bits 6:3 are reserved */
		update_modem(u);
		break;
	case REG_IFLS:
		u->ifls = val & 0x3f;
		break;
	case REG_IMSC:
		u->imsc = val & INT_ALL;
		break;
	case REG_ICR:
		u->ris &= ~val;
		break;
	case REG_DMACR:
		u->dmacr = val & 0x7;
		break;
	default:		/* FR, RIS, MIS, IDs: read-only */
		break;
	}
}

static uint32_t reg_read(struct pl011 *u, uint64_t reg)
{
	uint32_t fr;

	switch (reg) {
	case REG_DR:
		return rx_pop(u);
	case REG_RSR:
		return u->rsr;
	case REG_FR:
		fr = u->modem | FR_TXFE;
		if (!u->rx_count)
			fr |= FR_RXFE;
		if (u->rx_count == rx_capacity(u))
			fr |= FR_RXFF;
		return fr;
	case REG_ILPR:
		return u->ilpr;
	case REG_IBRD:
		return u->ibrd;
	case REG_FBRD:
		return u->fbrd;
	case REG_LCR_H:
		return u->lcr_h;
	case REG_CR:
		return u->cr;
	case REG_IFLS:
		return u->ifls;
	case REG_IMSC:
		return u->imsc;
	case REG_RIS:
		return u->ris;
	case REG_MIS:
		return u->ris & u->imsc;
	case REG_DMACR:
		return u->dmacr;
	default:
		if (reg >= REG_ID && reg < REG_ID + 4 * sizeof(id_regs))
			return id_regs[(reg - REG_ID) / 4];
		return 0;	/* ICR is write-only; the rest is unassigned */
	}
}

void pl011__init(struct pl011 *u, const struct pl011_ops *ops, void *ctx)
{
	memset(u, 0, sizeof(*u));
	pthread_mutex_init(&u->lock, NULL);
	u->ops = ops;
	u->ctx = ctx;
	u->cr = CR_RESET;
	u->ifls = IFLS_RESET;
	u->modem = MODEM_IDLE;
}

void pl011__exit(struct pl011 *u)
{
	pthread_mutex_destroy(&u->lock);
}

void pl011__mmio(void *ctx, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	struct pl011 *u = ctx;
	uint64_t reg = offset & ~3ull;
	unsigned lane = (unsigned)(offset & 3);
	uint32_t val = 0;

	if (size == 0 || size > 4 || lane + size > 4 || offset >= PL011_MMIO_SIZE ||
	    (is_write && lane)) {
		if (!is_write)
			memset(data, 0, size);
		return;
	}
	pthread_mutex_lock(&u->lock);
	if (is_write) {
		for (unsigned i = 0; i < size; i++)
			val |= (uint32_t)data[i] << (8 * i);
		reg_write(u, reg, val);
	} else {
		val = reg_read(u, reg) >> (8 * lane);
		for (unsigned i = 0; i < size; i++)
			data[i] = (uint8_t)(val >> (8 * i));
	}
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

bool pl011__input(struct pl011 *u, uint8_t byte)
{
	bool ok;

	pthread_mutex_lock(&u->lock);
	/* In loopback the receiver listens to the transmitter only. */
	ok = !(u->cr & CR_LBE) && u->rx_count < rx_capacity(u);
	if (ok) {
		rx_push(u, byte);
		update_irq(u);
	}
	pthread_mutex_unlock(&u->lock);
	return ok;
}

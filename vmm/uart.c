/* 16550A UART model.  Register semantics follow the NS16550D data sheet as
 * far as Linux's 8250 driver and earlyprintk look at them. */
#include <linux/serial_reg.h>
#include <string.h>

#include "vmm/uart.h"

#define IIR_FIFO_BITS	0xc0	/* IIR 7:6 when the FIFOs are enabled (16550A) */
#define IER_MASK	0x0f	/* upper IER bits read as 0 on a 16550A */
#define MCR_MASK	0x1f
/* Modem inputs outside loopback: a terminal that is present and ready. */
#define MSR_IDLE	(UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)

static unsigned rx_capacity(const struct uart *u)
{
	return (u->fcr & UART_FCR_ENABLE_FIFO) ? UART_FIFO_SIZE : 1;
}

static void rx_push(struct uart *u, uint8_t byte)
{
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
	u->rx_count++;
	u->lsr |= UART_LSR_DR;
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t byte;

	if (!u->rx_count)
		return 0;
	byte = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	if (!--u->rx_count)
		u->lsr &= ~UART_LSR_DR;
	return byte;
}

static void rx_clear(struct uart *u)
{
	u->rx_head = u->rx_count = 0;
	u->lsr &= ~UART_LSR_DR;
}

/* The highest-priority enabled interrupt, as an IIR identification. */
static uint8_t pending(const struct uart *u)
{
	if ((u->ier & UART_IER_RLSI) && (u->lsr & UART_LSR_BRK_ERROR_BITS))
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx_count)
		return UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thr_int)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && (u->msr & UART_MSR_ANY_DELTA))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void update_irq(struct uart *u)
{
	/* On a PC the OUT2 pin enables the IRQ driver; loopback forces the
	 * OUT pins inactive, so no interrupt leaves the chip then. */
	int level = pending(u) != UART_IIR_NO_INT &&
		    (u->mcr & (UART_MCR_OUT2 | UART_MCR_LOOP)) == UART_MCR_OUT2;

	if (level != u->irq_level) {
		u->irq_level = level;
		u->ops->irq(u->ctx, level);
	}
}

/* Modem status inputs come from the terminal, or in loopback from the MCR
 * outputs (RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD); changes latch deltas. */
static void update_modem_inputs(struct uart *u)
{
	uint8_t in = MSR_IDLE, old = u->msr, delta = 0;

	if (u->mcr & UART_MCR_LOOP) {
		in = 0;
		if (u->mcr & UART_MCR_RTS)
			in |= UART_MSR_CTS;
		if (u->mcr & UART_MCR_DTR)
			in |= UART_MSR_DSR;
		if (u->mcr & UART_MCR_OUT1)
			in |= UART_MSR_RI;
		if (u->mcr & UART_MCR_OUT2)
			in |= UART_MSR_DCD;
	}
	if ((old ^ in) & UART_MSR_CTS)
		delta |= UART_MSR_DCTS;
	if ((old ^ in) & UART_MSR_DSR)
		delta |= UART_MSR_DDSR;
	if ((old ^ in) & UART_MSR_DCD)
		delta |= UART_MSR_DDCD;
	if ((old & UART_MSR_RI) && !(in & UART_MSR_RI))
		delta |= UART_MSR_TERI;
	u->msr = in | (old & UART_MSR_ANY_DELTA) | delta;
}

static void transmit(struct uart *u, uint8_t byte)
{
	/* Writing THR clears the THRE interrupt; the line drops while the byte
	 * is sent, so the next THRE interrupt is a fresh edge. */
	u->thr_int = false;
	update_irq(u);
	if (!(u->mcr & UART_MCR_LOOP))
		u->ops->tx(u->ctx, byte);
	else if (u->rx_count < rx_capacity(u))
		rx_push(u, byte);
	else
		u->lsr |= UART_LSR_OE;
	/* Output is immediate: THR is empty again at once. */
	u->thr_int = true;
}

static void write_fcr(struct uart *u, uint8_t val)
{
	/* Switching the FIFO mode empties the FIFOs; the clear bits only act
	 * with the FIFOs enabled; the TX FIFO is always empty here. */
	if (((val ^ u->fcr) & UART_FCR_ENABLE_FIFO) ||
	    ((val & UART_FCR_ENABLE_FIFO) && (val & UART_FCR_CLEAR_RCVR)))
		rx_clear(u);
	/* The RX trigger level is not kept: data is reported from the first
	 * byte, as a 16550A does after its character timeout. */
	u->fcr = val & UART_FCR_ENABLE_FIFO;
}

static void reg_write(struct uart *u, uint16_t offset, uint8_t val)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (offset) {
	case UART_TX:
		if (dlab)
			u->dll = val;
		else
			transmit(u, val);
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = val;
			break;
		}
		/* Enabling THRE interrupts while THR is empty raises one. */
		if (val & ~u->ier & UART_IER_THRI)
			u->thr_int = true;
		u->ier = val & IER_MASK;
		break;
	case UART_FCR:
		write_fcr(u, val);
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & MCR_MASK;
		update_modem_inputs(u);
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default:		/* LSR, MSR: factory test only */
		break;
	}
}

static uint8_t reg_read(struct uart *u, uint16_t offset)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t val;

	switch (offset) {
	case UART_RX:
		return dlab ? u->dll : rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		val = pending(u);
		/* Reporting THRE is what acknowledges it. */
		if (val == UART_IIR_THRI)
			u->thr_int = false;
		return val | ((u->fcr & UART_FCR_ENABLE_FIFO) ? IIR_FIFO_BITS : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		val = u->lsr;
		u->lsr &= ~UART_LSR_BRK_ERROR_BITS;
		return val;
	case UART_MSR:
		val = u->msr;
		u->msr &= ~UART_MSR_ANY_DELTA;
		return val;
	case UART_SCR:
		return u->scr;
	default:
		return 0xff;	/* nothing decodes past the 8 registers */
	}
}

void uart__init(struct uart *u, const struct uart_ops *ops, void *ctx)
{
	memset(u, 0, sizeof(*u));
	pthread_mutex_init(&u->lock, NULL);
	u->ops = ops;
	u->ctx = ctx;
	u->lsr = UART_LSR_THRE | UART_LSR_TEMT;
	u->msr = MSR_IDLE;
	u->dll = 12;		/* 9600 baud, the usual firmware default */
}

void uart__exit(struct uart *u)
{
	pthread_mutex_destroy(&u->lock);
}

void uart__io(struct uart *u, uint16_t offset, bool is_write, uint8_t *data)
{
	pthread_mutex_lock(&u->lock);
	if (is_write)
		reg_write(u, offset, *data);
	else
		*data = reg_read(u, offset);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

bool uart__input(struct uart *u, uint8_t byte)
{
	bool ok;

	pthread_mutex_lock(&u->lock);
	/* In loopback the receiver listens to the transmitter only. */
	ok = !(u->mcr & UART_MCR_LOOP) && u->rx_count < rx_capacity(u);
	if (ok) {
		rx_push(u, byte);
		update_irq(u);
	}
	pthread_mutex_unlock(&u->lock);
	return ok;
}

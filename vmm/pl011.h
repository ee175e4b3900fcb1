/* An ARM PL011 UART (PrimeCell r1p5, as on QEMU's virt board) as a pure
 * device model: MMIO in, bytes and interrupt line levels out.  Probed by
 * Linux's amba-pl011 driver through its PrimeCell ID registers and used by
 * earlycon=pl011.  Output is immediate, so the transmit FIFO is always
 * empty and never busy; input goes through a 16-entry receive FIFO.
 *
 * Interrupts follow the TRM as Linux relies on it: TX is raised when a
 * written byte has left (never merely by enabling it) and cleared by ICR;
 * RX when the receive FIFO fills up to its trigger level (IFLS), cleared
 * when it drains below it or by ICR; receive-timeout as soon as data
 * waits (the idle time of a burst of host input has passed), cleared when
 * the FIFO is empty or by ICR; the modem-status interrupts on a change of
 * CTS, DSR, DCD or RI.  Outside loopback the modem inputs say "a terminal
 * is present and ready" (CTS, DSR, DCD).  The receive error bits of DR
 * stay 0; an overrun (loopback only) shows in RSR and RIS. */
#ifndef CVM_PL011_H
#define CVM_PL011_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define PL011_MMIO_SIZE   0x1000
#define PL011_FIFO_SIZE   16

/* Called with the UART's lock held: they must not call back into it. */
struct pl011_ops {
	void (*tx)(void *ctx, uint8_t byte);      /* a byte the guest transmitted */
	void (*irq)(void *ctx, int level);        /* drive the interrupt line (the SPI) */
};

struct pl011 {
	pthread_mutex_t lock;	/* vCPU threads and the input thread call in */
	const struct pl011_ops *ops;
	void *ctx;

	uint32_t ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr, ilpr, rsr;
	uint32_t modem;		/* FR's CTS, DSR, DCD, RI as the inputs stand */
	int irq_level;		/* last level given to ops->irq */

	uint8_t rx[PL011_FIFO_SIZE];
	unsigned rx_head, rx_count;
};

/* Reset state; the interrupt line is assumed low and is not driven here. */
void pl011__init(struct pl011 *u, const struct pl011_ops *ops, void *ctx);
void pl011__exit(struct pl011 *u);
/* A guest access of SIZE bytes at OFFSET from the UART's base; DATA holds
 * the little-endian value.  Registers are 32-bit: an access within one
 * reads its bytes from OFFSET on, a write of 1, 2 or 4 bytes at its start
 * writes the value zero-extended; anything else (unassigned offsets,
 * wider accesses, a write at a register's upper bytes) reads 0 and writes
 * nothing.  The signature is the VMM's MMIO handler's (CTX = the pl011). */
void pl011__mmio(void *ctx, uint64_t offset, bool is_write, uint8_t *data, unsigned size);
/* Host input; false when the receive FIFO is full, or while the guest holds
 * the UART in loopback: retry later. */
bool pl011__input(struct pl011 *u, uint8_t byte);

#endif

/* A 16550A UART (the PC's COM1) as a pure device model: port I/O in, bytes
 * and IRQ line levels out.  Accepted by Linux's 8250 driver as a 16550A and
 * by earlyprintk=serial.  Output is immediate, so the transmitter is always
 * empty; input goes through a 16-byte receive FIFO. */
#ifndef CVM_UART_H
#define CVM_UART_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define UART_COM1_PORT	0x3f8
#define UART_COM1_IRQ	4
#define UART_NR_PORTS	8
#define UART_FIFO_SIZE	16

/* Called with the UART's lock held: they must not call back into it. */
struct uart_ops {
	void (*tx)(void *ctx, uint8_t byte);      /* a byte the guest transmitted */
	void (*irq)(void *ctx, int level);        /* drive the IRQ line (the caller maps it to KVM_IRQ_LINE 4) */
};

struct uart {
	pthread_mutex_t lock;	/* vCPU threads and the input thread call in */
	const struct uart_ops *ops;
	void *ctx;

	uint8_t ier, fcr, lcr, mcr, lsr, msr, scr, dll, dlm;
	bool thr_int;		/* THR-empty interrupt latched, until IIR read or THR write */
	int irq_level;		/* last level given to ops->irq */

	uint8_t rx[UART_FIFO_SIZE];
	unsigned rx_head, rx_count;
};

/* Power-on state; the IRQ line is assumed low and is not driven here. */
void uart__init(struct uart *u, const struct uart_ops *ops, void *ctx);
void uart__exit(struct uart *u);
/* A guest access to register OFFSET (0..7 from the base port).  Reads store
 * the value in *DATA; offsets past 7 read as 0xff and ignore writes. */
void uart__io(struct uart *u, uint16_t offset /* 0..7 */, bool is_write, uint8_t *data);
/* Host input; false when the receive FIFO is full, or while the guest holds
 * the UART in loopback: retry later. */
bool uart__input(struct uart *u, uint8_t byte);

#endif

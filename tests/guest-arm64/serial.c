/* Output on a PL011, polled on FR.TXFF with 32-bit accesses: no
 * interrupts, no baud rate (nothing the guest needs depends on it). */
#include "arm64.h"

#define UART_DR		0x00
#define UART_FR		0x18
#define UART_LCR_H	0x2c
#define UART_CR		0x30
#define FR_TXFF		0x20
#define LCR_H_8BIT_FIFO	0x70		/* WLEN 8, FEN */
#define CR_ENABLE	0x301		/* UARTEN, TXE, RXE */
#define TXFF_POLLS	100000		/* a UART that never drains must not hang us */

static uint64_t uart;

static void write32(uint64_t reg, uint32_t v)
{
	mmio_write32(uart + reg, v);
}

static uint32_t read32(uint64_t reg)
{
	return mmio_read32(uart + reg);
}

void serial__init(uint64_t base)
{
	uart = base;
	write32(UART_LCR_H, LCR_H_8BIT_FIFO);
	write32(UART_CR, CR_ENABLE);
}

void serial__putc(char c)
{
	for (int i = 0; i < TXFF_POLLS && (read32(UART_FR) & FR_TXFF); i++)
		asm volatile("yield");
	write32(UART_DR, (uint8_t)c);
}

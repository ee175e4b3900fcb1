/* Output on COM1, a 16550 polled on LSR.THRE: no interrupts, no FIFO set-up. */
#include "guest.h"
#include "io.h"

#define COM1		0x3f8
#define UART_THR	0
#define UART_IER	1
#define UART_LCR	3
#define UART_LSR	5
#define LSR_THRE	0x20
#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define THRE_POLLS	100000		/* a UART that never drains must not hang us */

void serial__init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + 0, 1);		/* divisor 1: 115200 baud */
	outb(COM1 + 1, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
}

void serial__putc(char c)
{
	for (int i = 0; i < THRE_POLLS && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(COM1 + UART_THR, (uint8_t)c);
}

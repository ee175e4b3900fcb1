/* What a UART model did to the outside world, for the UART tests
 * (test-uart, test-pl011): the bytes it transmitted and every interrupt
 * level it drove, in order.  CTX of the callbacks is a struct serial_rec. */
#ifndef CVM_TESTS_SERIAL_REC_H
#define CVM_TESTS_SERIAL_REC_H

#include <stdint.h>

struct serial_rec {
	char tx[256];           /* NUL-terminated while the record is zeroed first */
	unsigned ntx;
	int levels[64];
	unsigned nlevels;
};

void serial_rec__tx(void *ctx, uint8_t byte);
void serial_rec__irq(void *ctx, int level);
/* The last level driven, 0 when none was. */
int serial_rec__level(const struct serial_rec *r);

#endif

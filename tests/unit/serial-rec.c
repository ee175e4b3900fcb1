#include "tests/unit/serial-rec.h"

void serial_rec__tx(void *ctx, uint8_t byte)
{
	struct serial_rec *r = ctx;

	if (r->ntx < sizeof(r->tx) - 1)
		r->tx[r->ntx++] = byte;
}

void serial_rec__irq(void *ctx, int level)
{
	struct serial_rec *r = ctx;

	if (r->nlevels < sizeof(r->levels) / sizeof(r->levels[0]))
		r->levels[r->nlevels++] = level;
}

int serial_rec__level(const struct serial_rec *r)
{
	return r->nlevels ? r->levels[r->nlevels - 1] : 0;
}

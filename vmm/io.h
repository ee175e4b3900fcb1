/* The VM's I/O map: devices register the port or MMIO ranges they answer,
 * during set-up (the table is read without locks once vCPUs run).  An
 * access nobody claims reads as all-ones and its writes are dropped, as on
 * a bus with nothing behind it. */
#ifndef CVM_IO_H
#define CVM_IO_H

#include <stdbool.h>
#include <stdint.h>

enum io_bus { IO_PIO, IO_MMIO };

/* OFF is from the range's base; SIZE is the access width (1..8 bytes). */
typedef void (*io_fn)(void *ctx, uint64_t off, bool is_write, uint8_t *data, unsigned size);

#define IO_MAX_RANGES 16

struct io_range {
	enum io_bus bus;
	uint64_t base, len;
	io_fn fn;
	void *ctx;
};

struct io_map {
	struct io_range r[IO_MAX_RANGES];
	unsigned n;
};

/* -1 with a message when the table is full or the range overlaps another
 * (a set-up bug, status 1). */
int io__register(struct io_map *m, enum io_bus bus, uint64_t base, uint64_t len, io_fn fn,
		 void *ctx);
/* One guest access; false when no device claims ADDR (the access has then
 * been answered with all-ones). */
bool io__access(const struct io_map *m, enum io_bus bus, uint64_t addr, bool is_write,
		uint8_t *data, unsigned size);

#endif

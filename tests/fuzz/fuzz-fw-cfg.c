/* The fw_cfg device model (vmm/fw-cfg.c) driven by a stream of guest
 * actions against a small fake RAM: port accesses of any offset, width and
 * direction, DMA descriptors written into RAM (or pointed outside it) and
 * kicked through the address register, and raw RAM writes, so descriptors
 * may overlap what they transfer.  Each action is one opcode byte and its
 * operands, little-endian; a short tail is ignored. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "loader/bytes.h"
#include "tests/unit/fake-ram.h"
#include "vmm/fw-cfg.h"

#define RAM_BASE 0x1000ull
#define RAM_SIZE 0x10000ull

static uint8_t mem[RAM_SIZE];
static uint8_t big[0x11000];            /* larger than RAM: reads must stop at its end */
static const uint8_t small[] = "fw_cfg fuzz";
static const uint8_t le16[2] = { 2, 0 };

static const struct fw_cfg_item items[] = {
	{ .key = FW_CFG_NB_CPUS, .data = le16, .len = sizeof(le16) },
	{ .key = FW_CFG_KERNEL_DATA, .data = big, .len = sizeof(big) },
	{ .key = FW_CFG_ARCH_LOCAL | 2, .data = small, .len = 4 },
	{ .key = FW_CFG_UUID, .data = NULL, .len = 0 },
	{ .name = "etc/acpi/tables", .data = big, .len = 0x2000 },
	{ .name = "etc/acpi/rsdp", .data = small, .len = sizeof(small) },
	{ .name = "bootorder", .data = NULL, .len = 0 },
};

static bool take(const uint8_t **d, size_t *n, unsigned bytes, uint64_t *v)
{
	if (*n < bytes)
		return false;
	*v = bytes__get_le(*d, bytes);
	*d += bytes;
	*n -= bytes;
	return true;
}

static void io(struct fw_cfg *f, uint64_t off, bool wr, uint64_t v, unsigned size)
{
	uint8_t b[8];

	bytes__put_le(b, size, v);
	fw_cfg__io(f, off, wr, b, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_ram ram = { RAM_BASE, RAM_SIZE, mem };
	const struct fw_cfg_guest guest = { fake_ram__ptr, &ram };
	static const unsigned widths[4] = { 1, 2, 4, 8 };
	struct fw_cfg f;
	uint64_t op, a, b, c, d;

	memset(mem, 0, sizeof(mem));
	if (fw_cfg__init(&f, items, sizeof(items) / sizeof(items[0]), &guest) < 0)
		__builtin_trap();
	while (take(&data, &size, 1, &op)) {
		switch (op % 6) {
		case 0:         /* select */
			if (take(&data, &size, 2, &a))
				io(&f, 0, true, a, 2);
			break;
		case 1:         /* a run of data-port reads */
			if (take(&data, &size, 1, &a))
				for (unsigned i = 0; i < (a & 0x7f); i++)
					io(&f, a >> 7, false, 0, 1);
			break;
		case 2:         /* any access: offset 0..15, width, direction */
			if (take(&data, &size, 1, &a) && take(&data, &size, 8, &b))
				io(&f, a & 15, a & 0x40, b, widths[a >> 4 & 3]);
			break;
		case 3:         /* a descriptor in RAM at offset A, then kick it */
			if (take(&data, &size, 2, &a) && take(&data, &size, 4, &b) &&
			    take(&data, &size, 4, &c) && take(&data, &size, 8, &d)) {
				uint8_t *desc = mem + a % (RAM_SIZE - 16);

				bytes__put_be(desc, 4, b);
				bytes__put_be(desc + 4, 4, c);
				bytes__put_be(desc + 8, 8, d);
				io(&f, 4, true, 0, 4);
				io(&f, 8, true, __builtin_bswap32(RAM_BASE + a % (RAM_SIZE - 16)), 4);
			}
			break;
		case 4:         /* kick at any address, two halves or one 8-byte write */
			if (take(&data, &size, 8, &a)) {
				if (op & 0x80) {
					io(&f, 4, true, __builtin_bswap64(a), 8);
				} else {
					io(&f, 4, true, __builtin_bswap32(a >> 32), 4);
					io(&f, 8, true, __builtin_bswap32((uint32_t)a), 4);
				}
			}
			break;
		default:        /* raw RAM bytes */
			if (take(&data, &size, 2, &a) && take(&data, &size, 1, &b))
				mem[a % RAM_SIZE] = b;
			break;
		}
		/* The data offset never passes the selected item's end. */
		if (f.cur && f.offset > f.cur->len)
			__builtin_trap();
	}
	fw_cfg__exit(&f);
	return 0;
}

/* The PC's CMOS RTC and NVRAM (MC146818) at X86_PORT_CMOS as a pure model:
 * an index port (bit 7 masks NMI, kept but without effect) and a data port
 * over 128 bytes.
 *
 * The clock registers read the host's UTC time on every access, in BCD or
 * binary and 24- or 12-hour form as register B asks; update-in-progress is
 * never set, so readers never wait.  Writes to the clock are dropped (the
 * guest cannot move the host's clock; no offset is kept).  No interrupts
 * (register C reads 0) and register D reports valid RAM and time, which is
 * what OVMF's PcRtc and Linux's rtc-cmos check.
 *
 * The NVRAM holds the memory-size registers QEMU's pc_cmos_init writes,
 * which firmware falls back to without fw_cfg's "etc/e820":
 *   0x15/0x16  base memory in KiB (640)
 *   0x17/0x18  and 0x30/0x31: KiB above 1 MiB below 4 GiB, at most 0xffff
 *   0x34/0x35  64 KiB units above 16 MiB below 4 GiB, at most 0xffff
 *   0x5b-0x5d  64 KiB units above 4 GiB
 * Other NVRAM bytes start at zero and keep what the guest writes. */
#ifndef CVM_X86_CMOS_H
#define CVM_X86_CMOS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define CMOS_SIZE     128
#define CMOS_REG_A    0x0a
#define CMOS_REG_B    0x0b
#define CMOS_REG_C    0x0c
#define CMOS_REG_D    0x0d
#define CMOS_CENTURY  0x32      /* the FADT's CENTURY index */

#define CMOS_B_DSE    0x01
#define CMOS_B_24H    0x02
#define CMOS_B_BINARY 0x04
#define CMOS_B_SET    0x80
#define CMOS_D_VRT    0x80

struct cmos {
	pthread_mutex_t lock;
	int64_t (*clock)(void *ctx);    /* seconds since the epoch, UTC */
	void *ctx;
	uint8_t index;
	bool nmi_masked;
	uint8_t ram[CMOS_SIZE];
};

/* Power-on state for a guest with MEM bytes of RAM laid out by
 * x86__ram_ranges(). */
void cmos__init(struct cmos *c, uint64_t mem, int64_t (*clock)(void *ctx), void *ctx);
void cmos__exit(struct cmos *c);
/* A guest access at OFFSET (0: index, 1: data) of SIZE bytes; the I/O
 * table's handler, CTX being the struct cmos. */
void cmos__io(void *ctx, uint64_t offset, bool is_write, uint8_t *data, unsigned size);
/* time(NULL), for the clock. */
int64_t cmos__host_clock(void *ctx);

#endif

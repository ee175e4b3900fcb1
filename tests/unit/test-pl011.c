#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "tests/unit/serial-rec.h"
#include "tests/unit/test.h"
#include "vmm/pl011.h"

/* Register offsets and bits as Linux's include/linux/amba/serial.h names them. */
#define DR      0x000
#define RSR     0x004
#define FR      0x018
#define ILPR    0x020
#define IBRD    0x024
#define FBRD    0x028
#define LCRH    0x02c
#define CR      0x030
#define IFLS    0x034
#define IMSC    0x038
#define RIS     0x03c
#define MIS     0x040
#define ICR     0x044
#define DMACR   0x048

#define FR_CTS  0x001
#define FR_DSR  0x002
#define FR_DCD  0x004
#define FR_BUSY 0x008
#define FR_RXFE 0x010
#define FR_TXFF 0x020
#define FR_RXFF 0x040
#define FR_TXFE 0x080
#define FR_RI   0x100
#define LCRH_FEN   0x10
#define LCRH_WLEN8 0x60
#define CR_UARTEN  0x001
#define CR_LBE     0x080
#define CR_TXE     0x100
#define CR_RXE     0x200
#define CR_DTR     0x400
#define CR_RTS     0x800
#define CR_OUT1    0x1000
#define CR_OUT2    0x2000
#define RIMIS   0x001
#define CTSMIS  0x002
#define DCDMIS  0x004
#define DSRMIS  0x008
#define RXIS    0x010
#define TXIS    0x020
#define RTIS    0x040
#define OEIS    0x400

static const struct pl011_ops rec_ops = { .tx = serial_rec__tx, .irq = serial_rec__irq };

static struct pl011 u;
static struct serial_rec r;

static void setup(void)
{
	memset(&r, 0, sizeof(r));
	pl011__init(&u, &rec_ops, &r);
}

static void teardown(void)
{
	pl011__exit(&u);
}

/* An access of SIZE bytes, little-endian as KVM's mmio.data holds it. */
static uint64_t rd(uint64_t off, unsigned size)
{
	uint8_t d[8];
	uint64_t v = 0;

	memset(d, 0x5a, sizeof(d));
	pl011__mmio(&u, off, false, d, size);
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)d[i] << (8 * i);
	return v;
}

static void wr(uint64_t off, unsigned size, uint64_t v)
{
	uint8_t d[8];

	for (unsigned i = 0; i < 8; i++)
		d[i] = (uint8_t)(v >> (8 * i));
	pl011__mmio(&u, off, true, d, size);
}

static uint32_t in(uint64_t off)
{
	return (uint32_t)rd(off, 4);
}

static void out(uint64_t off, uint32_t v)
{
	wr(off, 4, v);
}

static int last_level(void)
{
	return serial_rec__level(&r);
}

START_TEST(power_on_state)
{
	ck_assert_uint_eq(in(FR), FR_TXFE | FR_RXFE | FR_CTS | FR_DSR | FR_DCD);
	ck_assert_uint_eq(in(CR), CR_TXE | CR_RXE);
	ck_assert_uint_eq(in(IFLS), 0x12);
	ck_assert_uint_eq(in(IMSC), 0);
	ck_assert_uint_eq(in(RIS), 0);
	ck_assert_uint_eq(in(MIS), 0);
	ck_assert_uint_eq(in(LCRH), 0);
	ck_assert_uint_eq(in(IBRD), 0);
	ck_assert_uint_eq(in(FBRD), 0);
	ck_assert_uint_eq(in(RSR), 0);
	ck_assert_uint_eq(in(DMACR), 0);
	ck_assert_uint_eq(in(DR), 0);
	ck_assert_uint_eq(in(ICR), 0);
	ck_assert_uint_eq(in(0x100), 0);
	ck_assert_uint_eq(r.nlevels, 0);
	ck_assert_uint_eq(r.ntx, 0);
}
END_TEST

/* The amba bus reads the IDs with 32-bit loads, one byte in each. */
START_TEST(primecell_ids)
{
	uint32_t pid = 0, cid = 0;

	for (int i = 0; i < 4; i++) {
		pid |= (in(0xfe0 + 4 * i) & 0xff) << (8 * i);
		cid |= (in(0xff0 + 4 * i) & 0xff) << (8 * i);
	}
	ck_assert_uint_eq(pid, 0x00141011);	/* PL011, ARM, revision 1: a 16-byte FIFO */
	ck_assert_uint_eq(cid, 0xb105f00d);
	out(0xfe0, 0);				/* read-only */
	ck_assert_uint_eq(in(0xfe0), 0x11);
	ck_assert_uint_eq(in(0xfdc), 0);
}
END_TEST

START_TEST(register_masks)
{
	out(IBRD, 0xffffffff);
	ck_assert_uint_eq(in(IBRD), 0xffff);
	out(FBRD, 0xffffffff);
	ck_assert_uint_eq(in(FBRD), 0x3f);
	out(LCRH, 0xffffffff);
	ck_assert_uint_eq(in(LCRH), 0xff);
	out(LCRH, 0);
	out(IFLS, 0xffffffff);
	ck_assert_uint_eq(in(IFLS), 0x3f);
	out(IMSC, 0xffffffff);
	ck_assert_uint_eq(in(IMSC), 0x7ff);
	out(IMSC, 0);
	out(DMACR, 0xffffffff);
	ck_assert_uint_eq(in(DMACR), 0x7);
	out(ILPR, 0x1ff);
	ck_assert_uint_eq(in(ILPR), 0xff);
	out(CR, 0xffff & ~CR_LBE);
	ck_assert_uint_eq(in(CR), 0xff07);
	out(CR, CR_UARTEN | CR_TXE | CR_RXE);
	/* Read-only registers ignore writes. */
	out(FR, 0);
	out(RIS, 0xffff);
	out(MIS, 0xffff);
	ck_assert_uint_eq(in(FR) & (FR_TXFE | FR_RXFE), FR_TXFE | FR_RXFE);
	ck_assert_uint_eq(in(RIS), 0);
	ck_assert_uint_eq(r.ntx, 0);
}
END_TEST

/* earlycon writes DR with writeb (or writel for pl011,mmio32), the driver
 * uses readw/writew; upper byte lanes read shifted, writes there do nothing. */
START_TEST(access_sizes)
{
	wr(DR, 1, 'a');
	wr(DR, 2, 'b');
	wr(DR, 4, 'c');
	ck_assert_str_eq(r.tx, "abc");
	ck_assert_uint_eq(rd(FR, 2), FR_TXFE | FR_RXFE | FR_CTS | FR_DSR | FR_DCD);
	ck_assert_uint_eq(rd(CR + 1, 1), (CR_TXE | CR_RXE) >> 8);
	ck_assert_uint_eq(rd(CR + 2, 2), 0);
	wr(IBRD + 1, 1, 0x12);			/* ignored */
	ck_assert_uint_eq(in(IBRD), 0);
	wr(IBRD, 2, 0xabcd);
	ck_assert_uint_eq(in(IBRD), 0xabcd);
	wr(IBRD, 1, 0x01);			/* zero-extended */
	ck_assert_uint_eq(in(IBRD), 0x01);
	/* Wider than a register, across two, or outside the window: nothing. */
	ck_assert_uint_eq(rd(CR, 8), 0);
	ck_assert_uint_eq(rd(CR + 2, 4), 0);
	ck_assert_uint_eq(rd(0x1000, 4), 0);
	ck_assert_uint_eq(rd(CR, 0), 0);
	wr(DR, 8, 'x');
	wr(DR + 1, 1, 'y');
	wr(0x1000, 4, 'z');
	ck_assert_uint_eq(r.ntx, 3);
	ck_assert_uint_eq(r.nlevels, 0);
}
END_TEST

START_TEST(fifo_fill_and_flush)
{
	/* Without FIFOs: one holding register. */
	ck_assert(pl011__input(&u, 'x'));
	ck_assert(!pl011__input(&u, 'y'));
	ck_assert_uint_eq(in(FR) & (FR_RXFE | FR_RXFF), FR_RXFF);
	ck_assert_uint_eq(in(DR), 'x');
	ck_assert_uint_eq(in(FR) & (FR_RXFE | FR_RXFF), FR_RXFE);

	out(LCRH, LCRH_FEN | LCRH_WLEN8);
	for (int i = 0; i < PL011_FIFO_SIZE; i++)
		ck_assert(pl011__input(&u, 'a' + i));
	ck_assert(!pl011__input(&u, '!'));
	ck_assert_uint_eq(in(FR) & (FR_RXFE | FR_RXFF), FR_RXFF);
	for (int i = 0; i < PL011_FIFO_SIZE; i++)
		ck_assert_uint_eq(in(DR), 'a' + i);
	ck_assert_uint_eq(in(FR) & FR_RXFE, FR_RXFE);
	ck_assert_uint_eq(in(DR), 0);

	/* Switching the FIFOs off (or on) flushes them; rewriting FEN does not. */
	ck_assert(pl011__input(&u, '1'));
	out(LCRH, LCRH_FEN);
	ck_assert_uint_eq(in(FR) & FR_RXFE, 0);
	out(LCRH, LCRH_WLEN8);
	ck_assert_uint_eq(in(FR) & FR_RXFE, FR_RXFE);
	ck_assert_uint_eq(in(RIS) & (RXIS | RTIS), 0);
}
END_TEST

START_TEST(rx_trigger_levels)
{
	static const unsigned level[] = { 2, 4, 8, 12, 14 };

	out(LCRH, LCRH_FEN);
	for (unsigned sel = 0; sel < 5; sel++) {
		out(IFLS, sel << 3);
		for (unsigned n = 1; n <= level[sel]; n++) {
			ck_assert(pl011__input(&u, (uint8_t)n));
			/* Receive-timeout from the first byte, RX at the level. */
			ck_assert_uint_eq(in(RIS) & (RXIS | RTIS),
					  RTIS | (n == level[sel] ? RXIS : 0));
		}
		in(DR);
		ck_assert_uint_eq(in(RIS) & (RXIS | RTIS), RTIS);
		while (!(in(FR) & FR_RXFE))
			in(DR);
		ck_assert_uint_eq(in(RIS) & (RXIS | RTIS), 0);
	}
	/* RX rises on the way up through the level only: cleared by ICR, it
	 * stays off while more bytes arrive (Linux drains the FIFO at
	 * startup for this reason); receive-timeout comes back. */
	out(IFLS, 0);
	pl011__input(&u, 1);
	pl011__input(&u, 2);
	out(ICR, RXIS | RTIS);
	ck_assert_uint_eq(in(RIS), 0);
	pl011__input(&u, 3);
	ck_assert_uint_eq(in(RIS) & (RXIS | RTIS), RTIS);
}
END_TEST

/* TX rises only once a written byte has left, never on enabling it. */
START_TEST(tx_interrupt)
{
	out(IMSC, TXIS);
	ck_assert_uint_eq(in(RIS), 0);
	ck_assert_uint_eq(r.nlevels, 0);
	out(DR, 'A');
	ck_assert_uint_eq(in(RIS), TXIS);
	ck_assert_uint_eq(in(MIS), TXIS);
	ck_assert_int_eq(last_level(), 1);
	out(ICR, TXIS);
	ck_assert_uint_eq(in(RIS), 0);
	ck_assert_int_eq(last_level(), 0);
	out(DR, 'B');
	ck_assert_int_eq(last_level(), 1);
	/* Masking drops the line, the raw status stays. */
	out(IMSC, 0);
	ck_assert_int_eq(last_level(), 0);
	ck_assert_uint_eq(in(RIS), TXIS);
	ck_assert_uint_eq(in(MIS), 0);
	out(IMSC, TXIS);
	ck_assert_int_eq(last_level(), 1);
	ck_assert_uint_eq(r.nlevels, 5);
	ck_assert_str_eq(r.tx, "AB");
}
END_TEST

START_TEST(loopback)
{
	out(LCRH, LCRH_FEN);
	in(RIS);
	out(CR, CR_UARTEN | CR_TXE | CR_RXE | CR_LBE | CR_RTS | CR_OUT2);
	ck_assert_uint_eq(in(FR) & (FR_CTS | FR_DSR | FR_DCD | FR_RI), FR_CTS | FR_RI);
	/* DSR and DCD fell, RI rose. */
	ck_assert_uint_eq(in(RIS) & (RIMIS | CTSMIS | DCDMIS | DSRMIS), RIMIS | DSRMIS | DCDMIS);
	out(ICR, 0x7ff);
	out(CR, CR_UARTEN | CR_LBE | CR_DTR | CR_OUT1);
	ck_assert_uint_eq(in(FR) & (FR_CTS | FR_DSR | FR_DCD | FR_RI), FR_DSR | FR_DCD);
	ck_assert_uint_eq(in(RIS) & 0xf, RIMIS | CTSMIS | DCDMIS | DSRMIS);
	out(ICR, 0x7ff);

	out(DR, 'L');
	ck_assert_uint_eq(r.ntx, 0);
	ck_assert_uint_eq(in(DR), 'L');
	ck_assert(!pl011__input(&u, 'h'));	/* the outside is disconnected */
	/* A full FIFO overruns: the byte is lost, OE in RSR until ECR. */
	for (int i = 0; i < PL011_FIFO_SIZE + 1; i++)
		out(DR, '0' + i);
	ck_assert_uint_eq(in(RSR), 0x8);
	ck_assert_uint_eq(in(RIS) & OEIS, OEIS);
	out(RSR, 0);
	ck_assert_uint_eq(in(RSR), 0);
	for (int i = 0; i < PL011_FIFO_SIZE; i++)
		ck_assert_uint_eq(in(DR), '0' + i);
	ck_assert_uint_eq(in(FR) & FR_RXFE, FR_RXFE);

	out(CR, CR_UARTEN | CR_TXE | CR_RXE);
	ck_assert_uint_eq(in(FR) & (FR_CTS | FR_DSR | FR_DCD | FR_RI), FR_CTS | FR_DSR | FR_DCD);
	out(DR, 'o');
	ck_assert_str_eq(r.tx, "o");
	ck_assert(pl011__input(&u, 'h'));
}
END_TEST

/* drivers/tty/serial/amba-pl011.c: pl011_hwinit, pl011_startup, then
 * host input arriving, pl011_int draining it, and pl011_shutdown. */
START_TEST(linux_driver_sequence)
{
	uint32_t status;
	int got = 0;

	out(RSR, 0);
	out(ICR, OEIS | 0x380 | RTIS | RXIS);	/* OE BE PE FE RT RX */
	in(IMSC);
	out(IMSC, RTIS | RXIS);
	out(IMSC, 0);				/* the driver's saved mask */
	out(IFLS, 0x12);			/* RX 1/2, TX 1/2 */
	out(CR, CR_UARTEN | CR_TXE | CR_RXE);
	out(IBRD, 13);
	out(FBRD, 1);
	out(LCRH, LCRH_FEN | LCRH_WLEN8);
	out(ICR, RTIS | RXIS);
	for (int i = 0; i < 2 * PL011_FIFO_SIZE && !(in(FR) & FR_RXFE); i++)
		in(DR);
	out(IMSC, RTIS | RXIS);
	ck_assert_uint_eq(r.nlevels, 0);

	/* Three bytes: below the trigger level, the timeout interrupt. */
	pl011__input(&u, 'a');
	pl011__input(&u, 'b');
	pl011__input(&u, 'c');
	ck_assert_int_eq(last_level(), 1);
	while ((status = in(MIS)) & (RTIS | RXIS | TXIS)) {
		out(ICR, status & ~(TXIS | RTIS | RXIS));
		while (!(in(FR) & FR_RXFE))
			ck_assert_uint_eq(in(DR) & 0xff, 'a' + got++);
	}
	ck_assert_int_eq(got, 3);
	ck_assert_int_eq(last_level(), 0);

	/* start_tx: bytes written while TXFF is clear, then TXIM while more
	 * waits; the interrupt comes at once and stop_tx masks it again. */
	for (const char *p = "ok\n"; *p; p++) {
		ck_assert_uint_eq(in(FR) & FR_TXFF, 0);
		out(DR, (uint8_t)*p);
	}
	out(IMSC, RTIS | RXIS | TXIS);
	ck_assert_int_eq(last_level(), 1);
	ck_assert_uint_eq(in(MIS), TXIS);
	out(IMSC, RTIS | RXIS);
	ck_assert_int_eq(last_level(), 0);
	ck_assert_str_eq(r.tx, "ok\n");

	/* pl011_shutdown: mask and clear everything, disable. */
	out(IMSC, 0);
	out(ICR, 0xffff);
	out(CR, CR_TXE | CR_RXE);
	ck_assert_uint_eq(in(RIS), 0);
	ck_assert_int_eq(last_level(), 0);
	for (unsigned i = 0; i < r.nlevels; i++)
		ck_assert_int_eq(r.levels[i], !(i & 1));
}
END_TEST

/* earlycon's pl011_putc: wait while TXFF, write, wait while BUSY; no set-up. */
START_TEST(earlycon_polled_output)
{
	const char *msg = "Booting Linux";

	for (const char *p = msg; *p; p++) {
		ck_assert_uint_eq(rd(FR, 4) & FR_TXFF, 0);
		wr(DR, 1, (uint8_t)*p);
		ck_assert_uint_eq(rd(FR, 4) & FR_BUSY, 0);
	}
	ck_assert_str_eq(r.tx, msg);
	ck_assert_uint_eq(r.nlevels, 0);
}
END_TEST

#define THREAD_BYTES 20000

static void *feeder(void *arg)
{
	struct pl011 *uu = arg;

	for (int i = 0; i < THREAD_BYTES; i++)
		while (!pl011__input(uu, (uint8_t)i))
			sched_yield();
	return NULL;
}

/* The input thread and a vCPU thread at once: nothing lost or reordered. */
START_TEST(concurrent_input_and_reads)
{
	pthread_t t;
	int got = 0;

	out(LCRH, LCRH_FEN);
	out(IMSC, RXIS | RTIS);
	ck_assert_int_eq(pthread_create(&t, NULL, feeder, &u), 0);
	while (got < THREAD_BYTES) {
		if (in(FR) & FR_RXFE) {
			sched_yield();
			continue;
		}
		ck_assert_uint_eq(in(DR), (uint8_t)got);
		got++;
	}
	pthread_join(t, NULL);
	ck_assert_uint_eq(in(FR) & FR_RXFE, FR_RXFE);
	ck_assert_int_eq(u.irq_level, 0);
}
END_TEST

static Suite *pl011_suite(void)
{
	Suite *s = suite_create("pl011");
	TCase *t = tcase_create("core");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, power_on_state);
	tcase_add_test(t, primecell_ids);
	tcase_add_test(t, register_masks);
	tcase_add_test(t, access_sizes);
	tcase_add_test(t, fifo_fill_and_flush);
	tcase_add_test(t, rx_trigger_levels);
	tcase_add_test(t, tx_interrupt);
	tcase_add_test(t, loopback);
	tcase_add_test(t, linux_driver_sequence);
	tcase_add_test(t, earlycon_polled_output);
	tcase_add_test(t, concurrent_input_and_reads);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(pl011_suite)

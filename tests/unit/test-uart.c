#include <linux/serial_reg.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "tests/unit/serial-rec.h"
#include "tests/unit/test.h"
#include "vmm/uart.h"

static const struct uart_ops rec_ops = { .tx = serial_rec__tx, .irq = serial_rec__irq };

static struct uart u;
static struct serial_rec r;

static void setup(void)
{
	memset(&r, 0, sizeof(r));
	uart__init(&u, &rec_ops, &r);
}

static void teardown(void)
{
	uart__exit(&u);
}

static uint8_t in(uint16_t off)
{
	uint8_t v = 0x5a;

	uart__io(&u, off, false, &v);
	return v;
}

static void out(uint16_t off, uint8_t v)
{
	uart__io(&u, off, true, &v);
}

static int last_level(void)
{
	return serial_rec__level(&r);
}

START_TEST(power_on_state)
{
	ck_assert_uint_eq(in(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	ck_assert_uint_eq(in(UART_IIR), UART_IIR_NO_INT);
	ck_assert_uint_eq(in(UART_IER), 0);
	ck_assert_uint_eq(in(UART_LCR), 0);
	ck_assert_uint_eq(in(UART_MCR), 0);
	ck_assert_uint_eq(in(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	ck_assert_uint_eq(in(UART_RX), 0);
	ck_assert_uint_eq(in(8), 0xff);
	ck_assert_uint_eq(r.nlevels, 0);
}
END_TEST

START_TEST(register_read_write)
{
	out(UART_IER, 0xff);
	ck_assert_uint_eq(in(UART_IER), 0x0f);
	out(UART_MCR, 0xff);
	ck_assert_uint_eq(in(UART_MCR), 0x1f);
	out(UART_MCR, 0);
	out(UART_LCR, 0x1b);
	ck_assert_uint_eq(in(UART_LCR), 0x1b);
	out(UART_SCR, 0xa5);
	ck_assert_uint_eq(in(UART_SCR), 0xa5);
	out(UART_LSR, 0);
	out(UART_MSR, 0);
	ck_assert_uint_eq(in(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	ck_assert_uint_eq(in(UART_MSR) & 0xf0, 0xb0);
	out(8, 1);		/* ignored */
	out(UART_TX, 'A');
	out(UART_TX, 'b');
	ck_assert_uint_eq(r.ntx, 2);
	ck_assert_int_eq(memcmp(r.tx, "Ab", 2), 0);
	ck_assert_uint_eq(in(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
}
END_TEST

START_TEST(dlab_switches_offsets_0_and_1)
{
	out(UART_IER, UART_IER_RDI);
	out(UART_LCR, UART_LCR_DLAB | 0x03);
	ck_assert_uint_eq(in(UART_DLL), 12);
	out(UART_DLL, 0x01);
	out(UART_DLM, 0x02);
	ck_assert_uint_eq(in(UART_DLL), 0x01);
	ck_assert_uint_eq(in(UART_DLM), 0x02);
	ck_assert_uint_eq(r.ntx, 0);		/* the DLL write did not transmit */
	ck_assert_uint_eq(uart__input(&u, 'z'), true);
	ck_assert_uint_eq(in(UART_DLL), 0x01);	/* and reading it did not receive */
	out(UART_LCR, 0x03);
	ck_assert_uint_eq(in(UART_IER), UART_IER_RDI);
	ck_assert_uint_eq(in(UART_RX), 'z');
	out(UART_TX, 'q');
	ck_assert_uint_eq(r.ntx, 1);
	out(UART_LCR, UART_LCR_DLAB);
	ck_assert_uint_eq(in(UART_DLM), 0x02);
}
END_TEST

START_TEST(fifo_fill_and_overflow)
{
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	for (int i = 0; i < UART_FIFO_SIZE; i++)
		ck_assert(uart__input(&u, 'a' + i));
	ck_assert(!uart__input(&u, '!'));
	ck_assert_uint_eq(in(UART_LSR) & (UART_LSR_DR | UART_LSR_OE), UART_LSR_DR);
	for (int i = 0; i < UART_FIFO_SIZE; i++)
		ck_assert_uint_eq(in(UART_RX), 'a' + i);
	ck_assert_uint_eq(in(UART_LSR) & UART_LSR_DR, 0);
	ck_assert_uint_eq(in(UART_RX), 0);

	/* The clear bit empties the receive FIFO, so does leaving FIFO mode. */
	ck_assert(uart__input(&u, '1'));
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	ck_assert_uint_eq(in(UART_LSR) & UART_LSR_DR, 0);
	ck_assert(uart__input(&u, '2'));
	out(UART_FCR, 0);
	ck_assert_uint_eq(in(UART_LSR) & UART_LSR_DR, 0);

	/* Without FIFOs the receiver holds one byte. */
	ck_assert(uart__input(&u, 'x'));
	ck_assert(!uart__input(&u, 'y'));
	ck_assert_uint_eq(in(UART_RX), 'x');
	ck_assert(uart__input(&u, 'y'));
	ck_assert_uint_eq(in(UART_RX), 'y');
}
END_TEST

START_TEST(loopback)
{
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	out(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	ck_assert_uint_eq(in(UART_MSR) & 0xf0, UART_MSR_DCD | UART_MSR_CTS);
	out(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT1 | UART_MCR_DTR);
	ck_assert_uint_eq(in(UART_MSR) & 0xf0, UART_MSR_RI | UART_MSR_DSR);

	out(UART_TX, 'L');
	ck_assert_uint_eq(r.ntx, 0);
	ck_assert_uint_eq(in(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	ck_assert_uint_eq(in(UART_RX), 'L');
	/* The outside world is disconnected from the receiver. */
	ck_assert(!uart__input(&u, 'h'));

	/* A full FIFO overruns: the byte is lost, LSR.OE until LSR is read. */
	for (int i = 0; i < UART_FIFO_SIZE + 1; i++)
		out(UART_TX, '0' + i);
	ck_assert_uint_eq(in(UART_LSR) & (UART_LSR_OE | UART_LSR_DR), UART_LSR_OE | UART_LSR_DR);
	ck_assert_uint_eq(in(UART_LSR) & UART_LSR_OE, 0);
	for (int i = 0; i < UART_FIFO_SIZE; i++)
		ck_assert_uint_eq(in(UART_RX), '0' + i);

	out(UART_MCR, 0);
	ck_assert_uint_eq(in(UART_MSR) & 0xf0, 0xb0);
	out(UART_TX, 'o');
	ck_assert_uint_eq(r.ntx, 1);
	ck_assert(uart__input(&u, 'h'));
}
END_TEST

START_TEST(modem_status_deltas)
{
	in(UART_MSR);
	out(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT1);
	/* CTS, DSR, DCD fell; RI rose (TERI is for the falling edge only). */
	ck_assert_uint_eq(in(UART_MSR), UART_MSR_RI | UART_MSR_DCTS | UART_MSR_DDSR |
					UART_MSR_DDCD);
	ck_assert_uint_eq(in(UART_MSR), UART_MSR_RI);
	out(UART_MCR, UART_MCR_LOOP);
	ck_assert_uint_eq(in(UART_MSR), UART_MSR_TERI);
	ck_assert_uint_eq(in(UART_MSR), 0);
}
END_TEST

START_TEST(iir_priorities_and_clearing)
{
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	out(UART_MCR, UART_MCR_LOOP);		/* MSR deltas: CTS, DSR, DCD fell */
	for (int i = 0; i < UART_FIFO_SIZE + 1; i++)
		out(UART_TX, 'a');		/* data + overrun */
	out(UART_IER, 0x0f);			/* THRE latches as it is enabled */

	ck_assert_uint_eq(in(UART_IIR), 0xc0 | UART_IIR_RLSI);
	ck_assert_uint_eq(in(UART_IIR), 0xc0 | UART_IIR_RLSI);	/* sticky */
	in(UART_LSR);
	ck_assert_uint_eq(in(UART_IIR), 0xc0 | UART_IIR_RDI);
	for (int i = 0; i < UART_FIFO_SIZE - 1; i++)
		in(UART_RX);
	ck_assert_uint_eq(in(UART_IIR), 0xc0 | UART_IIR_RDI);
	in(UART_RX);
	ck_assert_uint_eq(in(UART_IIR), 0xc0 | UART_IIR_THRI);
	/* Reading IIR when it reports THRE acknowledged it. */
	ck_assert_uint_eq(in(UART_IIR), 0xc0 | UART_IIR_MSI);
	in(UART_MSR);
	ck_assert_uint_eq(in(UART_IIR), 0xc0 | UART_IIR_NO_INT);

	/* A THR write re-arms THRE (the byte left at once), below RX data. */
	out(UART_TX, 'b');
	ck_assert_uint_eq(in(UART_IIR), 0xc0 | UART_IIR_RDI);
	ck_assert_uint_eq(in(UART_RX), 'b');
	ck_assert_uint_eq(in(UART_IIR), 0xc0 | UART_IIR_THRI);
	ck_assert_uint_eq(in(UART_IIR), 0xc0 | UART_IIR_NO_INT);

	/* Disabled sources do not show. */
	out(UART_IER, 0);
	out(UART_TX, 'c');
	out(UART_MCR, 0);
	ck_assert_uint_eq(in(UART_IIR), 0xc0 | UART_IIR_NO_INT);
	out(UART_FCR, 0);
	ck_assert_uint_eq(in(UART_IIR), UART_IIR_NO_INT);
}
END_TEST

START_TEST(irq_level_follows_pending_and_out2)
{
	out(UART_IER, UART_IER_RDI);
	ck_assert(uart__input(&u, 'k'));
	ck_assert_uint_eq(r.nlevels, 0);	/* OUT2 low: the line stays quiet */
	out(UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);
	ck_assert_uint_eq(r.nlevels, 1);
	ck_assert_int_eq(last_level(), 1);
	in(UART_LSR);
	in(UART_IIR);				/* RDI is not cleared by IIR */
	ck_assert_uint_eq(r.nlevels, 1);
	in(UART_RX);
	ck_assert_uint_eq(r.nlevels, 2);
	ck_assert_int_eq(last_level(), 0);

	/* THRE: raised on enable, dropped by the IIR read that reports it. */
	out(UART_IER, UART_IER_THRI);
	ck_assert_int_eq(last_level(), 1);
	ck_assert_uint_eq(in(UART_IIR), UART_IIR_THRI);
	ck_assert_int_eq(last_level(), 0);
	ck_assert_uint_eq(r.nlevels, 4);
	/* Each THR write gives a fresh rising edge. */
	out(UART_TX, 'x');
	ck_assert_uint_eq(r.nlevels, 5);
	ck_assert_int_eq(last_level(), 1);
	out(UART_TX, 'y');
	ck_assert_uint_eq(r.nlevels, 7);
	ck_assert_int_eq(r.levels[5], 0);
	ck_assert_int_eq(last_level(), 1);

	/* Loopback forces OUT2 off outside the chip. */
	out(UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
	ck_assert_int_eq(last_level(), 0);
	ck_assert_uint_eq(in(UART_IIR), UART_IIR_THRI);
	out(UART_MCR, UART_MCR_OUT2);
	out(UART_IER, UART_IER_THRI | UART_IER_RDI);	/* THRI already on: no new latch */
	ck_assert_int_eq(last_level(), 0);
	ck_assert(uart__input(&u, 'm'));
	ck_assert_int_eq(last_level(), 1);
	out(UART_MCR, 0);
	ck_assert_int_eq(last_level(), 0);
	/* Levels strictly alternate: the callback only reports changes. */
	for (unsigned i = 0; i < r.nlevels; i++)
		ck_assert_int_eq(r.levels[i], !(i & 1));
}
END_TEST

/* serial8250_do_startup's check for UARTs that do not re-assert THRE. */
START_TEST(linux_thre_retest)
{
	out(UART_IER, UART_IER_THRI);
	ck_assert_uint_eq(in(UART_IIR) & UART_IIR_NO_INT, 0);
	out(UART_IER, 0);
	out(UART_IER, UART_IER_THRI);
	ck_assert_uint_eq(in(UART_IIR), UART_IIR_THRI);
	out(UART_IER, 0);

	/* The TXEN test that follows: enabling THRI must show in IIR. */
	out(UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);
	out(UART_IER, UART_IER_THRI);
	ck_assert_uint_ne(in(UART_LSR) & UART_LSR_TEMT, 0);
	ck_assert_uint_eq(in(UART_IIR) & UART_IIR_NO_INT, 0);
	out(UART_IER, 0);
	ck_assert_int_eq(last_level(), 0);
}
END_TEST

/* 8250_port.c size_fifo(): counts what a loopback flood leaves behind. */
static int size_fifo(void)
{
	uint8_t old_lcr = in(UART_LCR), old_fcr, old_mcr, old_dll, old_dlm;
	int count;

	out(UART_LCR, 0);
	old_fcr = in(UART_FCR);		/* reads IIR, as the driver does */
	old_mcr = in(UART_MCR);
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	out(UART_MCR, UART_MCR_LOOP);
	out(UART_LCR, UART_LCR_CONF_MODE_A);
	old_dll = in(UART_DLL);
	old_dlm = in(UART_DLM);
	out(UART_DLL, 1);
	out(UART_DLM, 0);
	out(UART_LCR, 0x03);
	for (count = 0; count < 256; count++)
		out(UART_TX, count);
	for (count = 0; (in(UART_LSR) & UART_LSR_DR) && count < 256; count++)
		in(UART_RX);
	out(UART_FCR, old_fcr);
	out(UART_MCR, old_mcr);
	out(UART_LCR, UART_LCR_CONF_MODE_A);
	out(UART_DLL, old_dll);
	out(UART_DLM, old_dlm);
	out(UART_LCR, old_lcr);
	return count;
}

/* The probe of drivers/tty/serial/8250/8250_port.c autoconfig() and
 * autoconfig_16550a(), in order; a 16550A must come out of it. */
START_TEST(linux_8250_autoconfig)
{
	uint8_t save_mcr, save_lcr, s1, s2, s3;

	/* autoconfig_8250's scratch register test. */
	out(UART_SCR, 0xa5);
	ck_assert_uint_eq(in(UART_SCR), 0xa5);
	out(UART_SCR, 0x5a);
	ck_assert_uint_eq(in(UART_SCR), 0x5a);

	/* IER scratch test. */
	s1 = in(UART_IER);
	out(UART_IER, 0);
	s2 = in(UART_IER) & 0x0f;
	out(UART_IER, 0x0f);
	s3 = in(UART_IER) & 0x0f;
	out(UART_IER, s1);
	ck_assert_uint_eq(s2, 0);
	ck_assert_uint_eq(s3, 0x0f);

	/* Loopback test. */
	save_mcr = in(UART_MCR);
	save_lcr = in(UART_LCR);
	out(UART_MCR, UART_MCR_LOOP | 0x0a);
	ck_assert_uint_eq(in(UART_MSR) & 0xf0, 0x90);
	out(UART_MCR, save_mcr);

	/* EFR probe, then the FIFO type from IIR 7:6. */
	out(UART_LCR, UART_LCR_CONF_MODE_B);
	out(UART_EFR, 0);
	out(UART_LCR, 0);
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	ck_assert_uint_eq(in(UART_IIR) >> 6, 3);

	/* autoconfig_16550a: no EFR behind DLAB (ST16C650V1/V2 tests). */
	out(UART_LCR, UART_LCR_CONF_MODE_A);
	ck_assert_uint_ne(in(UART_EFR), 0);
	out(UART_LCR, UART_LCR_CONF_MODE_B);
	ck_assert_uint_ne(in(UART_EFR), 0);

	/* Not a National SuperIO: IIR bit 4 does not follow MCR.LOOP. */
	out(UART_LCR, 0);
	s1 = in(UART_MCR);
	out(UART_LCR, 0xe0);
	s2 = in(0x02);
	ck_assert_uint_eq((s2 ^ s1) & UART_MCR_LOOP, 0);
	out(UART_LCR, 0);
	out(UART_MCR, s1 ^ UART_MCR_LOOP);
	out(UART_LCR, 0xe0);
	s2 = in(0x02);
	out(UART_LCR, 0);
	out(UART_MCR, s1);
	ck_assert_uint_eq((s2 ^ s1) & UART_MCR_LOOP, 0);

	/* Not a TI16750: no 64-byte FIFO bit, with or without DLAB. */
	out(UART_LCR, 0);
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	ck_assert_uint_eq(in(UART_IIR) >> 5, 6);
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	out(UART_LCR, UART_LCR_CONF_MODE_A);
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	ck_assert_uint_eq(in(UART_IIR) >> 5, 6);
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	out(UART_LCR, 0);

	/* Not an XScale: IER bit 6 does not stick. */
	s1 = in(UART_IER);
	out(UART_IER, s1 | UART_IER_UUE);
	ck_assert_uint_eq(in(UART_IER) & UART_IER_UUE, 0);
	out(UART_IER, s1);

	/* size_fifo(): 256 bytes sent in loopback, the receiver keeps 16. */
	ck_assert_int_eq(size_fifo(), UART_FIFO_SIZE);

	/* Reset the UART as autoconfig does. */
	out(UART_LCR, save_lcr);
	out(UART_MCR, save_mcr);
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	out(UART_FCR, 0);
	in(UART_RX);
	out(UART_IER, 0);
	ck_assert_uint_ne(in(UART_LSR), 0xff);

	/* The generic FIFO probe: FCR=0xe7, then IIR 7:6 = 11 means 16550A. */
	out(UART_FCR, 0xe7);
	ck_assert_uint_eq(in(UART_IIR) & 0xc0, 0xc0);
	ck_assert_uint_eq(r.ntx, 0);
	ck_assert_uint_eq(r.nlevels, 0);
}
END_TEST

/* arch/x86/boot/early_serial_console.c and earlyprintk=serial: polled. */
START_TEST(earlyprintk_polled_output)
{
	const char *msg = "Linux version";
	uint8_t c;

	out(UART_LCR, 0x03);
	out(UART_IER, 0);
	out(UART_FCR, 0);
	out(UART_MCR, 0x03);
	c = in(UART_LCR);
	out(UART_LCR, c | UART_LCR_DLAB);
	out(UART_DLL, 1);
	out(UART_DLM, 0);
	out(UART_LCR, c & ~UART_LCR_DLAB);
	for (const char *p = msg; *p; p++) {
		ck_assert_uint_ne(in(UART_LSR) & UART_LSR_THRE, 0);
		out(UART_TX, *p);
	}
	ck_assert_str_eq(r.tx, msg);
	ck_assert_uint_eq(r.nlevels, 0);
}
END_TEST

#define THREAD_BYTES 20000

static void *feeder(void *arg)
{
	struct uart *uu = arg;

	for (int i = 0; i < THREAD_BYTES; i++)
		while (!uart__input(uu, (uint8_t)i))
			sched_yield();
	return NULL;
}

/* The input thread and a vCPU thread at once: nothing lost or reordered. */
START_TEST(concurrent_input_and_reads)
{
	pthread_t t;
	int got = 0;

	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	out(UART_IER, UART_IER_RDI);
	out(UART_MCR, UART_MCR_OUT2);
	ck_assert_int_eq(pthread_create(&t, NULL, feeder, &u), 0);
	while (got < THREAD_BYTES) {
		if (!(in(UART_LSR) & UART_LSR_DR)) {
			sched_yield();
			continue;
		}
		ck_assert_uint_eq(in(UART_RX), (uint8_t)got);
		got++;
	}
	pthread_join(t, NULL);
	ck_assert_uint_eq(in(UART_LSR) & UART_LSR_DR, 0);
	ck_assert_int_eq(u.irq_level, 0);
}
END_TEST

static Suite *uart_suite(void)
{
	Suite *s = suite_create("uart");
	TCase *t = tcase_create("core");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, power_on_state);
	tcase_add_test(t, register_read_write);
	tcase_add_test(t, dlab_switches_offsets_0_and_1);
	tcase_add_test(t, fifo_fill_and_overflow);
	tcase_add_test(t, loopback);
	tcase_add_test(t, modem_status_deltas);
	tcase_add_test(t, iir_priorities_and_clearing);
	tcase_add_test(t, irq_level_follows_pending_and_out2);
	tcase_add_test(t, linux_thre_retest);
	tcase_add_test(t, linux_8250_autoconfig);
	tcase_add_test(t, earlyprintk_polled_output);
	tcase_add_test(t, concurrent_input_and_reads);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(uart_suite)

/* The parsers of what a TD and a QGS send cvm-run (arch/x86/tdx-ghci.c,
 * arch/x86/tdx-qgs.c): QGS addresses, the QGS framing both ways, the
 * GetQuote header, ReportFatalError's registers. */
#include <string.h>
#include <sys/socket.h>

#include "arch/x86/tdx-ghci.h"
#include "arch/x86/tdx-qgs.h"
#include "loader/error.h"
#include "tests/unit/test.h"

START_TEST(qgs_addresses)
{
	static const char *bad[] = { "", "tcp:1.2.3.4", "relative.sock", "vsock:2", "vsock:x:1",
				     "vsock:2:4294967296", "unix:" };
	struct tdx_qgs_addr a;
	char longpath[200];

	ck_assert_int_eq(tdx_qgs__parse_addr("unix:/run/qgs.sock", &a), 0);
	ck_assert_int_eq(a.family, AF_UNIX);
	ck_assert_str_eq(a.path, "/run/qgs.sock");
	ck_assert_int_eq(tdx_qgs__parse_addr("/var/run/tdx-qgs/qgs.socket", &a), 0);
	ck_assert_str_eq(a.path, "/var/run/tdx-qgs/qgs.socket");
	ck_assert_int_eq(tdx_qgs__parse_addr("vsock:2:4050", &a), 0);
	ck_assert_int_eq(a.family, AF_VSOCK);
	ck_assert_uint_eq(a.cid, 2);
	ck_assert_uint_eq(a.port, 4050);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(tdx_qgs__parse_addr(bad[i], &a), -1);
		ck_assert_ptr_nonnull(strstr(err__msg(), "--tdx-qgs: "));
	}
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = 0;
	ck_assert_int_eq(tdx_qgs__parse_addr(longpath, &a), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "a socket path of 1 to 107 bytes"));
}
END_TEST

START_TEST(qgs_request_bytes)
{
	static const uint8_t want[] = {
		0x00, 0x00, 0x00, 0x1b,                         /* 27, big-endian */
		0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, /* 1.1, GET_QUOTE_REQ */
		0x1b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* size, error */
		0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* report size, id list */
		'a', 'b', 'c',
	};
	uint8_t out[64];

	ck_assert_uint_eq(tdx_qgs__request(out, (const uint8_t *)"abc", 3), sizeof(want));
	ck_assert_mem_eq(out, want, sizeof(want));
}
END_TEST

static uint8_t resp[64];

/* A GET_QUOTE_RESP of LEN bytes with a quote of Q bytes. */
static void response(size_t len, uint32_t q)
{
	memset(resp, 0, sizeof(resp));
	memcpy(resp, "\x01\x00\x01\x00\x01\x00\x00\x00", 8);
	resp[8] = (uint8_t)len;
	resp[20] = (uint8_t)q;
	memset(resp + 24, 0x77, sizeof(resp) - 24);
}

START_TEST(qgs_responses)
{
	const uint8_t *quote;
	uint32_t qlen;
	char why[160];

	response(40, 16);
	ck_assert_int_eq(tdx_qgs__response(resp, 40, &quote, &qlen, why, sizeof(why)), 0);
	ck_assert_ptr_eq(quote, resp + 24);
	ck_assert_uint_eq(qlen, 16);
	response(24, 0);                                        /* an empty quote */
	ck_assert_int_eq(tdx_qgs__response(resp, 24, &quote, &qlen, why, sizeof(why)), 0);
	ck_assert_uint_eq(qlen, 0);

	ck_assert_int_eq(tdx_qgs__response(resp, 23, &quote, &qlen, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "QGS answer of 23 bytes, shorter than its header");
	response(40, 16);
	resp[0] = 2;
	ck_assert_int_eq(tdx_qgs__response(resp, 40, &quote, &qlen, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "QGS message version 2.1, expected 1.1");
	response(40, 16);
	resp[4] = 0;                                            /* a request */
	ck_assert_int_eq(tdx_qgs__response(resp, 40, &quote, &qlen, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "QGS message type 0, expected GET_QUOTE_RESP");
	response(40, 16);
	resp[12] = 5;
	ck_assert_int_eq(tdx_qgs__response(resp, 40, &quote, &qlen, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "QGS error code 5");
	response(41, 16);                                       /* size beyond the message */
	ck_assert_int_eq(tdx_qgs__response(resp, 40, &quote, &qlen, why, sizeof(why)), -1);
	response(40, 17);
	ck_assert_int_eq(tdx_qgs__response(resp, 40, &quote, &qlen, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "QGS answer of 40 bytes says size 40, selected id 0, quote 17 bytes");
	response(40, 16);
	resp[16] = 1;                                           /* a selected id */
	ck_assert_int_eq(tdx_qgs__response(resp, 40, &quote, &qlen, why, sizeof(why)), -1);
	response(40, 0xffffffff);
	resp[21] = resp[22] = resp[23] = 0xff;
	ck_assert_int_eq(tdx_qgs__response(resp, 40, &quote, &qlen, why, sizeof(why)), -1);
}
END_TEST

START_TEST(quote_header)
{
	uint8_t h[24] = { 1, [16] = 0x00, [17] = 0x04 };        /* version 1, in_len 1024 */
	struct tdx_quote_hdr hdr;

	ck_assert_uint_eq(tdx_ghci__quote_request(0x1000, 0x2000, h, &hdr), TDVMCALL_STATUS_SUCCESS);
	ck_assert_uint_eq(hdr.in_len, 1024);
	ck_assert_uint_eq(tdx_ghci__quote_request(0x1000, 0, h, &hdr),
			  TDVMCALL_STATUS_INVALID_OPERAND);
	ck_assert_uint_eq(tdx_ghci__quote_request(0x1001, 0x2000, h, &hdr),
			  TDVMCALL_STATUS_ALIGN_ERROR);
	ck_assert_uint_eq(tdx_ghci__quote_request(0x1000, 0x2001, h, &hdr),
			  TDVMCALL_STATUS_ALIGN_ERROR);
	ck_assert_uint_eq(tdx_ghci__quote_request(0x1000, 0x21000, h, &hdr),
			  TDVMCALL_STATUS_INVALID_OPERAND);
	ck_assert_uint_eq(tdx_ghci__quote_request(0x1000, 0x20000, h, &hdr),
			  TDVMCALL_STATUS_SUCCESS);
	h[16] = 0xe9;                                           /* in_len 0xfe9: one byte */
	h[17] = 0x0f;                                           /* more than 0x1000 - 24 */
	ck_assert_uint_eq(tdx_ghci__quote_request(0x1000, 0x1000, h, &hdr),
			  TDVMCALL_STATUS_INVALID_OPERAND);
	h[16] = 0xe8;
	ck_assert_uint_eq(tdx_ghci__quote_request(0x1000, 0x1000, h, &hdr), TDVMCALL_STATUS_SUCCESS);
	h[0] = 2;
	ck_assert_uint_eq(tdx_ghci__quote_request(0x1000, 0x1000, h, &hdr),
			  TDVMCALL_STATUS_INVALID_OPERAND);

	tdx_ghci__quote_put(h, TDX_QUOTE_QGS_UNAVAILABLE, 0x1234);
	ck_assert_mem_eq(h + 8, "\x01\x00\x00\x00\x00\x00\x00\x80\xe8\x0f\x00\x00\x34\x12\x00\x00",
			 16);
}
END_TEST

START_TEST(fatal_registers)
{
	uint64_t d[16] = { 0 };
	char line[200];

	d[12] = 0x30000;
	tdx_ghci__fatal(d, 16, line, sizeof(line));
	ck_assert_str_eq(line, "guest reported a fatal error: code 0x30000");
	/* The message in RCX's registers, in GHCI's order; the GPA if valid. */
	d[1] = 1u << 14 | 1u << 3 | 1u << 2;                     /* R14, RBX, RDX */
	memcpy(&d[14], "Hello, w", 8);
	memcpy(&d[3], "orld\x01\x02" "ab", 8);
	memcpy(&d[2], "IGNORED!", 8);                           /* after the NUL-free run... */
	d[12] |= 1ull << 63;
	d[13] = 0xfeed000;
	tdx_ghci__fatal(d, 16, line, sizeof(line));
	ck_assert_str_eq(line, "guest reported a fatal error: code 0x8000000000030000, "
			       "\"Hello, world??abIGNORED!\", gpa 0xfeed000");
	memcpy(&d[3], "orld\0xyz", 8);                          /* ...a NUL ends it */
	tdx_ghci__fatal(d, 16, line, sizeof(line));
	ck_assert_str_eq(line, "guest reported a fatal error: code 0x8000000000030000, "
			       "\"Hello, world\", gpa 0xfeed000");
	/* Fewer registers than R13: nothing is read past them. */
	tdx_ghci__fatal(d, 13, line, sizeof(line));
	ck_assert_str_eq(line, "guest reported a fatal error (13 registers, expected 16)");
	/* Every message register full: 64 characters, and a short buffer. */
	d[1] = ~0ull;
	for (int i = 2; i < 16; i++)
		memset(&d[i], 'x', 8);
	tdx_ghci__fatal(d, 16, line, 40);
	ck_assert_uint_eq(strlen(line), 39);
}
END_TEST

static Suite *tdx_ghci_suite(void)
{
	Suite *s = suite_create("tdx-ghci");
	TCase *t = tcase_create("parse");

	tcase_add_test(t, qgs_addresses);
	tcase_add_test(t, qgs_request_bytes);
	tcase_add_test(t, qgs_responses);
	tcase_add_test(t, quote_header);
	tcase_add_test(t, fatal_registers);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(tdx_ghci_suite)

/* The relay from a TD's GetQuote to Intel's Quote Generation Service, in
 * the framing QEMU's quote generator uses (target/i386/kvm/
 * tdx-quote-generator.c): over a fresh unix or vsock connection, a 4-byte
 * big-endian length, then a QGS message: a 16-byte header {major 1, minor 1,
 * type, size of the message, error code} and, for GET_QUOTE_REQ, the report
 * size, an empty id list and the report; the answer is a GET_QUOTE_RESP
 * {header, selected id size 0, quote size} and the quote.  Multi-byte
 * fields of the message are host (little-endian) order, as QEMU's. */
#ifndef CVM_X86_TDX_QGS_H
#define CVM_X86_TDX_QGS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#define QGS_PREFIX      4       /* the big-endian length before each message */
#define QGS_REQ_SIZE    24      /* header + report_size + id_list_size */
#define QGS_RESP_SIZE   24      /* header + selected_id_size + quote_size */
#define QGS_TIMEOUT_S   30      /* per exchange, as QEMU */

struct tdx_qgs_addr {
	int family;                     /* AF_UNIX or AF_VSOCK; 0: none */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint32_t cid, port;
};

/* "unix:PATH", "vsock:CID:PORT", or a path starting with '/'.  -1 with
 * err__set("--tdx-qgs: ...") otherwise. */
int tdx_qgs__parse_addr(const char *s, struct tdx_qgs_addr *a);

/* The framed request for REPORT (LEN bytes) into OUT, which has room for
 * QGS_PREFIX + QGS_REQ_SIZE + LEN bytes; returns the bytes written. */
size_t tdx_qgs__request(uint8_t *out, const uint8_t *report, uint32_t len);
/* Checks the response message MSG (LEN bytes, without the length prefix):
 * version 1.1, GET_QUOTE_RESP, sizes that add up, error code 0, no
 * selected id.  0 with *QUOTE and *QUOTE_LEN inside MSG, or -1 with the
 * reason in WHY. */
int tdx_qgs__response(const uint8_t *msg, size_t len, const uint8_t **quote,
		      uint32_t *quote_len, char *why, size_t whylen);

/* A connected socket to A with QGS_TIMEOUT_S send and receive timeouts, or
 * -1 with the reason in WHY. */
int tdx_qgs__connect(const struct tdx_qgs_addr *a, char *why, size_t whylen);
/* Sends REQ (REQ_LEN bytes) on FD and reads one response message of at most
 * MAX bytes into a new buffer (*MSG, *MSG_LEN; free() it).  0, or -1 with
 * the reason in WHY (I/O error, timeout, shut down, oversized answer). */
int tdx_qgs__exchange(int fd, const uint8_t *req, size_t req_len, size_t max, uint8_t **msg,
		      size_t *msg_len, char *why, size_t whylen);

#endif

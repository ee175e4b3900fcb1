#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h>    /* after sys/socket.h: 6.1 headers need sockaddr */
#include <sys/time.h>
#include <unistd.h>

#include "arch/x86/tdx-qgs.h"
#include "loader/error.h"
#include "loader/parse.h"

#define QGS_MAJOR       1
#define QGS_MINOR       1
#define QGS_HEADER      16
#define GET_QUOTE_REQ   0
#define GET_QUOTE_RESP  1

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	return put16(put16(p, (uint16_t)v), (uint16_t)(v >> 16));
}

int tdx_qgs__parse_addr(const char *s, struct tdx_qgs_addr *a)
{
	uint64_t cid, port;
	const char *path = s;
	char *colon;

	memset(a, 0, sizeof(*a));
	if (!strncmp(s, "vsock:", 6)) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s", s + 6);
		colon = strchr(buf, ':');
		if (!colon)
			return err__set("--tdx-qgs: '%s': expected vsock:CID:PORT", s);
		*colon = 0;
		if (parse__u64(buf, &cid) < 0 || cid > UINT32_MAX ||
		    parse__u64(colon + 1, &port) < 0 || port > UINT32_MAX)
			return err__set("--tdx-qgs: '%s': CID and PORT are 32-bit numbers", s);
		a->family = AF_VSOCK;
		a->cid = (uint32_t)cid;
		a->port = (uint32_t)port;
		return 0;
	}
	if (!strncmp(s, "unix:", 5))
		path = s + 5;
	else if (s[0] != '/')
		return err__set("--tdx-qgs: '%s': expected unix:PATH, vsock:CID:PORT or an "
				"absolute path", s);
	if (!*path || strlen(path) >= sizeof(a->path))
		return err__set("--tdx-qgs: '%s': a socket path of 1 to %zu bytes", s,
				sizeof(a->path) - 1);
	a->family = AF_UNIX;
	strcpy(a->path, path);
	return 0;
}

size_t tdx_qgs__request(uint8_t *out, const uint8_t *report, uint32_t len)
{
	uint32_t size = QGS_REQ_SIZE + len;
	uint8_t *p = out;

	/* The length prefix is big-endian, the message itself is not. */
	for (int i = 0; i < QGS_PREFIX; i++)
		*p++ = (uint8_t)(size >> (8 * (QGS_PREFIX - 1 - i)));
	p = put16(p, QGS_MAJOR);
	p = put16(p, QGS_MINOR);
	p = put32(p, GET_QUOTE_REQ);
	p = put32(p, size);
	p = put32(p, 0);                /* error code */
	p = put32(p, len);              /* report size */
	p = put32(p, 0);                /* id list size */
	memcpy(p, report, len);
	return QGS_PREFIX + size;
}

int tdx_qgs__response(const uint8_t *msg, size_t len, const uint8_t **quote,
		      uint32_t *quote_len, char *why, size_t whylen)
{
	uint32_t size, err, id, q;

	if (len < QGS_RESP_SIZE) {
		snprintf(why, whylen, "QGS answer of %zu bytes, shorter than its header", len);
		return -1;
	}
	if (msg[0] != QGS_MAJOR || msg[1] || msg[2] != QGS_MINOR || msg[3]) {
		snprintf(why, whylen, "QGS message version %u.%u, expected 1.1",
			 msg[0] | msg[1] << 8, msg[2] | msg[3] << 8);
		return -1;
	}
	if (get32(msg + 4) != GET_QUOTE_RESP) {
		snprintf(why, whylen, "QGS message type %u, expected GET_QUOTE_RESP",
			 get32(msg + 4));
		return -1;
	}
	size = get32(msg + 8);
	err = get32(msg + 12);
	id = get32(msg + 16);
	q = get32(msg + 20);
	if (err) {
		snprintf(why, whylen, "QGS error code %u", err);
		return -1;
	}
	/* QEMU's checks: the header's size within the message, no id, and
	 * the quote all that follows. */
	if (size > len || id || q != len - QGS_RESP_SIZE) {
		snprintf(why, whylen, "QGS answer of %zu bytes says size %u, selected id %u, "
			 "quote %u bytes", len, size, id, q);
		return -1;
	}
	*quote = msg + QGS_RESP_SIZE;
	*quote_len = q;
	return 0;
}

int tdx_qgs__connect(const struct tdx_qgs_addr *a, char *why, size_t whylen)
{
	struct timeval tv = { .tv_sec = QGS_TIMEOUT_S };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct sockaddr_vm vm = { .svm_family = AF_VSOCK, .svm_cid = a->cid, .svm_port = a->port };
	const struct sockaddr *sa = a->family == AF_UNIX ? (struct sockaddr *)&un :
							  (struct sockaddr *)&vm;
	socklen_t salen = a->family == AF_UNIX ? sizeof(un) : sizeof(vm);
	int fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(why, whylen, "QGS socket: %s", strerror(errno));
		return -1;
	}
	memcpy(un.sun_path, a->path, sizeof(un.sun_path));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, sa, salen) < 0) {
		snprintf(why, whylen, "QGS %s%s: %s", a->family == AF_UNIX ? "unix:" : "vsock",
			 a->family == AF_UNIX ? a->path : "", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int io_all(int fd, uint8_t *buf, size_t len, bool out, char *why, size_t whylen)
{
	while (len) {
		ssize_t n = out ? send(fd, buf, len, MSG_NOSIGNAL) : recv(fd, buf, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(why, whylen, "QGS %s: %s", out ? "send" : "receive",
				 n ? strerror(errno) : "connection closed");
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int tdx_qgs__exchange(int fd, const uint8_t *req, size_t req_len, size_t max, uint8_t **msg,
		      size_t *msg_len, char *why, size_t whylen)
{
	uint8_t prefix[QGS_PREFIX];
	uint32_t len = 0;

	*msg = NULL;
	if (io_all(fd, (uint8_t *)req, req_len, true, why, whylen) < 0 ||
	    io_all(fd, prefix, sizeof(prefix), false, why, whylen) < 0)
		return -1;
	for (int i = 0; i < QGS_PREFIX; i++)
		len = len << 8 | prefix[i];
	if (len == 0 || len > max) {
		snprintf(why, whylen, "QGS answer of %u bytes, room for 1 to %zu", len, max);
		return -1;
	}
	*msg = malloc(len);
	if (!*msg) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (io_all(fd, *msg, len, false, why, whylen) < 0) {
		free(*msg);
		*msg = NULL;
		return -1;
	}
	*msg_len = len;
	return 0;
}

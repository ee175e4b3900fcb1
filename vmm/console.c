#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "loader/error.h"
#include "loader/outfile.h"
#include "vmm/console.h"
#include "vmm/expect.h"

int console__init(struct console *c, const char *expect, void (*on_end)(void *ctx, int err),
		  void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->out_fd = STDOUT_FILENO;
	c->out_name = "stdout";
	c->on_end = on_end;
	c->ctx = ctx;
	if (expect && !(c->expect = expect__new(expect, "--expect")))
		return -1;
	return 0;
}

int console__open(struct console *c, const char *file)
{
	if (!file)
		return 0;
	c->out_fd = outfile__open_stream("--console file:", file);
	if (c->out_fd < 0) {
		c->out_fd = STDOUT_FILENO;
		return -1;
	}
	c->out_name = file;
	c->own_fd = true;
	return 0;
}

void console__exit(struct console *c)
{
	if (c->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
	if (c->own_fd)
		close(c->out_fd);
	expect__free(c->expect);
	c->expect = NULL;
	c->raw = c->own_fd = false;
}

void console__tx(struct console *c, uint8_t byte)
{
	ssize_t r;

	do {
		r = write(c->out_fd, &byte, 1);
		/* An inherited non-blocking stdout: wait until it drains. */
		if (r < 0 && errno == EAGAIN)
			poll(&(struct pollfd){ .fd = c->out_fd, .events = POLLOUT }, 1, -1);
	} while (r < 0 && (errno == EINTR || errno == EAGAIN));
	/* Output lost is a failed run, not a quiet one (first error only). */
	if (r < 0 && !c->failed) {
		c->failed = true;
		c->on_end(c->ctx, errno);
	}
	if (!c->expect || c->matched)
		return;
	/* Lines are matched as they grow, one step per byte, so a prompt
	 * without a newline matches too. */
	if (byte == '\n' || byte == '\r') {
		expect__newline(c->expect);
	} else if (expect__feed(c->expect, byte)) {
		c->matched = true;
		c->on_end(c->ctx, 0);
	}
}

bool console__want_input(struct console *c)
{
	struct termios t;

	if (c->own_fd || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &c->saved) < 0)
		return false;
	t = c->saved;
	cfmakeraw(&t);
	t.c_lflag |= ISIG;              /* Ctrl-C still ends cvm-run */
	t.c_oflag |= OPOST | ONLCR;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
		c->raw = true;
	return true;
}

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "loader/error.h"
#include "vmm/console.h"
#include "vmm/expect.h"

int console__init(struct console *c, const char *expect, void (*on_match)(void *ctx),
		  void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->out_fd = STDOUT_FILENO;
	c->on_match = on_match;
	c->ctx = ctx;
	if (expect && !(c->expect = expect__new(expect, "--expect")))
		return -1;
	return 0;
}

int console__open(struct console *c, const char *file)
{
	if (!file)
		return 0;
	c->out_fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (c->out_fd < 0) {
		c->out_fd = STDOUT_FILENO;
		return err__set("--console file:%s: %s", file, strerror(errno));
	}
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

	do
		r = write(c->out_fd, &byte, 1);
	while (r < 0 && errno == EINTR);
	if (!c->expect || c->matched)
		return;
	/* Lines are matched as they grow, one step per byte, so a prompt
	 * without a newline matches too. */
	if (byte == '\n' || byte == '\r') {
		expect__newline(c->expect);
	} else if (expect__feed(c->expect, byte)) {
		c->matched = true;
		c->on_match(c->ctx);
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

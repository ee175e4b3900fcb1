#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "loader/error.h"
#include "vmm/console.h"

int console__init(struct console *c, const char *expect, void (*on_match)(void *ctx),
		  void *ctx)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->out_fd = STDOUT_FILENO;
	c->on_match = on_match;
	c->ctx = ctx;
	if (expect) {
		r = regcomp(&c->expect, expect, REG_EXTENDED | REG_NOSUB);
		if (r) {
			char buf[128];

			regerror(r, &c->expect, buf, sizeof(buf));
			return err__set("--expect: bad regular expression '%s': %s", expect, buf);
		}
		c->has_expect = true;
	}
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
	if (c->has_expect)
		regfree(&c->expect);
	c->raw = c->own_fd = c->has_expect = false;
}

static void match(struct console *c)
{
	c->line[c->len] = 0;
	if (!c->matched && regexec(&c->expect, c->line, 0, NULL, 0) == 0) {
		c->matched = true;
		c->on_match(c->ctx);
	}
}

void console__tx(struct console *c, uint8_t byte)
{
	ssize_t r;

	do
		r = write(c->out_fd, &byte, 1);
	while (r < 0 && errno == EINTR);
	if (!c->has_expect)
		return;
	/* Lines are matched as they grow, so a prompt without a newline
	 * matches too; an over-long line keeps its newest bytes. */
	if (byte == '\n' || byte == '\r') {
		c->len = 0;
		return;
	}
	if (c->len == CONSOLE_LINE_MAX) {
		memmove(c->line, c->line + CONSOLE_LINE_MAX / 2, CONSOLE_LINE_MAX / 2);
		c->len = CONSOLE_LINE_MAX / 2;
	}
	c->line[c->len++] = byte;
	match(c);
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

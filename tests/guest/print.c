/* The guests' small printf: "cvm-guest: " lines through the architecture's
 * serial__putc. */
#include <stdarg.h>

#include "common.h"

static void put_str(const char *s)
{
	while (*s)
		serial__putc(*s++);
}

static void put_num(uint64_t v, unsigned base, unsigned width, char pad)
{
	char buf[24];
	unsigned n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width > n && width--)
		serial__putc(pad);
	while (n)
		serial__putc(buf[--n]);
}

/* The subset of printf the guest uses: a "0" flag, a width, "l"/"ll",
 * and the conversions u x s. */
static void vsay(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		unsigned width = 0;
		bool is_long = false;
		char pad = ' ';

		if (*fmt != '%') {
			serial__putc(*fmt);
			continue;
		}
		if (*++fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		while (*fmt == 'l') {
			is_long = true;
			fmt++;
		}
		switch (*fmt) {
		case 'u':
		case 'x':
			put_num(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned),
				*fmt == 'u' ? 10 : 16, width, pad);
			break;
		case 's':
			put_str(va_arg(ap, const char *));
			break;
		default:	/* unsupported: stop rather than misread va_args */
			return;
		}
	}
}

void say(const char *fmt, ...)
{
	va_list ap;

	put_str("cvm-guest: ");
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	serial__putc('\n');
}

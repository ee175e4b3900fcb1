#include <stdarg.h>
#include <stdio.h>

#include "loader/error.h"

/* Per thread: measurement workers and vCPU threads report independently. */
static __thread char msg[512];
static __thread int status;

static int vset(int st, const char *fmt, va_list ap)
{
	vsnprintf(msg, sizeof(msg), fmt, ap);
	status = st;
	return -1;
}

int err__set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(CVM_EXIT_BADINPUT, fmt, ap);
	va_end(ap);
	return -1;
}

int err__set_status(int st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(st, fmt, ap);
	va_end(ap);
	return -1;
}

const char *err__msg(void)
{
	return msg[0] ? msg : "unknown error";
}

int err__status(void)
{
	return status ? status : CVM_EXIT_FAIL;
}

void err__clear(void)
{
	msg[0] = 0;
	status = 0;
}

/* One-line error reporting for bad input and missing host features.
 *
 * Library code never prints: it records one line with err__set() and returns
 * -1; the program's main prints err__msg() and picks the exit status from
 * err__status() (2 for bad input, 3 for a missing host feature, 1 otherwise). */
#ifndef CVM_ERROR_H
#define CVM_ERROR_H

enum cvm_exit {
	CVM_EXIT_FAIL     = 1,   /* VMM or guest failure */
	CVM_EXIT_BADINPUT = 2,   /* files, options, config, firmware tables */
	CVM_EXIT_NOHOST   = 3,   /* the host lacks what was asked */
	CVM_EXIT_TIMEOUT  = 124,
	CVM_EXIT_NOMATCH  = 125, /* the guest ended before --expect matched */
};

/* Records "fmt..." as the current error with status 2; returns -1. */
int err__set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same with an explicit status. */
int err__set_status(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *err__msg(void);
int err__status(void);
void err__clear(void);

#endif

/* The guest's console on the host: where serial output goes, the --expect
 * matcher a CI smoke test stops on, and terminal input. */
#ifndef CVM_CONSOLE_H
#define CVM_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

struct expect;

struct console {
	int out_fd;
	const char *out_name;           /* "stdout" or the --console file */
	bool own_fd;
	bool failed;                    /* a write failed: reported once */
	struct expect *expect;          /* NULL: no --expect */
	bool matched;
	void (*on_end)(void *ctx, int err);     /* 0: --expect matched; an errno: write failed */
	void *ctx;
	bool raw;                       /* stdin put in raw mode, restore at exit */
	struct termios saved;
};

/* Output to stdout until console__open.  EXPECT NULL = no matching, else a
 * vmm/expect.h pattern.  -1 + err__set() on a bad pattern (naming the
 * option). */
int console__init(struct console *c, const char *expect, void (*on_end)(void *ctx, int err),
		  void *ctx);
/* Sends output to FILE (NULL: stdout), truncating it: called once the host
 * has proven it can run the VM, so a failed start destroys no file. */
int console__open(struct console *c, const char *file);
void console__exit(struct console *c);
/* One byte of guest output. */
void console__tx(struct console *c, uint8_t byte);
/* Puts the terminal in raw mode (keeping Ctrl-C) when stdin is one and
 * output is stdio; returns whether input should be read. */
bool console__want_input(struct console *c);

#endif

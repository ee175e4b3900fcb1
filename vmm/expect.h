/* The --expect matcher: a bounded subset of POSIX extended regular
 * expressions, compiled to a Thompson NFA and run over the console output
 * one byte at a time.  Each byte costs at most one step of every NFA state
 * (EXPECT_MAX_STATES), so matching is linear in the output, and compiling is
 * bounded by the limit: counted repetition is sized before it is expanded
 * and refused past it, and an empty body repeated is not expanded at all.  Recursion (parsing, sizing, emitting) is as
 * deep as the nesting, which EXPECT_MAX_DEPTH bounds.  The README's
 * "--expect syntax" is this file in prose.
 *
 * Matching is per line: expect__newline() starts a new one (the console
 * calls it on CR and LF), '^' matches at the start of a line, '$' at the
 * byte just fed, and a match is reported as soon as the line so far ends
 * with one. */
#ifndef CVM_EXPECT_H
#define CVM_EXPECT_H

#include <stdbool.h>
#include <stdint.h>

#define EXPECT_MAX_PATTERN 1024 /* bytes of pattern */
#define EXPECT_MAX_STATES  2048 /* NFA instructions once {n,m} is expanded */
#define EXPECT_MAX_DEPTH   64   /* nested groups and repetitions */
#define EXPECT_MAX_REPEAT  255  /* n and m of {n,m} (POSIX RE_DUP_MAX) */

struct expect;

/* Compiles PATTERN; NULL with err__set("NAME: at byte N: what") (status 2)
 * or, on allocation failure, status 1.  NAME is the option as the user
 * gave it (--expect, or a config key). */
struct expect *expect__new(const char *pattern, const char *name);
void expect__free(struct expect *e);
/* One byte of the current line; true when the line so far ends with a
 * match of the pattern (and on every later byte that also ends one). */
bool expect__feed(struct expect *e, uint8_t byte);
/* A new line starts: '^' matches again, nothing carries over. */
void expect__newline(struct expect *e);

#endif

/* A strict reader for cvm-run's INI config files.
 *
 * It takes exactly what it can represent: "[section]" lines, "key = value"
 * lines starting at column 1, and whole-line comments (";" or "#", indented
 * or not).  It refuses, with the line number, what other INI readers would
 * silently reinterpret: inline comments (" ;" or " #" inside a value),
 * indented lines (continuations elsewhere), duplicate keys in a section,
 * lines without "=", NUL bytes.  Keys and values lose surrounding blanks;
 * quotes mean nothing. */
#ifndef CVM_INI_H
#define CVM_INI_H

#include <stddef.h>

/* Called for each section header (KEY NULL) and each key, in file order;
 * returns 0, or -1 with err__set() to stop. */
typedef int (*ini_fn)(void *user, unsigned line, const char *section, const char *key,
		      const char *value);

/* Parses LEN bytes of TEXT.  0, or -1 with err__set("LINE: what") (the
 * caller adds the file name); a callback's error gets "LINE: " in front. */
int ini__parse(const char *text, size_t len, ini_fn fn, void *user);

#endif

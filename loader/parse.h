/* Numbers and sizes as users type them on command lines and in configs. */
#ifndef CVM_PARSE_H
#define CVM_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A size: decimal digits with an optional fraction, or 0x hex digits, then
 * an optional binary suffix K, M, G, T, P, E (any case, optionally followed
 * by "iB" or "B") or B for bytes.  "512M", "4G", "1.5G", "0x1000", "2k".
 * parse__size counts a bare number in bytes; parse__size_mib in MiB, as
 * QEMU's -m does ("-m 512" is 512 MiB).  -1 on empty, junk, overflow, or a
 * fraction that is not a whole number of bytes. */
int parse__size(const char *s, uint64_t *out);
int parse__size_mib(const char *s, uint64_t *out);
/* An unsigned integer with base auto-detection (0x.., 0.., decimal).  -1 on
 * empty, junk, or overflow. */
int parse__u64(const char *s, uint64_t *out);
/* A flag's value: "" (the flag given on a command line), 1/true/yes or
 * 0/false/no (a config file).  -1 on anything else. */
int parse__flag(const char *s, bool *out);
/* Exactly N bytes of hex, optionally 0x-prefixed, into D.  -1 on anything
 * else. */
int parse__hex(const char *s, uint8_t *d, size_t n);

#endif

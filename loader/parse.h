/* Numbers and sizes as users type them on command lines and in configs. */
#ifndef CVM_PARSE_H
#define CVM_PARSE_H

#include <stdint.h>

/* "512M", "4G", "1048576", "0x1000", "2k": binary suffixes K, M, G, T (any
 * case, optional trailing "iB"/"B").  -1 on empty, junk, or overflow. */
int parse__size(const char *s, uint64_t *out);
/* An unsigned integer with base auto-detection (0x.., 0.., decimal).  -1 on
 * empty, junk, or overflow. */
int parse__u64(const char *s, uint64_t *out);

#endif

/* Printing digests and JSON for cvm-measure. */
#ifndef CVM_MEASURE_OUTPUT_H
#define CVM_MEASURE_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

void out__hex(FILE *f, const uint8_t *d, size_t n);
void out__base64(FILE *f, const uint8_t *d, size_t n);
/* A JSON string literal, quoted and escaped, valid JSON for any bytes:
 * well-formed UTF-8 is kept; control characters, DEL and every byte that is
 * not part of well-formed UTF-8 become JSON u00XX escapes (byte 0xNN reads
 * as the code point U+00NN). */
void out__json_str(FILE *f, const char *s);
/* Parses exactly N bytes of hex (optionally 0x-prefixed); -1 on anything else. */
int out__parse_hex(const char *s, uint8_t *d, size_t n);

#endif

/* Decoding cvm-measure's --output-format rvps message in tests. */
#ifndef CVM_RVPS_TEST_H
#define CVM_RVPS_TEST_H

#include <stddef.h>

/* Checks MSG is one line {"version": "0.1.0", "type": "sample", "payload":
 * "BASE64"} and decodes the payload (standard base64, padded) into PAYLOAD,
 * NUL-ended.  Fails the test otherwise. */
void rvps_test__payload(const char *msg, char *payload, size_t cap);

#endif

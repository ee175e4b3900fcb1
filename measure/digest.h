/* The digests cvm-measure computes, each fetched once from OpenSSL's
 * default provider.  EVP_sha256() and friends fetch again on every
 * EVP_DigestInit_ex; and OpenSSL is started without reading openssl.cnf:
 * a public digest needs no configuration, and reading it costs more at
 * start-up than the rest of OpenSSL's set-up.  NULL with err__set() if
 * OpenSSL cannot give the digest. */
#ifndef CVM_MEASURE_DIGEST_H
#define CVM_MEASURE_DIGEST_H

#include <openssl/evp.h>

/* Starts OpenSSL on a thread of its own, so that its start-up runs beside
 * option parsing and opening the inputs instead of ahead of the first
 * digest: 1.3-1.5 ms on a no-KVM host, nearly all of it the first fetch,
 * which builds OpenSSL's name tables.  digest__join() waits for it; call it
 * before the process exits. */
void digest__start(void);
void digest__join(void);

const EVP_MD *digest__sha256(void);
const EVP_MD *digest__sha384(void);
const EVP_MD *digest__sha512(void);

#endif

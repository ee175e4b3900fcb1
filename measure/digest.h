/* The digests cvm-measure computes, each fetched once from OpenSSL's
 * default provider.  EVP_sha256() and friends fetch again on every
 * EVP_DigestInit_ex; and OpenSSL is started without reading openssl.cnf:
 * a public digest needs no configuration, and reading it costs more at
 * start-up than the rest of OpenSSL's set-up.  NULL with err__set() if
 * OpenSSL cannot give the digest. */
#ifndef CVM_MEASURE_DIGEST_H
#define CVM_MEASURE_DIGEST_H

#include <openssl/evp.h>

const EVP_MD *digest__sha256(void);
const EVP_MD *digest__sha384(void);
const EVP_MD *digest__sha512(void);

#endif

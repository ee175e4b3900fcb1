#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>

#include "loader/error.h"
#include "measure/digest.h"

static const char *const names[] = { "SHA256", "SHA384", "SHA512" };
static EVP_MD *mds[3];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Before OpenSSL's own cleanup, which atexit() runs after this (it was
 * registered first, by OPENSSL_init_crypto). */
static void release(void)
{
	for (size_t i = 0; i < sizeof(mds) / sizeof(mds[0]); i++)
		EVP_MD_free(mds[i]);
}

static void fetch_all(void)
{
	if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL))
		return;
	for (size_t i = 0; i < sizeof(mds) / sizeof(mds[0]); i++)
		mds[i] = EVP_MD_fetch(NULL, names[i], NULL);
	atexit(release);
}

static const EVP_MD *get(size_t i)
{
	pthread_once(&once, fetch_all);
	if (!mds[i])
		err__set_status(CVM_EXIT_FAIL, "OpenSSL has no %s here", names[i]);
	return mds[i];
}

const EVP_MD *digest__sha256(void)
{
	return get(0);
}

const EVP_MD *digest__sha384(void)
{
	return get(1);
}

const EVP_MD *digest__sha512(void)
{
	return get(2);
}

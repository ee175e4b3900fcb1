#include <openssl/crypto.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "loader/error.h"
#include "measure/digest.h"

static const char *const names[] = { "SHA256", "SHA384", "SHA512" };
static EVP_MD *mds[3];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_t starter;
static bool starting;

/* No cleanup at exit: the digests and OpenSSL's own tables stay reachable
 * from its globals until the process ends, and freeing them only delays
 * the exit. */
static void fetch_all(void)
{
	if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT, NULL))
		return;
	for (size_t i = 0; i < sizeof(mds) / sizeof(mds[0]); i++)
		mds[i] = EVP_MD_fetch(NULL, names[i], NULL);
}

static void *start(void *unused)
{
	(void)unused;
	pthread_once(&once, fetch_all);
	return NULL;
}

void digest__start(void)
{
	/* Without the thread, the first digest wanted starts OpenSSL itself. */
	starting = pthread_create(&starter, NULL, start, NULL) == 0;
}

void digest__join(void)
{
	if (starting)
		pthread_join(starter, NULL);
	starting = false;
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

/* The digests OpenSSL starts on its own thread (measure/digest.h) are the
 * ones asked for, whether a caller wants one while OpenSSL is still starting
 * or after the thread is joined. */
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "loader/parse.h"
#include "measure/digest.h"
#include "tests/unit/test.h"

static const struct {
	const EVP_MD *(*get)(void);
	const char *abc;        /* FIPS 180-2's digest of "abc" */
} kat[] = {
	{ digest__sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ digest__sha384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
			  "8086072ba1e7cc2358baeca134c825a7" },
	{ digest__sha512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
			  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
};

/* Each digest of "abc" right: asserted by the caller, on the test's thread. */
static bool all_right(void)
{
	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		const EVP_MD *md = kat[i].get();
		uint8_t want[64], got[64];
		unsigned int n = 0;

		if (!md || parse__hex(kat[i].abc, want, EVP_MD_get_size(md)) < 0 ||
		    !EVP_Digest("abc", 3, got, &n, md, NULL) || n != (unsigned)EVP_MD_get_size(md) ||
		    memcmp(got, want, n))
			return false;
	}
	return true;
}

static void *wanted_meanwhile(void *ok)
{
	*(bool *)ok = all_right();
	return NULL;
}

START_TEST(started_on_a_thread)
{
	bool meanwhile = false;
	pthread_t t;

	digest__start();
	ck_assert_int_eq(pthread_create(&t, NULL, wanted_meanwhile, &meanwhile), 0);
	ck_assert(all_right());
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert(meanwhile);
	digest__join();
	digest__join();         /* a second join waits for nothing */
	ck_assert(all_right());
}
END_TEST

static Suite *digest_suite(void)
{
	Suite *s = suite_create("digest");
	TCase *t = tcase_create("core");

	tcase_add_test(t, started_on_a_thread);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(digest_suite)

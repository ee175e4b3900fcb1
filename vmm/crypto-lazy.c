/* cvm-run's libcrypto, loaded when a launch first needs a digest.  A plain
 * VM needs none, and linking libcrypto cost every run 1.2 ms and 1.7 MiB
 * (Debian builds it BIND_NOW: thousands of symbol relocations and 126 page
 * faults at load, for an empty program; bench/vmm-setup.sh, vmm-rss.sh), a
 * tenth of a VM's whole set-up.  Launches that hash (the SEV hashes table,
 * TDX and realm measurements, --dry-run) do it while planning, before the
 * seccomp filter, which has no openat.  Only cvm-run links this file
 * (Makefile); cvm-measure and the tests link libcrypto itself.  A function
 * cvm-run starts to use must be forwarded here, or cvm-run does not link. */
#include <dlfcn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <pthread.h>
#include <stdio.h>

#define STR_(x) #x
#define STR(x)  STR_(x)

static void *lib;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	lib = dlopen("libcrypto.so." STR(OPENSSL_SHLIB_VERSION), RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		fprintf(stderr, "cvm-run: %s\n", dlerror());
}

/* NAME's address in libcrypto, looked up once into *CACHE; NULL (said
 * once) if libcrypto cannot be loaded. */
static void *resolve(void **cache, const char *name)
{
	void *f = __atomic_load_n(cache, __ATOMIC_ACQUIRE);

	if (!f) {
		pthread_once(&once, load);
		f = lib ? dlsym(lib, name) : NULL;
		__atomic_store_n(cache, f, __ATOMIC_RELEASE);
	}
	return f;
}

/* Defines NAME with libcrypto's prototype, calling libcrypto's NAME; FAIL
 * (failure in NAME's own terms) where it cannot be loaded. */
#define FORWARD(ret, name, fail, params, args)                                  \
	ret name params                                                         \
	{                                                                       \
		static void *cache;                                             \
		ret (*lib_fn) params = (ret (*) params)resolve(&cache, #name);  \
		return lib_fn ? lib_fn args : fail;                             \
	}

FORWARD(int, OPENSSL_init_crypto, 0, (uint64_t opts, const OPENSSL_INIT_SETTINGS *s), (opts, s))
FORWARD(const EVP_MD *, EVP_sha256, NULL, (void), ())
FORWARD(EVP_MD *, EVP_MD_fetch, NULL, (OSSL_LIB_CTX *c, const char *alg, const char *props),
	(c, alg, props))
FORWARD(int, EVP_MD_get_size, -1, (const EVP_MD *md), (md))
FORWARD(EVP_MD_CTX *, EVP_MD_CTX_new, NULL, (void), ())
FORWARD(int, EVP_MD_CTX_copy_ex, 0, (EVP_MD_CTX *out, const EVP_MD_CTX *in), (out, in))
FORWARD(int, EVP_DigestInit_ex, 0, (EVP_MD_CTX *c, const EVP_MD *md, ENGINE *e), (c, md, e))
FORWARD(int, EVP_DigestUpdate, 0, (EVP_MD_CTX *c, const void *d, size_t n), (c, d, n))
FORWARD(int, EVP_DigestFinal_ex, 0, (EVP_MD_CTX *c, unsigned char *md, unsigned int *n),
	(c, md, n))
FORWARD(int, EVP_Digest, 0, (const void *d, size_t n, unsigned char *md, unsigned int *len,
			     const EVP_MD *type, ENGINE *e), (d, n, md, len, type, e))
FORWARD(int, EVP_EncodeBlock, -1, (unsigned char *t, const unsigned char *f, int n), (t, f, n))

/* The one that returns nothing: NULL frees nothing, and with no libcrypto
 * every constructor above returned NULL. */
#define FORWARD_FREE(name, type)                                                \
	void name(type *p)                                                      \
	{                                                                       \
		static void *cache;                                             \
		void (*lib_fn)(type *) = p ? (void (*)(type *))resolve(&cache, #name) : NULL; \
		if (lib_fn)                                                     \
			lib_fn(p);                                              \
	}

FORWARD_FREE(EVP_MD_CTX_free, EVP_MD_CTX)

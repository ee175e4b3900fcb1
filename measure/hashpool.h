/* Digests on every core: file digests and page-content digests run on a few
 * worker threads while the caller chains the results in order.  A caller
 * that waits runs queued work itself, so nothing idles on a busy machine
 * and zero workers still works. */
#ifndef CVM_MEASURE_HASHPOOL_H
#define CVM_MEASURE_HASHPOOL_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

struct hash_pool;
struct hash_job;

/* NWORKERS threads besides the caller; NULL with err__set() on failure. */
struct hash_pool *hash_pool__new(unsigned nworkers);
/* Joins the workers; every job must have been freed. */
void hash_pool__free(struct hash_pool *hp);
/* CPUs this process may run on. */
unsigned hash_pool__cpus(void);

/* One MD digest of the file at PATH, read through a small buffer
 * (measure/fileio.h) so memory stays flat for any size.  PATH is opened
 * now (loader/blob.h's rules, at most MAX bytes, 0: any): NULL with
 * err__set() naming it if it cannot be, before any hashing. */
struct hash_job *hash_pool__file(struct hash_pool *hp, const EVP_MD *md, const char *path,
				 uint64_t max, const char *what);
/* One MD digest per CHUNK bytes of DATA (LEN a multiple of CHUNK). */
struct hash_job *hash_pool__chunks(struct hash_pool *hp, const EVP_MD *md, const uint8_t *data,
				   size_t len, size_t chunk);
/* Digest I of JOB (0 for a file), once computed; NULL with err__set() if
 * hashing failed ("PATH: shorter than when opened", status 2, when a file
 * shrank while it was read; PATH, as given, must outlive the job). */
const uint8_t *hash_job__wait(struct hash_job *j, size_t i);
/* Stops whatever JOB still has queued or running (its digests are no longer
 * wanted: an error elsewhere must not wait for a huge file), waits for the
 * threads to let go of it, then frees it. */
void hash_job__free(struct hash_job *j);

#endif

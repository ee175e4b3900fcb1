#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/blob.h"
#include "loader/error.h"
#include "measure/fileio.h"
#include "measure/hashpool.h"

#define CHUNKS_PER_TASK 32              /* 128 KiB of 4 KiB pages */

struct task {
	struct hash_job *job;
	size_t first, n;                /* chunks [first, first+n) */
	bool started, done;
	struct task *next;              /* in the pool's queue */
};

struct hash_job {
	struct hash_pool *hp;
	const EVP_MD *md;
	const uint8_t *data;            /* chunk jobs */
	size_t len, chunk;              /* a file job: its length */
	int fd;                         /* file jobs: one digest, fd >= 0 */
	const char *path;               /* file jobs: for the error */
	int err;                        /* errno of a failed read (0: OpenSSL failed) */
	size_t mdlen, ntasks;
	bool failed;
	bool cancel;                    /* freed unwaited: stop reading or hashing */
	uint8_t *out;                   /* mdlen per chunk */
	struct task tasks[];
};

struct hash_pool {
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct task *head, *tail;
	bool stop;
	unsigned nthreads;
	pthread_t threads[];
};

/* A whole file through one small buffer (measure/fileio.h): no page
 * faults once the buffer is, and memory stays flat for any size. */
static bool run_file(struct hash_job *j, EVP_MD_CTX *ctx)
{
	if (!EVP_DigestInit_ex(ctx, j->md, NULL))
		return false;
	if (fileio__digest(ctx, j->fd, 0, j->len, &j->cancel) < 0) {
		j->err = errno;
		return false;
	}
	return EVP_DigestFinal_ex(ctx, j->out, NULL);
}

/* A chunk of one repeated byte has the digest of the task's last such chunk
 * of that byte: hashed once, not per chunk.  Firmware volumes are mostly
 * free space (843 of OVMF.amdsev.fd's 1,024 pages are all 0xff or all 0),
 * and a comparison is 20 times faster than SHA-384. */
static bool run_chunks(struct task *t, EVP_MD_CTX *ctx)
{
	struct hash_job *j = t->job;
	const uint8_t *uniform_md = NULL;
	int uniform_byte = -1;
	bool ok = true;

	for (size_t c = t->first; ok && !__atomic_load_n(&j->cancel, __ATOMIC_RELAXED) &&
	     c < t->first + t->n; c++) {
		const uint8_t *d = j->data + c * j->chunk;
		uint8_t *out = j->out + c * j->mdlen;
		bool uniform = !memcmp(d, d + 1, j->chunk - 1);

		if (uniform && d[0] == uniform_byte) {
			memcpy(out, uniform_md, j->mdlen);
			continue;
		}
		ok = EVP_DigestInit_ex(ctx, j->md, NULL) &&
		     EVP_DigestUpdate(ctx, d, j->chunk) && EVP_DigestFinal_ex(ctx, out, NULL);
		if (uniform) {
			uniform_md = out;
			uniform_byte = d[0];
		}
	}
	return ok;
}

static bool run_task(struct task *t)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && (t->job->fd >= 0 ? run_file(t->job, ctx) : run_chunks(t, ctx));

	EVP_MD_CTX_free(ctx);
	return ok;
}

/* Takes queued task T (after PREV, or the head) and runs it; called and
 * returns with the lock held. */
static void run_one(struct hash_pool *hp, struct task *prev, struct task *t)
{
	bool ok;

	if (prev)
		prev->next = t->next;
	else
		hp->head = t->next;
	if (hp->tail == t)
		hp->tail = prev;
	t->started = true;
	pthread_mutex_unlock(&hp->lock);
	ok = run_task(t);
	pthread_mutex_lock(&hp->lock);
	if (!ok)
		t->job->failed = true;
	t->done = true;
	pthread_cond_broadcast(&hp->done);
}

static void *worker(void *arg)
{
	struct hash_pool *hp = arg;

	pthread_mutex_lock(&hp->lock);
	for (;;) {
		while (!hp->head && !hp->stop)
			pthread_cond_wait(&hp->work, &hp->lock);
		if (!hp->head)
			break;
		run_one(hp, NULL, hp->head);
	}
	pthread_mutex_unlock(&hp->lock);
	return NULL;
}

unsigned hash_pool__cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	return 1;
}

struct hash_pool *hash_pool__new(unsigned nworkers)
{
	struct hash_pool *hp = calloc(1, sizeof(*hp) + nworkers * sizeof(pthread_t));

	if (!hp) {
		err__set_status(CVM_EXIT_FAIL, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&hp->lock, NULL);
	pthread_cond_init(&hp->work, NULL);
	pthread_cond_init(&hp->done, NULL);
	/* Fewer workers than asked only costs speed: waiters run the work. */
	while (hp->nthreads < nworkers &&
	       pthread_create(&hp->threads[hp->nthreads], NULL, worker, hp) == 0)
		hp->nthreads++;
	return hp;
}

void hash_pool__free(struct hash_pool *hp)
{
	if (!hp)
		return;
	pthread_mutex_lock(&hp->lock);
	hp->stop = true;
	pthread_cond_broadcast(&hp->work);
	pthread_mutex_unlock(&hp->lock);
	for (unsigned i = 0; i < hp->nthreads; i++)
		pthread_join(hp->threads[i], NULL);
	pthread_cond_destroy(&hp->done);
	pthread_cond_destroy(&hp->work);
	pthread_mutex_destroy(&hp->lock);
	free(hp);
}

/* Queues NCHUNKS digests (one for a file) in tasks of PER chunks. */
static struct hash_job *submit(struct hash_pool *hp, const EVP_MD *md, size_t nchunks,
			       size_t per)
{
	size_t ntasks = (nchunks + per - 1) / per;
	struct hash_job *j;

	if (!md)
		return NULL;    /* digest__*() said why */
	j = calloc(1, sizeof(*j) + ntasks * sizeof(struct task));

	if (j)
		j->out = malloc(nchunks * EVP_MD_get_size(md) + 1);
	if (!j || !j->out) {
		free(j);
		err__set_status(CVM_EXIT_FAIL, "out of memory");
		return NULL;
	}
	j->hp = hp;
	j->md = md;
	j->fd = -1;
	j->mdlen = EVP_MD_get_size(md);
	j->ntasks = ntasks;
	for (size_t i = 0; i < ntasks; i++) {
		struct task *t = &j->tasks[i];

		t->job = j;
		t->first = i * per;
		t->n = nchunks - t->first < per ? nchunks - t->first : per;
	}
	return j;
}

/* Bytes task T hashes: what decides who may take it. */
static uint64_t cost(const struct task *t)
{
	return t->job->fd >= 0 ? t->job->len : t->n * t->job->chunk;
}

/* File digests go ahead of everything else, the longest first: each is one
 * sequential stream, and the longest one bounds the whole run, so it must
 * start at once.  Page batches queue behind them in order. */
static void enqueue(struct hash_job *j)
{
	struct hash_pool *hp = j->hp;
	struct task **at = &hp->head;

	pthread_mutex_lock(&hp->lock);
	if (j->fd >= 0)
		while (*at && (*at)->job->fd >= 0 && cost(*at) >= j->len)
			at = &(*at)->next;
	else
		at = hp->tail ? &hp->tail->next : &hp->head;
	for (size_t i = 0; i < j->ntasks; i++) {
		j->tasks[i].next = *at;
		*at = &j->tasks[i];
		if (!j->tasks[i].next)
			hp->tail = &j->tasks[i];
		at = &j->tasks[i].next;
	}
	pthread_cond_broadcast(&hp->work);
	pthread_mutex_unlock(&hp->lock);
}

struct hash_job *hash_pool__file(struct hash_pool *hp, const EVP_MD *md, const char *path,
				 uint64_t max, const char *what)
{
	struct hash_job *j;
	uint64_t size;
	int fd = blob__open_fd(path, max, what, &size);

	if (fd < 0)
		return NULL;
	j = submit(hp, md, 1, 1);
	if (!j) {
		close(fd);
		return NULL;
	}
	j->fd = fd;
	j->path = path;
	j->len = size;
	enqueue(j);
	return j;
}

struct hash_job *hash_pool__chunks(struct hash_pool *hp, const EVP_MD *md, const uint8_t *data,
				   size_t len, size_t chunk)
{
	struct hash_job *j = submit(hp, md, len / chunk, CHUNKS_PER_TASK);

	if (!j)
		return NULL;
	j->data = data;
	j->len = len;
	j->chunk = chunk;
	enqueue(j);
	return j;
}

/* Waits, with the lock held, until task T is done.  A waiter runs T itself
 * if nobody has started it, and meanwhile helps with queued work no longer
 * than T: a chain waiting for a page batch never takes on a whole-file
 * digest, which would hold it up far longer than T, while a caller waiting
 * for the longest file hashes the shorter ones. */
static void wait_task(struct hash_pool *hp, struct task *t)
{
	while (!t->done) {
		struct task *prev = NULL, *q = hp->head;

		if (!t->started) {
			while (q != t) {
				prev = q;
				q = q->next;
			}
			run_one(hp, prev, t);
			continue;
		}
		while (q && cost(q) > cost(t)) {
			prev = q;
			q = q->next;
		}
		if (q)
			run_one(hp, prev, q);
		else
			pthread_cond_wait(&hp->done, &hp->lock);
	}
}

const uint8_t *hash_job__wait(struct hash_job *j, size_t i)
{
	struct hash_pool *hp = j->hp;
	size_t per = j->fd >= 0 ? 1 : CHUNKS_PER_TASK;
	bool failed;

	pthread_mutex_lock(&hp->lock);
	wait_task(hp, &j->tasks[i / per]);
	failed = j->failed;
	pthread_mutex_unlock(&hp->lock);
	if (failed) {
		fileio__fail(j->path, j->err);  /* chunk jobs: err 0, OpenSSL's */
		return NULL;
	}
	return j->out + i * j->mdlen;
}

void hash_job__free(struct hash_job *j)
{
	if (!j)
		return;
	/* An error elsewhere must not wait for gigabytes nobody will use. */
	__atomic_store_n(&j->cancel, true, __ATOMIC_RELAXED);
	pthread_mutex_lock(&j->hp->lock);
	for (size_t i = 0; i < j->ntasks; i++)
		wait_task(j->hp, &j->tasks[i]);
	pthread_mutex_unlock(&j->hp->lock);
	if (j->fd >= 0)
		close(j->fd);
	free(j->out);
	free(j);
}

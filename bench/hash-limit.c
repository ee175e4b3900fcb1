/* The hashing a measurement cannot avoid, data already in memory and
 * mapped, each digest fetched once: timed on one thread, then spread over
 * the CPUs this process may use.
 *
 * usage: hash-limit OUT SPEC...  with SPEC one of
 *   stream:ALG:FILE    one digest over FILE (a kernel, an initrd)
 *   pages:ALG:FILE     one digest per 4 KiB page of FILE, and one of a
 *                      112-byte record per page (SNP's PAGE_INFO chain); a
 *                      page of one repeated byte, the same byte as the last
 *                      such page, reuses that page's digest (it cannot
 *                      differ, so hashing it again is avoidable)
 *   zeros:ALG:BYTES    one digest over BYTES zero bytes (TDX's MRTD stream)
 * ALG is sha256 or sha384.  Appends "TOTAL_MS LONGEST_MS CPU_MS SPREAD_MS
 * THREADS" to the file OUT: the wall time of all specs on one thread and of
 * the longest single stream (stream and zeros specs: a stream cannot be
 * split), the CPU time of that pass, and the wall time of all specs again
 * on THREADS threads (one per CPU, at most one per spec), each taking the
 * longest spec left whole.  SPREAD is "the hashing divided by the cores" as
 * this machine delivers it: a VM's vCPUs are not always scheduled at once,
 * and there TOTAL / CPUs is a speed no program reaches.  A pages spec stays
 * on one thread, which only matters where it is the longest (cvm-measure
 * spreads page digests too); for the launches benched here the kernel's
 * stream is.  Run through bench/timer.c, it is timed under the same load as
 * what it limits. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SPECS 8
#define PAGE      4096
#define RECORD    112
#define MAX_CPUS  64

struct spec {
	enum { STREAM, PAGES } kind;
	EVP_MD *md;
	unsigned char *data;
	size_t len;
};

static double now_ms(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *p = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY);

	if (fd >= 0 && fstat(fd, &st) == 0)
		p = malloc(st.st_size + 1);
	while (p && got < (size_t)st.st_size) {
		ssize_t n = read(fd, p + got, st.st_size - got);

		if (n <= 0) {
			free(p);
			p = NULL;
			break;
		}
		got += n;
	}
	if (fd >= 0)
		close(fd);
	*len = got;
	return p;
}

static int parse(struct spec *s, char *arg)
{
	char *kind = strtok(arg, ":"), *alg = strtok(NULL, ":"), *what = strtok(NULL, "");

	if (!kind || !alg || !what)
		return -1;
	s->md = EVP_MD_fetch(NULL, !strcmp(alg, "sha384") ? "SHA384" : "SHA256", NULL);
	s->kind = strcmp(kind, "pages") ? STREAM : PAGES;
	if (!strcmp(kind, "zeros")) {
		s->len = strtoull(what, NULL, 0);
		s->data = calloc(1, s->len + 1);
	} else {
		s->data = slurp(what, &s->len);
	}
	if (!s->md || !s->data) {
		fprintf(stderr, "hash-limit: %s: cannot read or no such digest\n", what);
		return -1;
	}
	return 0;
}

static double run(const struct spec *s, EVP_MD_CTX *ctx)
{
	unsigned char out[EVP_MAX_MD_SIZE], last[EVP_MAX_MD_SIZE], rec[RECORD] = { 0 };
	double t = now_ms(CLOCK_MONOTONIC);
	int last_byte = -1;

	if (s->kind == STREAM) {
		EVP_DigestInit_ex(ctx, s->md, NULL);
		EVP_DigestUpdate(ctx, s->data, s->len);
		EVP_DigestFinal_ex(ctx, out, NULL);
		return now_ms(CLOCK_MONOTONIC) - t;
	}
	for (size_t off = 0; off + PAGE <= s->len; off += PAGE) {
		const unsigned char *pg = s->data + off;
		int uniform = !memcmp(pg, pg + 1, PAGE - 1);

		if (uniform && pg[0] == last_byte) {
			memcpy(out, last, sizeof(out));
		} else {
			EVP_DigestInit_ex(ctx, s->md, NULL);
			EVP_DigestUpdate(ctx, pg, PAGE);
			EVP_DigestFinal_ex(ctx, out, NULL);
			if (uniform) {
				memcpy(last, out, sizeof(out));
				last_byte = pg[0];
			}
		}
		memcpy(rec, out, 48);
		EVP_DigestInit_ex(ctx, s->md, NULL);
		EVP_DigestUpdate(ctx, rec, RECORD);
		EVP_DigestFinal_ex(ctx, rec + 48, NULL);
	}
	return now_ms(CLOCK_MONOTONIC) - t;
}

/* The spread pass: specs sorted longest first, each thread takes the next. */
struct spread {
	struct spec *order[MAX_SPECS];
	int n, next;
	pthread_mutex_t lock;
};

static void *spread_worker(void *arg)
{
	struct spread *sp = arg;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	/* Without a context take nothing: the others hash it all. */
	while (ctx) {
		int i;

		pthread_mutex_lock(&sp->lock);
		i = sp->next < sp->n ? sp->next++ : -1;
		pthread_mutex_unlock(&sp->lock);
		if (i < 0)
			break;
		run(sp->order[i], ctx);
	}
	EVP_MD_CTX_free(ctx);
	return NULL;
}

static int by_len(const void *a, const void *b)
{
	const struct spec *x = *(struct spec *const *)a, *y = *(struct spec *const *)b;

	return x->len > y->len ? -1 : x->len < y->len;
}

/* Wall time of all N specs on one thread per CPU (at most one per spec);
 * *NTHREADS: how many ran. */
static double spread(struct spec *specs, int n, int *nthreads)
{
	struct spread sp = { .n = n };
	pthread_t threads[MAX_CPUS];
	cpu_set_t set;
	int want = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1, started = 0;
	double t;

	for (int i = 0; i < n; i++)
		sp.order[i] = &specs[i];
	qsort(sp.order, n, sizeof(sp.order[0]), by_len);
	pthread_mutex_init(&sp.lock, NULL);
	want = want < n ? want : n;
	want = want < MAX_CPUS ? want : MAX_CPUS;
	t = now_ms(CLOCK_MONOTONIC);
	while (started + 1 < want &&
	       pthread_create(&threads[started], NULL, spread_worker, &sp) == 0)
		started++;
	spread_worker(&sp);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	t = now_ms(CLOCK_MONOTONIC) - t;
	pthread_mutex_destroy(&sp.lock);
	*nthreads = started + 1;
	return t;
}

int main(int argc, char **argv)
{
	struct spec specs[MAX_SPECS] = { 0 };
	int n = argc - 2, ret = 1;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	double total = 0, longest = 0, cpu, wide;
	int threads;
	FILE *out;

	if (n < 1 || n > MAX_SPECS || !ctx) {
		fprintf(stderr, "usage: hash-limit OUT SPEC... (see bench/hash-limit.c)\n");
		EVP_MD_CTX_free(ctx);
		return 2;
	}
	for (int i = 0; i < n; i++)
		if (parse(&specs[i], argv[i + 2]) < 0)
			goto done;
	/* One load per page first: on shadow-paging hosts a page's first touch
	 * from user space exits to the host (2.5 us), which is no hashing. */
	for (int i = 0; i < n; i++)
		for (size_t off = 0; off < specs[i].len; off += PAGE)
			(void)*(volatile unsigned char *)(specs[i].data + off);
	cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID);
	for (int i = 0; i < n; i++) {
		double ms = run(&specs[i], ctx);

		total += ms;
		if (specs[i].kind == STREAM && ms > longest)
			longest = ms;
	}
	cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu;
	wide = spread(specs, n, &threads);
	out = fopen(argv[1], "a");
	if (out) {
		int ok = fprintf(out, "%.3f %.3f %.3f %.3f %d\n", total, longest, cpu, wide,
				 threads) > 0;

		ret = fclose(out) == 0 && ok ? 0 : 1;
	}
done:
	for (int i = 0; i < n; i++) {
		free(specs[i].data);
		EVP_MD_free(specs[i].md);
	}
	EVP_MD_CTX_free(ctx);
	return ret;
}

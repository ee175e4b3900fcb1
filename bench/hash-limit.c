/* The hashing a measurement cannot avoid, timed in this process on one
 * thread, data already in memory and mapped, each digest fetched once.
 *
 * usage: hash-limit OUT SPEC...  with SPEC one of
 *   stream:ALG:FILE    one digest over FILE (a kernel, an initrd)
 *   pages:ALG:FILE     one digest per 4 KiB page of FILE, and one of a
 *                      112-byte record per page (SNP's PAGE_INFO chain)
 *   zeros:ALG:BYTES    one digest over BYTES zero bytes (TDX's MRTD stream)
 * ALG is sha256 or sha384.  Appends "TOTAL_MS LONGEST_MS CPU_MS" to the
 * file OUT: the wall time of all specs and of the longest single stream
 * (stream and zeros specs; page digests can be spread over cores, a stream
 * cannot), and the CPU time of all specs.  Run
 * through bench/timer.c, it is timed under the same load as what it limits. */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SPECS 8
#define PAGE      4096
#define RECORD    112

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
	unsigned char out[EVP_MAX_MD_SIZE], rec[RECORD] = { 0 };
	double t = now_ms(CLOCK_MONOTONIC);

	if (s->kind == STREAM) {
		EVP_DigestInit_ex(ctx, s->md, NULL);
		EVP_DigestUpdate(ctx, s->data, s->len);
		EVP_DigestFinal_ex(ctx, out, NULL);
		return now_ms(CLOCK_MONOTONIC) - t;
	}
	for (size_t off = 0; off + PAGE <= s->len; off += PAGE) {
		EVP_DigestInit_ex(ctx, s->md, NULL);
		EVP_DigestUpdate(ctx, s->data + off, PAGE);
		EVP_DigestFinal_ex(ctx, out, NULL);
		memcpy(rec, out, 48);
		EVP_DigestInit_ex(ctx, s->md, NULL);
		EVP_DigestUpdate(ctx, rec, RECORD);
		EVP_DigestFinal_ex(ctx, rec + 48, NULL);
	}
	return now_ms(CLOCK_MONOTONIC) - t;
}

int main(int argc, char **argv)
{
	struct spec specs[MAX_SPECS] = { 0 };
	int n = argc - 2, ret = 1;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	double total = 0, longest = 0, cpu;
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
	out = fopen(argv[1], "a");
	if (out) {
		int ok = fprintf(out, "%.3f %.3f %.3f\n", total, longest, cpu) > 0;

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

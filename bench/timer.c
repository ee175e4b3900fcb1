/* Times whole processes, interleaved, so a busy machine weighs on every
 * command alike: each round runs every command once, in a shuffled order
 * (a fixed rotation would give each command the same predecessor, whose
 * deferred teardown - RCU callbacks, a VM's kernel threads - then always
 * falls on it), stdout and stderr to /dev/null, and a command whose exit
 * status differs from the one it was given stops the benchmark.  Per command it
 * prints one line: median and minimum wall time in ms (fork to reaped exit),
 * median peak RSS in KiB, median minor page faults and median CPU time in
 * ms, user and system (wait4's rusage).
 *
 * usage: timer RUNS STATUS CMD ARGS... [:: STATUS CMD ARGS...]...
 * One untimed round first (page cache, and a failure costs no time). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 16

struct cmd {
	char **argv;
	int status;
	double *ms, *rss, *flt, *cpu;
};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int run(const struct cmd *c, double *ms, double *rss, double *flt, double *cpu)
{
	struct rusage ru;
	double t0 = now_ms();
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execvp(c->argv[0], c->argv);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &st, 0, &ru) != pid)
		return -1;
	*ms = now_ms() - t0;
	*rss = ru.ru_maxrss;
	*flt = ru.ru_minflt;
	*cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != c->status) {
		fprintf(stderr, "timer: %s: status %d, expected %d\n", c->argv[0],
			WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), c->status);
		return -1;
	}
	return 0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	struct cmd cmds[MAX_CMDS];
	int n = 0, i = 2, runs = argc > 1 ? atoi(argv[1]) : 0;
	unsigned seed = 1;
	double junk, *samples;
	int ret = 1;

	for (; i < argc && n < MAX_CMDS; n++) {
		cmds[n].status = atoi(argv[i++]);
		cmds[n].argv = &argv[i];
		while (i < argc && strcmp(argv[i], "::"))
			i++;
		if (i < argc)
			argv[i++] = NULL;       /* ends this command's argv */
		if (!cmds[n].argv[0])
			n--;
	}
	if (i < argc) {
		fprintf(stderr, "timer: at most %d commands\n", MAX_CMDS);
		return 2;
	}
	if (runs < 1 || n < 1) {
		fprintf(stderr, "usage: timer RUNS STATUS CMD ARGS... [:: STATUS CMD ARGS...]...\n");
		return 2;
	}
	/* One block for all samples; an untimed round first. */
	samples = calloc((size_t)4 * runs * n, sizeof(double));
	for (int c = 0; samples && c < n; c++) {
		cmds[c].ms = samples + (size_t)4 * runs * c;
		cmds[c].rss = cmds[c].ms + runs;
		cmds[c].flt = cmds[c].rss + runs;
		cmds[c].cpu = cmds[c].flt + runs;
		if (run(&cmds[c], &junk, &junk, &junk, &junk) < 0)
			goto out;
	}
	for (int r = 0; samples && r < runs; r++) {
		int order[MAX_CMDS];

		for (int k = 0; k < n; k++) {
			int j = rand_r(&seed) % (k + 1);

			order[k] = order[j];
			order[j] = k;
		}
		for (int k = 0; k < n; k++) {
			struct cmd *c = &cmds[order[k]];

			if (run(c, &c->ms[r], &c->rss[r], &c->flt[r], &c->cpu[r]) < 0)
				goto out;
		}
	}
	for (int c = 0; samples && c < n; c++) {
		double med = median(cmds[c].ms, runs);

		printf("%.3f %.3f %.0f %.0f %.3f\n", med, cmds[c].ms[0], median(cmds[c].rss, runs),
		       median(cmds[c].flt, runs), median(cmds[c].cpu, runs));
	}
	ret = samples ? 0 : 1;
out:
	free(samples);
	return ret;
}

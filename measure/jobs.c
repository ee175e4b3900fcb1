#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "loader/error.h"
#include "measure/hashpool.h"
#include "measure/jobs.h"

#define JOBS_MAX 16

struct queue {
	struct job *order[JOBS_MAX];    /* longest first */
	size_t n, next;
	pthread_mutex_t lock;
};

static struct job *take(struct queue *q)
{
	struct job *j = NULL;

	pthread_mutex_lock(&q->lock);
	if (q->next < q->n)
		j = q->order[q->next++];
	pthread_mutex_unlock(&q->lock);
	return j;
}

static void *drain(void *arg)
{
	struct queue *q = arg;
	struct job *j;

	while ((j = take(q))) {
		j->ret = j->fn(j->arg);
		if (j->ret < 0) {
			snprintf(j->err, sizeof(j->err), "%s", err__msg());
			j->status = err__status();
		}
	}
	return NULL;
}

static int by_cost(const void *a, const void *b)
{
	const struct job *x = *(struct job *const *)a, *y = *(struct job *const *)b;

	return x->cost > y->cost ? -1 : x->cost < y->cost;
}

int jobs__run(struct job *jobs, size_t n)
{
	pthread_t threads[JOBS_MAX];
	size_t i, nthreads = 0, want;
	struct queue q = { .n = n };

	if (n > JOBS_MAX)
		return err__set_status(CVM_EXIT_FAIL, "%zu hashing jobs, at most %d", n, JOBS_MAX);
	for (i = 0; i < n; i++)
		q.order[i] = &jobs[i];
	qsort(q.order, n, sizeof(q.order[0]), by_cost);
	pthread_mutex_init(&q.lock, NULL);
	/* One thread per CPU at most: more would only slow the longest job. */
	want = hash_pool__cpus();
	want = (want < n ? want : n);
	while (nthreads + 1 < want && pthread_create(&threads[nthreads], NULL, drain, &q) == 0)
		nthreads++;
	drain(&q);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&q.lock);
	for (i = 0; i < n; i++)
		if (jobs[i].ret < 0)
			return err__set_status(jobs[i].status, "%s", jobs[i].err);
	return 0;
}

#include <stdio.h>

#include "loader/error.h"
#include "measure/worker.h"

static void *run(void *arg)
{
	struct worker *w = arg;

	w->ret = w->fn(w->arg);
	if (w->ret < 0) {
		snprintf(w->err, sizeof(w->err), "%s", err__msg());
		w->status = err__status();
	}
	return NULL;
}

void worker__start(struct worker *w, int (*fn)(void *arg), void *arg)
{
	w->fn = fn;
	w->arg = arg;
	w->threaded = pthread_create(&w->thread, NULL, run, w) == 0;
	if (!w->threaded)
		run(w);
}

int worker__join(struct worker *w)
{
	if (w->threaded)
		pthread_join(w->thread, NULL);
	w->threaded = 0;
	if (w->ret < 0)
		return err__set_status(w->status, "%s", w->err);
	return 0;
}

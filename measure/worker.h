/* One function run on its own thread while the caller does other work; its
 * error line (err__ is per thread) is handed back to the caller on join. */
#ifndef CVM_MEASURE_WORKER_H
#define CVM_MEASURE_WORKER_H

#include <pthread.h>

struct worker {
	int (*fn)(void *arg);   /* 0, or -1 with err__set() */
	void *arg;
	pthread_t thread;
	int threaded;           /* 0: thread creation failed, FN ran inline */
	int ret, status;
	char err[512];
};

/* Starts FN(ARG); runs it right away in the caller if no thread can be made. */
void worker__start(struct worker *w, int (*fn)(void *arg), void *arg);
/* Waits for FN; its return value, with its error line re-recorded here. */
int worker__join(struct worker *w);

#endif

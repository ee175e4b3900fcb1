/* A few independent hashing jobs of very different sizes (MRTD, the
 * kernel's Authenticode digest, the initrd, the CFV) spread over the CPUs
 * this process may use, the caller included: longest first, so the wall
 * time is that of the longest job whenever the rest fits beside it.  Each
 * job's error line (err__ is per thread) comes back to the caller. */
#ifndef CVM_MEASURE_JOBS_H
#define CVM_MEASURE_JOBS_H

#include <stddef.h>
#include <stdint.h>

struct job {
	int (*fn)(void *arg);   /* 0, or -1 with err__set() */
	void *arg;
	uint64_t cost;          /* about how many bytes it hashes */
	/* set by jobs__run */
	int ret, status;
	char err[512];
};

/* Runs the N jobs; 0, or -1 with the error of the first failed job (in
 * array order, whatever order they ran in). */
int jobs__run(struct job *jobs, size_t n);

#endif

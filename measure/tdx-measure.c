#include <string.h>

#include "measure/jobs.h"
#include "measure/output.h"
#include "measure/tdx-measure.h"

struct mrtd_job {
	const struct plan *plan;
	enum mrtd_order order;
	uint8_t *out;
};

static int mrtd_run(void *arg)
{
	struct mrtd_job *j = arg;

	return mrtd__replay(j->plan, j->order, j->out);
}

int tdx_measure__run(const struct plan *p, enum mrtd_order order, const struct tdvf_boot *boot,
		     struct tdx_measurement *m)
{
	struct mrtd_job mj = { p, order, m->mrtd };
	struct job jobs[1 + TDVF_JOBS];
	struct tdvf_digests d;
	size_t n = 0, k;

	memset(m, 0, sizeof(*m));
	/* MRTD is one sequential stream, independent of the RTMR events: all
	 * large digests run as parallel jobs, the longest first. */
	m->mrtd_stream = mrtd__stream_bytes(p);
	jobs[n++] = (struct job){ .fn = mrtd_run, .arg = &mj, .cost = m->mrtd_stream };
	if (boot) {
		if (tdvf_events__jobs(boot, &d, jobs + n, &k) < 0)
			return -1;
		n += k;
	}
	if (jobs__run(jobs, n) < 0 || (boot && tdvf_events__log(&d, &m->log) < 0))
		return -1;
	if (boot) {
		m->has_rtmr = true;
		rtmr__replay(&m->log, m->rtmr);
	}
	return 0;
}

static void value(FILE *f, bool base64, const char *key, const uint8_t *d)
{
	fprintf(f, "%s=", key);
	if (base64)
		out__base64(f, d, MRTD_SIZE);
	else
		out__hex(f, d, MRTD_SIZE);
	fputc('\n', f);
}

void tdx_measure__print(FILE *f, bool base64, const struct tdx_measurement *m)
{
	char key[8];

	value(f, base64, "mrtd", m->mrtd);
	for (int i = 0; m->has_rtmr && i < RTMR_COUNT; i++) {
		snprintf(key, sizeof(key), "rtmr%d", i);
		value(f, base64, key, m->rtmr[i]);
	}
}

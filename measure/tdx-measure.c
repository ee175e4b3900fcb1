#include <string.h>

#include "measure/jobs.h"
#include "measure/output.h"
#include "measure/tdx-measure.h"

int tdx_measure__mrtd_job(void *job)
{
	struct tdx_mrtd_job *j = job;

	return mrtd__replay(j->plan, j->order, j->mrtd);
}

int tdx_measure__run(const struct plan *p, enum mrtd_order order, const struct tdvf_boot *boot,
		     struct tdx_measurement *m)
{
	struct tdx_mrtd_job mj = { .plan = p, .order = order };
	struct job jobs[1 + TDVF_JOBS];
	struct tdvf_digests d;
	size_t n = 0, k;

	memset(m, 0, sizeof(*m));
	/* MRTD is one sequential stream, independent of the RTMR events: all
	 * large digests run as parallel jobs, the longest first. */
	m->mrtd_stream = mrtd__stream_bytes(p);
	jobs[n++] = (struct job){ .fn = tdx_measure__mrtd_job, .arg = &mj, .cost = m->mrtd_stream };
	if (boot) {
		if (tdvf_events__jobs(boot, &d, jobs + n, &k) < 0)
			return -1;
		n += k;
	}
	if (jobs__run(jobs, n) < 0 || (boot && tdvf_events__log(&d, &m->log) < 0))
		return -1;
	memcpy(m->mrtd, mj.mrtd, MRTD_SIZE);
	if (boot) {
		m->has_rtmr = true;
		rtmr__replay(&m->log, m->rtmr);
	}
	return 0;
}

int tdx_measure__print(FILE *f, bool base64, const struct tdx_measurement *m)
{
	static const char *const keys[RTMR_COUNT] = { "rtmr0", "rtmr1", "rtmr2", "rtmr3" };
	struct out_result r = { 0 };
	struct out_doc d = { .mode = "tdx", .format = base64 ? FORMAT_BASE64 : FORMAT_HEX,
			     .res = &r, .nres = 1, .axis = OUT_SINGLE };

	out__value(&r, "mrtd", NULL, m->mrtd, MRTD_SIZE);
	for (int i = 0; m->has_rtmr && i < RTMR_COUNT; i++)
		out__value(&r, keys[i], NULL, m->rtmr[i], RTMR_SIZE);
	return out__print(f, &d);
}

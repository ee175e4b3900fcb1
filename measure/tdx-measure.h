/* The TDX launch measurement of a plan: MRTD and, given a kernel, the RTMRs
 * of its TDVF direct boot.  cvm-measure --mode tdx and cvm-run --tee tdx
 * --dry-run both come here, so they print the same numbers in the same
 * format: cvm-run's are by construction what cvm-measure predicts. */
#ifndef CVM_TDX_MEASURE_H
#define CVM_TDX_MEASURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "loader/plan.h"
#include "measure/mrtd.h"
#include "measure/tdvf-events.h"

struct tdx_measurement {
	uint8_t mrtd[MRTD_SIZE];
	uint64_t mrtd_stream;           /* bytes the TDX module hashes for MRTD */
	bool has_rtmr;                  /* a kernel was given: the fields below */
	struct rtmr_log log;
	uint8_t rtmr[RTMR_COUNT][RTMR_SIZE];
};

/* MRTD as a job (measure/jobs.h): mrtd__replay of PLAN in ORDER. */
struct tdx_mrtd_job {
	const struct plan *plan;
	enum mrtd_order order;
	uint8_t mrtd[MRTD_SIZE];
};
int tdx_measure__mrtd_job(void *job);

/* MRTD of P's TDX ops in ORDER and, when BOOT is not NULL, the event log of
 * that boot and the registers it gives; the large digests run side by side
 * (measure/jobs.h).  -1 with err__set() on a plan or input that cannot be
 * measured. */
int tdx_measure__run(const struct plan *p, enum mrtd_order order, const struct tdvf_boot *boot,
		     struct tdx_measurement *m);
/* "mrtd=HEX" then, with RTMRs, "rtmr0=HEX" .. "rtmr3=HEX", one per line,
 * through cvm-measure's own printer (measure/output.h); base64 instead of
 * hex when BASE64. */
int tdx_measure__print(FILE *f, bool base64, const struct tdx_measurement *m);

#endif

/* MRTD: the TDX module's SHA-384 over 128-byte records of every
 * TDH.MEM.PAGE.ADD and TDH.MR.EXTEND of the build phase, replayed from the
 * TDX ops of a launch plan (MEASUREMENT.md 3.2). */
#ifndef CVM_MRTD_H
#define CVM_MRTD_H

#include <stdint.h>

#include "loader/plan.h"

#define MRTD_SIZE 48

enum mrtd_order {
	/* Per page: PAGE.ADD then its 16 MR.EXTENDs.  What KVM's
	 * KVM_TDX_INIT_MEM_REGION does (Linux >= 6.16, QEMU >= 9). */
	MRTD_SINGLE_PASS,
	/* Per op: every PAGE.ADD, then every MR.EXTEND (QEMU 8.2 stacks). */
	MRTD_TWO_PASS,
};

/* How many bytes the TDX module hashes for the plan's TDX ops: a 128-byte
 * record per added page, 16 x (128 + 256) more per extended page. */
uint64_t mrtd__stream_bytes(const struct plan *p);

/* MRTD of the plan's TDX ops, in plan order.  -1 with err__set() if the plan
 * holds an op that is not a TDX op. */
int mrtd__replay(const struct plan *p, enum mrtd_order order, uint8_t out[MRTD_SIZE]);

#endif

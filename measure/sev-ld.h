/* The SEV and SEV-ES launch digest: one SHA-256 over every LAUNCH_UPDATE_DATA
 * and LAUNCH_UPDATE_VMSA payload, in plan order (MEASUREMENT.md 2.7). */
#ifndef CVM_MEASURE_SEV_LD_H
#define CVM_MEASURE_SEV_LD_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/plan.h"
#include "measure/oplog.h"

#define SEV_LD_SIZE 32

struct sev_ld {
	EVP_MD_CTX *ctx;
};

int sev_ld__init(struct sev_ld *s);
/* Streams ops [FROM, nops) of P; -1 with err__set() on an op SEV cannot
 * launch.  LOG (optional) gets the running digest after each op. */
int sev_ld__replay(struct sev_ld *s, const struct plan *p, size_t from, struct oplog *log);
int sev_ld__final(struct sev_ld *s, uint8_t out[SEV_LD_SIZE]);
void sev_ld__exit(struct sev_ld *s);

#endif

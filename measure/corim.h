/* Reference values as verifiers take them: the CoMID of an Arm CCA realm's
 * Realm Initial Measurement, as the JSON template `cocli comid create`
 * encodes (REFERENCE-VALUES.md; the shape of Veraison's arm-cca realm
 * reference values).  The environment is the realm instance named by its RIM;
 * the one measurement is the "rim" integrity register; a matrix of launches
 * gives one such triple per distinct RIM.  REMs grow at run time and the RPV
 * is the host's choice, so neither is asserted (Veraison then appraises the
 * RIM alone).  The tag's UUID is derived from the RIMs: the same launches
 * give the same document. */
#ifndef CVM_MEASURE_CORIM_H
#define CVM_MEASURE_CORIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "loader/plan.h"
#include "measure/rim.h"

/* Writes the CoMID for the N RIMS (each the hash's natural length; a
 * repeated one is listed once) to F; -1 with err__set() if the algorithm
 * has no named-information name. */
int corim__realm_comid(FILE *f, enum plan_realm_hash h, const uint8_t (*rims)[RIM_MAX], size_t n);

#endif

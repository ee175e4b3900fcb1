/* Realm operation scripts: an Arm CCA realm launch as the RMI calls its host
 * issued, one a line (format: ../shared/vectors/cca/README.md), parsed into a
 * realm launch plan, so that any VMM's or firmware's launch can be measured
 * (and, later, executed) like cvm-run's own.
 *
 *     create ALGO FLAGS0 S2SZ SVE_VL NUM_BPS NUM_WPS PMU_NUM_CTRS
 *     ripas  BASE TOP                  one RTT entry (4 KiB, 2 MiB or 1 GiB)
 *     data   IPA FLAGS FILE OFFSET     one granule of FILE ('-': zero page)
 *     rec    FLAGS PC X0 .. X7
 *     print                            end of the script
 *
 * Numbers are decimal or 0x-hex; '#' starts a comment; blank lines are
 * skipped.  FILE is relative to the script's directory.  Every field is
 * checked against what an RMM accepts (RMM 1.0 or 2.0 as asked, the union
 * when not asked): anything else is one line "SCRIPT: line N: OP FIELD VALUE:
 * why" with status 2. */
#ifndef CVM_REALM_OPS_H
#define CVM_REALM_OPS_H

#include <stddef.h>

#include "loader/blob.h"
#include "loader/plan.h"

#define REALM_OPS_MAX_OPS       (1u << 20)      /* 4 GiB of granules */
#define REALM_OPS_MAX_FILES     256
#define REALM_OPS_MAX_LINE      1024

struct realm_ops_file {
	const char *path;       /* as opened: the script's directory joined */
	struct blob blob;       /* mapped for the plan's life */
};

struct realm_ops {
	struct blob script;     /* realm_ops__load only */
	struct realm_ops_file *files;   /* distinct data files, in first-use order */
	size_t nfiles;
};

/* Appends the realm launch in BUF (LEN bytes, named NAME in messages; data
 * files under DIR) to the empty plan P and sets P->realm; RMM is whose
 * semantics the caller asked for.  -1 with err__set() on any bad line. */
int realm_ops__parse(struct plan *p, struct realm_ops *ro, const char *name, const char *dir,
		     const char *buf, size_t len, enum plan_rmm rmm);
/* The same for the script at PATH, mapped for the plan's life. */
int realm_ops__load(struct plan *p, struct realm_ops *ro, const char *path, enum plan_rmm rmm);
void realm_ops__exit(struct realm_ops *ro);

#endif

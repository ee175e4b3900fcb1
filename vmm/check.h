/* `cvm-run check`: what this host's KVM can do, and what that means for
 * each launch path. */
#ifndef CVM_CHECK_H
#define CVM_CHECK_H

#include <stdbool.h>

/* Prints the report (nothing when QUIET); returns 0 when a plain VM with a
 * vCPU can be created here, else 3 with the reason on stderr. */
int check__run(bool quiet);

#endif

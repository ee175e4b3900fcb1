/* The rows of ../shared/vectors/EXPECTED-sev.tsv that cvm-run can launch:
 * QEMU's VMM type, a whole firmware image, modes sev, seves and snp.  Each
 * row comes as cvm-run's arguments (--tee, --firmware, -k/-i/-p, -c and the
 * vCPU options, paths absolute), cvm-measure's, and the expected digest in
 * hex (base64 rows decoded). */
#ifndef CVM_TESTS_SEV_ROWS_H
#define CVM_TESTS_SEV_ROWS_H

#include <stddef.h>

#define SEV_ROW_ARGS 24

struct sev_row {
	char id[32];
	char measure_args[1024];        /* as in the file, for cvm-measure */
	const char *run[SEV_ROW_ARGS];  /* cvm-run's, NULL-terminated */
	char want[97];                  /* hex */
	char store[2048];               /* what RUN points into */
};

/* The launchable rows; *N gets their count.  free() the result. */
struct sev_row *sev_rows__load(size_t *n);

#endif

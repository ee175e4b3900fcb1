/* What the TDX tests share: the fw_cfg ACPI files of a plan, read from the
 * vectors, a fresh fake TDX host, and the expected column of an
 * EXPECTED-tdx.tsv row. */
#ifndef CVM_TESTS_TDX_TEST_H
#define CVM_TESTS_TDX_TEST_H

#include <stddef.h>

#include "loader/plan.h"

/* Adds TABLES, RSDP and LOADER (paths) to P as TDVF's three fw_cfg files. */
void tdx_test__acpi_files(struct plan *p, const char *tables, const char *rsdp,
			  const char *loader);
/* The same for vectors/acpi/NAME.bin, NAME.rsdp.bin, NAME.table-loader.bin. */
void tdx_test__vector_acpi(struct plan *p, const char *name);
struct vm_test;

/* The fixture of cvm-run's TDX suites: the fake kernel with a TDX host
 * (fake__host_tdx) and T's files; and its end. */
void tdx_test__setup(struct vm_test *t);
void tdx_test__teardown(struct vm_test *t);
/* The fake kernel afresh, with a TDX host: another cvm-run in one test. */
void tdx_test__fresh_host(void);
/* The expected column of row ID in EXPECTED-tdx.tsv (fails the test when
 * there is none). */
void tdx_test__expected(const char *id, char *buf, size_t len);

#endif

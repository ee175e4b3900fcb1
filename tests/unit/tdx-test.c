#include <stdio.h>
#include <string.h>

#include "measure/tdvf-events.h"
#include "tests/unit/tdx-test.h"
#include "tests/unit/test.h"

void tdx_test__acpi_files(struct plan *p, const char *tables, const char *rsdp,
			  const char *loader)
{
	const char *files[3][2] = {
		{ TDVF_FILE_TABLES, tables }, { TDVF_FILE_RSDP, rsdp }, { TDVF_FILE_LOADER, loader },
	};
	struct blob b;

	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(plan__map(p, files[i][1], &b), 0);
		ck_assert_int_eq(plan__add_file(p, files[i][0], b.data, b.size), 0);
	}
}

void tdx_test__vector_acpi(struct plan *p, const char *name)
{
	char t[256], r[256], l[256];

	snprintf(t, sizeof(t), "vectors/acpi/%s.bin", name);
	snprintf(r, sizeof(r), "vectors/acpi/%s.rsdp.bin", name);
	snprintf(l, sizeof(l), "vectors/acpi/%s.table-loader.bin", name);
	tdx_test__acpi_files(p, test__shared(t), test__shared(r), test__shared(l));
}

void tdx_test__expected(const char *id, char *buf, size_t len)
{
	FILE *f = fopen(test__shared("vectors/EXPECTED-tdx.tsv"), "r");
	char line[4096];

	ck_assert_ptr_nonnull(f);
	buf[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, id, strlen(id)) && line[strlen(id)] == '\t')
			snprintf(buf, len, "%s", strrchr(line, '\t') + 1);
	}
	fclose(f);
	ck_assert_msg(buf[0], "no row %s", id);
}

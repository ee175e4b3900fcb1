/* The table-loader script runner (loader/acpi.c acpi__link), which walks a
 * byte script of 128-byte commands over blobs placed in guest memory.  The
 * input: the blobs' guest addresses (8 bytes each, little-endian), the
 * script's length in commands and the RSDP blob's length (1 byte each),
 * the script, the "etc/acpi/rsdp" bytes, then "etc/acpi/tables" (the rest,
 * at most 64 KiB). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loader/acpi.h"
#include "loader/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acpi_placed f[2];
	size_t slen, rlen;
	uint8_t *rsdp, *tables;

	if (size < 18)
		return 0;
	f[0].gpa = bytes__get_le(data, 8);
	f[1].gpa = bytes__get_le(data + 8, 8);
	slen = (size_t)data[16] * ACPI_LOADER_ENTRY;
	rlen = data[17];
	data += 18;
	size -= 18;
	if (slen > size)
		slen = size - size % ACPI_LOADER_ENTRY;
	if (rlen > size - slen)
		rlen = size - slen;
	f[0] = (struct acpi_placed){ ACPI_FILE_RSDP, NULL, rlen, f[0].gpa };
	f[1] = (struct acpi_placed){ ACPI_FILE_TABLES, NULL, size - slen - rlen, f[1].gpa };
	if (f[1].len > 0x10000)
		return 0;
	/* Exact-size copies, so ASan sees every byte past a blob's end. */
	rsdp = malloc(rlen ? rlen : 1);
	tables = malloc(f[1].len ? f[1].len : 1);
	memcpy(rsdp, data + slen, rlen);
	memcpy(tables, data + slen + rlen, f[1].len);
	f[0].data = rsdp;
	f[1].data = tables;
	acpi__link(data, slen, f, 2);
	free(rsdp);
	free(tables);
	return 0;
}

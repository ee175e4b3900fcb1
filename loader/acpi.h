/* ACPI tables as QEMU hands them to firmware, architecture-neutral part.
 *
 * A builder fills blobs (future fw_cfg files: "etc/acpi/tables",
 * "etc/acpi/rsdp") whose pointer fields hold offsets into other blobs and
 * whose checksums are zero, and writes the table-loader script
 * ("etc/table-loader", QEMU's bios-linker-loader: ALLOCATE, ADD_POINTER,
 * ADD_CHECKSUM, 128 bytes each) that firmware runs to place the blobs,
 * patch the pointers and fill the checksums.  OVMF's AcpiPlatformDxe then
 * installs every table a pointer leads to.
 *
 * The same builder serves both boots: acpi__fw_cfg() exports the blobs and
 * the script as fw_cfg files laid out as QEMU lays them out (tables padded
 * to 128 KiB, script to 4 KiB), and acpi__place() runs the script itself at
 * guest addresses the caller picks, for direct boots.  One script, so a
 * direct boot and a firmware boot see the same tables.
 *
 * Builder calls never fail on their own: running out of memory is sticky
 * and reported by acpi__fw_cfg()/acpi__place().  Tables are built in local
 * buffers, appended whole, then their pointer fields declared. */
#ifndef CVM_ACPI_H
#define CVM_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/fw-cfg.h"
#include "loader/plan.h"

#define ACPI_FILE_TABLES "etc/acpi/tables"
#define ACPI_FILE_RSDP   "etc/acpi/rsdp"
#define ACPI_FILE_LOADER "etc/table-loader"

#define ACPI_LOADER_ENTRY 128     /* bytes per script command */
#define ACPI_LOADER_NAME  56      /* file names in commands, NUL included */
#define ACPI_HEADER       36      /* the common SDT header */
#define ACPI_RSDP_SIZE    36      /* revision 2 */
#define ACPI_MAX_BLOBS    4

/* Script commands (QEMU hw/acpi/bios-linker-loader.c). */
enum acpi_loader_cmd {
	ACPI_LOADER_ALLOCATE     = 1,
	ACPI_LOADER_ADD_POINTER  = 2,
	ACPI_LOADER_ADD_CHECKSUM = 3,
};

/* Where firmware allocates a blob: anywhere below 4 GiB, or the legacy
 * BIOS segment (0xe0000-0xfffff) where OSes scan for the RSDP. */
enum acpi_zone {
	ACPI_ZONE_HIGH = 1,
	ACPI_ZONE_FSEG = 2,
};

/* The OEM fields every table carries. */
#define ACPI_OEM_ID       "CVM   "
#define ACPI_OEM_TABLE_ID "CVM-RUN "
#define ACPI_CREATOR_ID   "CVM "

struct acpi_blob {
	char name[ACPI_LOADER_NAME];
	uint8_t *data;
	size_t len, cap;
	size_t pad;             /* the fw_cfg file's size is a multiple of this */
};

struct acpi_builder {
	struct acpi_blob blob[ACPI_MAX_BLOBS];
	unsigned nblobs;
	struct acpi_blob script;
	bool failed;          /* out of memory (or a builder bug): sticky */
};

void acpi__init(struct acpi_builder *b);
void acpi__exit(struct acpi_builder *b);

/* A new blob NAME, emitting ALLOCATE (ALIGN a power of two); its fw_cfg file
 * is padded with zeros to a multiple of PAD.  Returns the blob's index. */
unsigned acpi__alloc(struct acpi_builder *b, const char *name, uint32_t align,
		     enum acpi_zone zone, size_t pad);
/* Appends LEN bytes (zeros when DATA is NULL) to blob BLOB; returns their
 * offset. */
size_t acpi__append(struct acpi_builder *b, unsigned blob, const void *data, size_t len);

/* Writes TARGET_OFF into the SIZE-byte little-endian field at OFF in BLOB
 * and emits ADD_POINTER: firmware adds TARGET's address to it. */
void acpi__pointer(struct acpi_builder *b, unsigned blob, size_t off, unsigned size,
		   unsigned target, size_t target_off);
/* Emits ADD_CHECKSUM: the byte at RESULT becomes what makes the bytes in
 * [START, START + LEN) of BLOB sum to zero. */
void acpi__checksum(struct acpi_builder *b, unsigned blob, size_t start, size_t len,
		    size_t result);

/* Appends a table header (signature SIG, revision REV, the OEM fields);
 * returns the table's offset for acpi__table_end(). */
size_t acpi__table_begin(struct acpi_builder *b, unsigned blob, const char sig[4], uint8_t rev);
/* Sets the length of the table at TABLE (to the blob's end) and emits its
 * checksum. */
void acpi__table_end(struct acpi_builder *b, unsigned blob, size_t table);

/* An XSDT in BLOB listing the N tables at offsets TABLES; returns its
 * offset. */
size_t acpi__xsdt(struct acpi_builder *b, unsigned blob, const size_t *tables, size_t n);
/* The revision-2 RSDP as blob RSDP (which must be empty) pointing at the
 * XSDT at XSDT in TABLES. */
void acpi__rsdp(struct acpi_builder *b, unsigned rsdp, unsigned tables, size_t xsdt);

/* The sum that makes LEN bytes at P sum to zero with it. */
uint8_t acpi__checksum_of(const uint8_t *p, size_t len);

/* Appends the blobs and the script to L as fw_cfg files, copied into
 * memory P owns and padded as QEMU pads them.  -1 + err__set(). */
int acpi__fw_cfg(const struct acpi_builder *b, struct plan *p, struct fw_cfg_list *l);

/* A blob placed in guest memory. */
struct acpi_placed {
	const char *name;
	uint8_t *data;
	size_t len;
	uint64_t gpa;
};

/* Copies every blob (unpadded) into memory P owns, blob i at GPA[i], and runs
 * the script over them, as firmware would.  OUT[i] says what goes where;
 * the caller adds them to the plan.  -1 + err__set(). */
int acpi__place(const struct acpi_builder *b, struct plan *p, const uint64_t *gpa,
		struct acpi_placed *out);

/* Runs the table-loader SCRIPT (LEN bytes) over the N blobs in FILES, which
 * the caller has placed at their gpa: checks every command against the
 * blobs (names, bounds, alignment, the FSEG zone), adds the blobs' addresses
 * to the pointer fields and fills the checksums.  Empty (zero) commands are
 * padding.  -1 + err__set() naming the command on anything else. */
int acpi__link(const uint8_t *script, size_t len, struct acpi_placed *files, size_t n);

#endif

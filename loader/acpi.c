/* ACPI blobs and the table-loader script.  Command layout (QEMU
 * hw/acpi/bios-linker-loader.c, checked against QEMU's own blobs in
 * ../shared/vectors/acpi): a 32-bit command, then
 *   ALLOCATE:     file[56], align (u32), zone (u8)
 *   ADD_POINTER:  pointer file[56], pointee file[56], offset (u32), size (u8)
 *   ADD_CHECKSUM: file[56], result offset (u32), start (u32), length (u32)
 * all little-endian, zero-padded to 128 bytes. */
#include <stdlib.h>
#include <string.h>

#include "loader/acpi.h"
#include "loader/bytes.h"
#include "loader/error.h"

#define CMD_FILE      4
#define CMD_FILE2     (CMD_FILE + ACPI_LOADER_NAME)
#define ALLOC_ALIGN   CMD_FILE2
#define ALLOC_ZONE    (CMD_FILE2 + 4)
#define PTR_OFFSET    (CMD_FILE2 + ACPI_LOADER_NAME)
#define PTR_SIZE      (PTR_OFFSET + 4)
#define CKSUM_RESULT  CMD_FILE2
#define CKSUM_START   (CMD_FILE2 + 4)
#define CKSUM_LENGTH  (CMD_FILE2 + 8)

#define FSEG_START    0xe0000ull
#define FSEG_END      0x100000ull

/* SDT header fields (ACPI 6.3, 5.2.6). */
#define HDR_LENGTH    4
#define HDR_CHECKSUM  9

/* RSDP fields (ACPI 6.3, 5.2.5.3). */
#define RSDP_CHECKSUM     8
#define RSDP_V1_SIZE      20
#define RSDP_XSDT         24
#define RSDP_EXT_CHECKSUM 32

void acpi__init(struct acpi_builder *b)
{
	memset(b, 0, sizeof(*b));
}

void acpi__exit(struct acpi_builder *b)
{
	for (unsigned i = 0; i < b->nblobs; i++)
		free(b->blob[i].data);
	free(b->script.data);
	memset(b, 0, sizeof(*b));
}

static size_t grow(struct acpi_builder *b, struct acpi_blob *x, const void *data, size_t len)
{
	size_t off = x->len;

	if (b->failed || !bytes__reserve(&x->data, &x->cap, x->len + len)) {
		b->failed = true;
		return 0;
	}
	if (data)
		memcpy(x->data + off, data, len);
	else
		memset(x->data + off, 0, len);
	x->len += len;
	return off;
}

/* A zeroed command with its type and first file name. */
static uint8_t *command(struct acpi_builder *b, uint32_t cmd, unsigned blob)
{
	size_t off = grow(b, &b->script, NULL, ACPI_LOADER_ENTRY);
	uint8_t *c;

	if (b->failed)
		return NULL;
	c = b->script.data + off;
	bytes__put_le(c, 4, cmd);
	memcpy(c + CMD_FILE, b->blob[blob].name, ACPI_LOADER_NAME);
	return c;
}

unsigned acpi__alloc(struct acpi_builder *b, const char *name, uint32_t align,
		     enum acpi_zone zone, size_t pad)
{
	unsigned i = b->nblobs;
	uint8_t *c;

	if (i == ACPI_MAX_BLOBS || strlen(name) >= ACPI_LOADER_NAME) {
		b->failed = true;       /* a builder bug: fails the build */
		return 0;
	}
	b->nblobs++;
	strcpy(b->blob[i].name, name);
	b->blob[i].pad = pad ? pad : 1;
	c = command(b, ACPI_LOADER_ALLOCATE, i);
	if (c) {
		bytes__put_le(c + ALLOC_ALIGN, 4, align);
		c[ALLOC_ZONE] = zone;
	}
	return i;
}

size_t acpi__append(struct acpi_builder *b, unsigned blob, const void *data, size_t len)
{
	return grow(b, &b->blob[blob], data, len);
}

/* LEN bytes at OFF in BLOB, or NULL once the builder has failed. */
static uint8_t *at(struct acpi_builder *b, unsigned blob, size_t off, size_t len)
{
	if (b->failed || off > b->blob[blob].len || len > b->blob[blob].len - off) {
		b->failed = true;
		return NULL;
	}
	return b->blob[blob].data + off;
}

void acpi__pointer(struct acpi_builder *b, unsigned blob, size_t off, unsigned size,
		   unsigned target, size_t target_off)
{
	uint8_t *field = at(b, blob, off, size);
	uint8_t *c;

	if (field)
		bytes__put_le(field, size, target_off);
	c = command(b, ACPI_LOADER_ADD_POINTER, blob);
	if (!c)
		return;
	memcpy(c + CMD_FILE2, b->blob[target].name, ACPI_LOADER_NAME);
	bytes__put_le(c + PTR_OFFSET, 4, off);
	c[PTR_SIZE] = size;
}

void acpi__checksum(struct acpi_builder *b, unsigned blob, size_t start, size_t len,
		    size_t result)
{
	uint8_t *c = command(b, ACPI_LOADER_ADD_CHECKSUM, blob);

	if (!c)
		return;
	bytes__put_le(c + CKSUM_RESULT, 4, result);
	bytes__put_le(c + CKSUM_START, 4, start);
	bytes__put_le(c + CKSUM_LENGTH, 4, len);
}

size_t acpi__table_begin(struct acpi_builder *b, unsigned blob, const char sig[4], uint8_t rev)
{
	uint8_t h[ACPI_HEADER] = { 0 };

	memcpy(h, sig, 4);
	h[8] = rev;
	memcpy(h + 10, ACPI_OEM_ID, 6);
	memcpy(h + 16, ACPI_OEM_TABLE_ID, 8);
	bytes__put_le(h + 24, 4, 1);            /* OEM revision */
	memcpy(h + 28, ACPI_CREATOR_ID, 4);
	bytes__put_le(h + 32, 4, 1);            /* creator revision */
	return acpi__append(b, blob, h, sizeof(h));
}

void acpi__table_end(struct acpi_builder *b, unsigned blob, size_t table)
{
	size_t len = b->blob[blob].len - table;
	uint8_t *h = at(b, blob, table, ACPI_HEADER);

	if (h)
		bytes__put_le(h + HDR_LENGTH, 4, len);
	acpi__checksum(b, blob, table, len, table + HDR_CHECKSUM);
}

size_t acpi__xsdt(struct acpi_builder *b, unsigned blob, const size_t *tables, size_t n)
{
	size_t xsdt = acpi__table_begin(b, blob, "XSDT", 1);
	size_t at = acpi__append(b, blob, NULL, 8 * n);

	for (size_t i = 0; i < n; i++)
		acpi__pointer(b, blob, at + 8 * i, 8, blob, tables[i]);
	acpi__table_end(b, blob, xsdt);
	return xsdt;
}

void acpi__rsdp(struct acpi_builder *b, unsigned rsdp, unsigned tables, size_t xsdt)
{
	uint8_t r[ACPI_RSDP_SIZE] = "RSD PTR ";
	size_t at;

	memcpy(r + 9, ACPI_OEM_ID, 6);
	r[15] = 2;                              /* revision: XSDT */
	bytes__put_le(r + 20, 4, sizeof(r));
	at = acpi__append(b, rsdp, r, sizeof(r));
	acpi__pointer(b, rsdp, at + RSDP_XSDT, 8, tables, xsdt);
	/* The first checksum is inside the range of the second. */
	acpi__checksum(b, rsdp, at, RSDP_V1_SIZE, at + RSDP_CHECKSUM);
	acpi__checksum(b, rsdp, at, sizeof(r), at + RSDP_EXT_CHECKSUM);
}

uint8_t acpi__checksum_of(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return (uint8_t)-sum;
}

/* A copy of X in plan memory, zero-padded to a multiple of PAD. */
static uint8_t *copy_out(struct plan *p, const struct acpi_blob *x, size_t pad, size_t *len)
{
	size_t n = (x->len + pad - 1) / pad * pad;
	uint8_t *d = plan__alloc(p, n ? n : 1);

	if (d && x->len)
		memcpy(d, x->data, x->len);
	*len = n;
	return d;
}

int acpi__fw_cfg(const struct acpi_builder *b, struct plan *p, struct fw_cfg_list *l)
{
	size_t len;
	uint8_t *d;

	if (b->failed)
		return err__set_status(CVM_EXIT_FAIL, "ACPI tables: out of memory");
	for (unsigned i = 0; i < b->nblobs; i++) {
		d = copy_out(p, &b->blob[i], b->blob[i].pad, &len);
		if (!d || fw_cfg_list__add_file(l, b->blob[i].name, d, len) < 0)
			return -1;
	}
	/* QEMU pads the script to a page (ACPI_BUILD_ALIGN_SIZE). */
	d = copy_out(p, &b->script, 4096, &len);
	if (!d)
		return -1;
	return fw_cfg_list__add_file(l, ACPI_FILE_LOADER, d, len);
}

int acpi__place(const struct acpi_builder *b, struct plan *p, const uint64_t *gpa,
		struct acpi_placed *out)
{
	if (b->failed)
		return err__set_status(CVM_EXIT_FAIL, "ACPI tables: out of memory");
	for (unsigned i = 0; i < b->nblobs; i++) {
		out[i].name = b->blob[i].name;
		out[i].gpa = gpa[i];
		out[i].data = copy_out(p, &b->blob[i], 1, &out[i].len);
		if (!out[i].data)
			return -1;
	}
	return acpi__link(b->script.data, b->script.len, out, b->nblobs);
}

/* The blob a command names in its 56-byte field at F, or NULL. */
static struct acpi_placed *find(const uint8_t *f, struct acpi_placed *files, size_t n)
{
	if (!memchr(f, 0, ACPI_LOADER_NAME))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp((const char *)f, files[i].name))
			return &files[i];
	return NULL;
}

static int link_alloc(const uint8_t *c, struct acpi_placed *x, bool *done, size_t i)
{
	uint32_t align = bytes__get_le(c + ALLOC_ALIGN, 4);
	uint8_t zone = c[ALLOC_ZONE];

	if (*done)
		return err__set("table-loader command %zu: %s allocated twice", i, x->name);
	if (align & (align - 1))
		return err__set("table-loader command %zu: alignment %#x is not a power of two",
				i, align);
	if (align && x->gpa % align)
		return err__set("table-loader command %zu: %s at %#llx is not %u-byte aligned", i,
				x->name, (unsigned long long)x->gpa, align);
	if (zone != ACPI_ZONE_HIGH && zone != ACPI_ZONE_FSEG)
		return err__set("table-loader command %zu: unknown zone %u", i, zone);
	if (zone == ACPI_ZONE_FSEG &&
	    (x->gpa < FSEG_START || x->gpa > FSEG_END || x->len > FSEG_END - x->gpa))
		return err__set("table-loader command %zu: %s at %#llx is outside the F segment",
				i, x->name, (unsigned long long)x->gpa);
	*done = true;
	return 0;
}

static int link_pointer(const uint8_t *c, struct acpi_placed *x, struct acpi_placed *to,
			size_t i)
{
	uint32_t off = bytes__get_le(c + PTR_OFFSET, 4);
	unsigned size = c[PTR_SIZE];
	uint64_t v, max;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return err__set("table-loader command %zu: pointer size %u", i, size);
	if (off > x->len || size > x->len - off)
		return err__set("table-loader command %zu: pointer at %#x outside %s (%zu bytes)",
				i, off, x->name, x->len);
	v = bytes__get_le(x->data + off, size);
	if (v >= to->len)
		return err__set("table-loader command %zu: pointer value %#llx outside %s", i,
				(unsigned long long)v, to->name);
	max = size == 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
	if (to->gpa > max - v)
		return err__set("table-loader command %zu: %s at %#llx does not fit a %u-byte "
				"pointer", i, to->name, (unsigned long long)to->gpa, size);
	bytes__put_le(x->data + off, size, v + to->gpa);
	return 0;
}

static int link_checksum(const uint8_t *c, struct acpi_placed *x, size_t i)
{
	uint32_t result = bytes__get_le(c + CKSUM_RESULT, 4);
	uint32_t start = bytes__get_le(c + CKSUM_START, 4);
	uint32_t len = bytes__get_le(c + CKSUM_LENGTH, 4);

	if (result >= x->len || start > x->len || len > x->len - start)
		return err__set("table-loader command %zu: checksum outside %s (%zu bytes)", i,
				x->name, x->len);
	/* Subtracting works whether or not the field starts at zero. */
	x->data[result] += acpi__checksum_of(x->data + start, len);
	return 0;
}

int acpi__link(const uint8_t *script, size_t len, struct acpi_placed *files, size_t n)
{
	bool done[ACPI_MAX_BLOBS] = { false };

	if (n > ACPI_MAX_BLOBS)
		return err__set("table-loader: %zu files, at most %d", n, ACPI_MAX_BLOBS);
	if (len % ACPI_LOADER_ENTRY)
		return err__set("table-loader: %zu bytes is not a whole number of %d-byte commands",
				len, ACPI_LOADER_ENTRY);
	for (size_t i = 0; i < len / ACPI_LOADER_ENTRY; i++) {
		const uint8_t *c = script + i * ACPI_LOADER_ENTRY;
		uint32_t cmd = bytes__get_le(c, 4);
		struct acpi_placed *x = find(c + CMD_FILE, files, n), *to;
		int ret;

		if (cmd == 0)
			continue;
		if (cmd > ACPI_LOADER_ADD_CHECKSUM)
			return err__set("table-loader command %zu: unsupported command %u", i, cmd);
		if (!x || (cmd != ACPI_LOADER_ALLOCATE && !done[x - files]))
			return err__set("table-loader command %zu: unknown or unallocated file %.56s",
					i, (const char *)c + CMD_FILE);
		switch (cmd) {
		case ACPI_LOADER_ALLOCATE:
			ret = link_alloc(c, x, &done[x - files], i);
			break;
		case ACPI_LOADER_ADD_POINTER:
			to = find(c + CMD_FILE2, files, n);
			if (!to || !done[to - files])
				return err__set("table-loader command %zu: unknown or unallocated "
						"file %.56s", i, (const char *)c + CMD_FILE2);
			ret = link_pointer(c, x, to, i);
			break;
		default:
			ret = link_checksum(c, x, i);
			break;
		}
		if (ret < 0)
			return -1;
	}
	return 0;
}

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader/error.h"
#include "measure/authenticode.h"
#include "measure/fileio.h"

#define PE32_MAGIC       0x10b
#define PE32PLUS_MAGIC   0x20b
#define DIR_SECURITY     4     /* the Certificate Table data directory */
#define SECTION_SIZE     40

struct pe_section {
	uint32_t raw_size, raw_ptr;
	size_t index;           /* table position: ties keep it (edk2 sorts stably) */
};

/* Reads N little-endian bytes at OFF; -1 when they are outside the image. */
static int rd(const struct pe_image *img, uint64_t off, unsigned n, uint32_t *v)
{
	*v = 0;
	if (off + n > img->size)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		uint64_t o = off + i;
		uint8_t b = o < img->head_len ? img->head[o] : img->data[o];

		*v |= (uint32_t)b << (8 * i);
	}
	return 0;
}

/* Hashes [off, off+len) of the image as seen through the replaced head. */
static int update(EVP_MD_CTX *c, const struct pe_image *img, uint64_t off, uint64_t len)
{
	if (off < img->head_len) {
		uint64_t n = img->head_len - off < len ? img->head_len - off : len;

		EVP_DigestUpdate(c, img->head + off, n);
		off += n;
		len -= n;
	}
	if (img->fd < 0) {
		EVP_DigestUpdate(c, img->data + off, len);
		return 0;
	}
	if (len && fileio__digest(c, img->fd, off, len, NULL) < 0)
		return fileio__fail(img->path, errno);
	return 0;
}

static int cmp_ptr(const void *a, const void *b)
{
	const struct pe_section *x = a, *y = b;

	if (x->raw_ptr != y->raw_ptr)
		return x->raw_ptr < y->raw_ptr ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

struct pe_layout {
	uint64_t checksum, cert_entry, headers;  /* offsets; cert_entry 0: none */
	uint32_t cert_size;
	struct pe_section *sec;                  /* with raw data, file order */
	size_t nsec;
};

static int parse(const struct pe_image *img, struct pe_layout *l)
{
	uint32_t v, pe, nsec, opt_size, magic, nrva, raw_size, raw_ptr;
	uint64_t opt, dirs, table;
	size_t i;

	memset(l, 0, sizeof(*l));
	if (rd(img, 0, 2, &v) || v != 0x5a4d)
		return err__set("%s: PE DOS header: no \"MZ\" signature", img->path);
	if (rd(img, 0x3c, 4, &pe) || rd(img, pe, 4, &v) || v != 0x4550)
		return err__set("%s: PE e_lfanew: no \"PE\\0\\0\" signature at %#x", img->path, pe);
	if (rd(img, (uint64_t)pe + 6, 2, &nsec) || rd(img, (uint64_t)pe + 20, 2, &opt_size))
		return err__set("%s: PE file header: truncated", img->path);
	opt = (uint64_t)pe + 24;
	if (rd(img, opt, 2, &magic) || (magic != PE32_MAGIC && magic != PE32PLUS_MAGIC))
		return err__set("%s: PE optional header Magic: %#x is neither PE32 nor PE32+",
				img->path, magic);
	dirs = opt + (magic == PE32_MAGIC ? 96 : 112);
	if (opt_size < dirs - opt || rd(img, dirs - 4, 4, &nrva))
		return err__set("%s: PE SizeOfOptionalHeader: %u is too small for the %s header",
				img->path, opt_size, magic == PE32_MAGIC ? "PE32" : "PE32+");
	if (rd(img, opt + 60, 4, &v))
		return err__set("%s: PE SizeOfHeaders: truncated", img->path);
	l->checksum = opt + 64;
	l->headers = v;
	if (nrva > DIR_SECURITY) {
		l->cert_entry = dirs + 8 * DIR_SECURITY;
		if (l->cert_entry + 8 > opt + opt_size || rd(img, l->cert_entry + 4, 4, &l->cert_size))
			return err__set("%s: PE NumberOfRvaAndSizes: %u entries do not fit SizeOfOptionalHeader %u",
					img->path, nrva, opt_size);
	}
	if (l->headers > img->size || l->headers < (l->cert_entry ? l->cert_entry + 8 : l->checksum + 4))
		return err__set("%s: PE SizeOfHeaders: %#llx is outside [end of the optional header, file size %#zx]",
				img->path, (unsigned long long)l->headers, img->size);

	table = opt + opt_size;
	if (table + (uint64_t)SECTION_SIZE * nsec > img->size)
		return err__set("%s: PE NumberOfSections: %u sections run past the end of the file",
				img->path, nsec);
	l->sec = calloc(nsec ? nsec : 1, sizeof(*l->sec));
	if (!l->sec)
		return err__set_status(1, "out of memory");
	for (i = 0; i < nsec; i++) {
		rd(img, table + SECTION_SIZE * i + 16, 4, &raw_size);
		rd(img, table + SECTION_SIZE * i + 20, 4, &raw_ptr);
		if (!raw_size)
			continue;
		if ((uint64_t)raw_ptr + raw_size > img->size) {
			free(l->sec);
			return err__set("%s: PE section %zu PointerToRawData: [%#x, +%#x) runs past the end of the file (%#zx)",
					img->path, i, raw_ptr, raw_size, img->size);
		}
		l->sec[l->nsec++] = (struct pe_section){ raw_size, raw_ptr, i };
	}
	qsort(l->sec, l->nsec, sizeof(*l->sec), cmp_ptr);
	/* The firmware hashes each section's bytes as often as sections claim
	 * them; overlapping ones would multiply the work (65535 sections over
	 * one megabyte), and no linker emits them: refused. */
	for (i = 1; i < l->nsec; i++) {
		const struct pe_section *a = &l->sec[i - 1], *b = &l->sec[i];

		if ((uint64_t)a->raw_ptr + a->raw_size > b->raw_ptr) {
			err__set("%s: PE section %zu PointerToRawData: [%#x, +%#x) overlaps section %zu's raw data",
				 img->path, b->index, b->raw_ptr, b->raw_size, a->index);
			free(l->sec);
			return -1;
		}
	}
	return 0;
}

int authenticode__digest(const struct pe_image *img, const EVP_MD *md, uint8_t *out)
{
	struct pe_layout l;
	EVP_MD_CTX *c = NULL;
	uint64_t hashed;
	int ret = -1;
	size_t i;

	if (parse(img, &l) < 0)
		return -1;
	hashed = l.headers;
	for (i = 0; i < l.nsec; i++)
		hashed += l.sec[i].raw_size;
	if (img->size > hashed && img->size < hashed + l.cert_size) {
		err__set("%s: PE Certificate Table Size: %#x is more than the %#llx bytes after the sections",
			 img->path, l.cert_size, (unsigned long long)(img->size - hashed));
		goto out;
	}
	c = EVP_MD_CTX_new();
	if (!c || !EVP_DigestInit_ex(c, md, NULL)) {
		err__set_status(CVM_EXIT_FAIL, "out of memory or digest unavailable");
		goto out;
	}
	if (update(c, img, 0, l.checksum) < 0)
		goto out;
	if (l.cert_entry) {
		if (update(c, img, l.checksum + 4, l.cert_entry - l.checksum - 4) < 0 ||
		    update(c, img, l.cert_entry + 8, l.headers - l.cert_entry - 8) < 0)
			goto out;
	} else if (update(c, img, l.checksum + 4, l.headers - l.checksum - 4) < 0) {
		goto out;
	}
	for (i = 0; i < l.nsec; i++)
		if (update(c, img, l.sec[i].raw_ptr, l.sec[i].raw_size) < 0)
			goto out;
	if (img->size > hashed + l.cert_size &&
	    update(c, img, hashed, img->size - hashed - l.cert_size) < 0)
		goto out;
	EVP_DigestFinal_ex(c, out, NULL);
	ret = 0;
out:
	EVP_MD_CTX_free(c);
	free(l.sec);
	return ret;
}

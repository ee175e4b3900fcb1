#include <openssl/evp.h>
#include <string.h>

#include "loader/error.h"
#include "loader/fw-cfg.h"
#include "loader/guid.h"
#include "loader/sev-hashes.h"

static const struct guid table_guid = GUID_INIT(0x9438d606, 0x4f22, 0x4cc9,
	0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21);
static const struct guid cmdline_guid = GUID_INIT(0x97d02dd8, 0xbd20, 0x4c94,
	0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a);
static const struct guid initrd_guid = GUID_INIT(0x44baf731, 0x3a2f, 0x4bd7,
	0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d);
static const struct guid kernel_guid = GUID_INIT(0x4de79437, 0xabd2, 0x427f,
	0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b);

#define ENTRY_LEN 50    /* GUID, u16 length, SHA-256 */

static int sha256(const void *d, size_t n, uint8_t out[32])
{
	if (!EVP_Digest(d, n, out, NULL, EVP_sha256(), NULL))
		return err__set_status(CVM_EXIT_FAIL, "SHA-256 failed");
	return 0;
}

int sev_hashes__fill(struct sev_hashes *h, const uint8_t kernel[32], const uint8_t *initrd,
		     const char *append)
{
	const char *s = append ? append : "";

	memmove(h->kernel, kernel, 32);
	if (initrd)
		memmove(h->initrd, initrd, 32);
	else if (sha256("", 0, h->initrd) < 0)
		return -1;
	/* The table covers the string QEMU hands the guest, NUL included. */
	return sha256(s, strlen(s) + 1, h->cmdline);
}

/* SHA-256 of the PARTS (N of them) in order. */
static int sha256_parts(const struct fw_cfg_item *const *parts, size_t n, uint8_t out[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL);

	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(c, parts[i]->data, parts[i]->len);
	ok = ok && EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
	return ok ? 0 : err__set_status(CVM_EXIT_FAIL, "SHA-256 failed");
}

int sev_hashes__served(struct sev_hashes *h, const struct fw_cfg_list *l)
{
	const struct fw_cfg_item *kernel[2] = { fw_cfg_list__find(l, FW_CFG_SETUP_DATA, NULL),
						fw_cfg_list__find(l, FW_CFG_KERNEL_DATA, NULL) };
	const struct fw_cfg_item *initrd = fw_cfg_list__find(l, FW_CFG_INITRD_DATA, NULL);
	const char *cmdline = fw_cfg_list__cmdline(l);
	uint8_t k[32], rd[32];

	if (!kernel[0] || !kernel[1] || !cmdline)
		return err__set("fw_cfg: no kernel, or no NUL-terminated command line, to hash");
	if (sha256_parts(kernel, 2, k) < 0 || (initrd && sha256_parts(&initrd, 1, rd) < 0))
		return -1;
	return sev_hashes__fill(h, k, initrd ? rd : NULL, cmdline);
}

static uint8_t *put_head(uint8_t *p, const struct guid *g, uint16_t len)
{
	memcpy(p, g->b, 16);
	p[16] = len;
	p[17] = len >> 8;
	return p + 18;
}

static uint8_t *put_entry(uint8_t *p, const struct guid *g, const uint8_t digest[32])
{
	p = put_head(p, g, ENTRY_LEN);
	memcpy(p, digest, 32);
	return p + 32;
}

void sev_hashes__table(const struct sev_hashes *h, uint8_t *out)
{
	uint8_t *p = out;

	memset(out, 0, SEV_HASHES_PADDED_LEN);
	p = put_head(p, &table_guid, SEV_HASHES_TABLE_LEN);
	p = put_entry(p, &cmdline_guid, h->cmdline);
	p = put_entry(p, &initrd_guid, h->initrd);
	put_entry(p, &kernel_guid, h->kernel);
}

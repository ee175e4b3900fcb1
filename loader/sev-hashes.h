/* The SEV kernel-hashes table QEMU places in guest memory for measured
 * direct boot (sev_add_kernel_loader_hashes, MEASUREMENT.md 2.5): OVMF's
 * AmdSev build checks the kernel, initrd and command line it reads from
 * fw_cfg against it. */
#ifndef CVM_SEV_HASHES_H
#define CVM_SEV_HASHES_H

#include <stdint.h>

#define SEV_HASHES_TABLE_LEN    168     /* header + 3 entries */
#define SEV_HASHES_PADDED_LEN   176     /* what QEMU copies: 16-byte aligned */

struct sev_hashes {
	uint8_t cmdline[32];    /* SHA-256 of the command line and its NUL */
	uint8_t initrd[32];     /* SHA-256 of the initrd file (of nothing when none) */
	uint8_t kernel[32];     /* SHA-256 of the kernel file, byte for byte */
};

/* QEMU's kernel-hashes=on table for a direct boot: KERNEL is the kernel
 * file's SHA-256, INITRD the initrd's or NULL for none (the digest of
 * nothing), APPEND the command line (NULL and "" both hash a lone NUL).
 * -1 if a digest fails. */
int sev_hashes__fill(struct sev_hashes *h, const uint8_t kernel[32], const uint8_t *initrd,
		     const char *append);
/* The SHA-256 of the file at PATH into OUT; -1 naming PATH. */
int sev_hashes__file(const char *path, uint8_t out[32]);
/* Writes the padded table (SEV_HASHES_PADDED_LEN bytes) to OUT. */
void sev_hashes__table(const struct sev_hashes *h, uint8_t *out);

#endif

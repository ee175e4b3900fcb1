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

/* H->cmdline from APPEND; NULL and "" both hash a lone NUL. -1 if the
 * digest fails. */
int sev_hashes__cmdline(struct sev_hashes *h, const char *append);
/* H->initrd for "no initrd": SHA-256 of zero bytes. */
int sev_hashes__no_initrd(struct sev_hashes *h);
/* Writes the padded table (SEV_HASHES_PADDED_LEN bytes) to OUT. */
void sev_hashes__table(const struct sev_hashes *h, uint8_t *out);

#endif

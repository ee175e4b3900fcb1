/* The edk2 UEFI variable store in a firmware volume (the TDVF CFV): what the
 * firmware's variable driver starts from, e.g. enrolled Secure Boot keys.
 * Authenticated (gEfiAuthenticatedVariableGuid) and plain stores. */
#ifndef CVM_EFI_VARSTORE_H
#define CVM_EFI_VARSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/guid.h"

struct efi_varstore {
	const char *path;
	const uint8_t *fv;      /* the firmware volume */
	size_t start, end;      /* the variables: [start, end) of FV */
	bool auth;              /* 60-byte authenticated variable headers */
};

/* Checks the FV header and the variable store header of FV (SIZE bytes),
 * and every variable header up to the end of the list.  -1 with
 * "PATH: CFV field: what" on anything malformed. */
int efi_varstore__open(struct efi_varstore *s, const char *path, const uint8_t *fv, size_t size);

/* The data of the live variable NAME (ASCII) of vendor G: 1 with *DATA, *LEN
 * set, or 0 when the store does not hold it. */
int efi_varstore__get(const struct efi_varstore *s, const struct guid *g, const char *name,
		      const uint8_t **data, size_t *len);

#endif

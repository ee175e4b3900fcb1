/* The Linux x86 boot protocol (Documentation/arch/x86/boot.rst), entered at
 * the 64-bit entry: a bzImage's protected-mode part loaded as is and a zero
 * page (struct boot_params) carrying its setup header. */
#ifndef CVM_X86_BZIMAGE_H
#define CVM_X86_BZIMAGE_H

#include <stdbool.h>

#include "arch/x86/boot.h"
#include "loader/blob.h"

/* True when B carries the "HdrS" setup header signature. */
bool bzimage__detect(const struct blob *b);

/* B must pass bzimage__detect().  Checks its setup header against the file and the guest's RAM (MAP), adds
 * the protected-mode part at its load address, and fills K.  -1 + err__set()
 * naming B's path and the header field on bad input. */
int bzimage__load(struct plan *p, const struct blob *b, const struct x86_e820 *map,
		  struct x86_kernel *k);

/* Adds the zero page at X86_BOOT_PARAMS_ADDR: B's setup header (already
 * checked by bzimage__load) filled in with INFO. */
int bzimage__add_boot_params(struct plan *p, const struct blob *b,
			     const struct x86_boot_info *info);

#endif

/* The ELF image's entry: the PVH boot ABI.  32-bit flat protected mode,
 * paging off, %ebx = struct hvm_start_info. */
#include "guest.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a", @note
	.balign	4
	.long	2f - 1f			/* namesz */
	.long	4f - 3f			/* descsz */
	.long	XEN_ELFNOTE_PHYS32_ENTRY
1:	.asciz	"Xen"
2:	.balign	4
3:	.long	pvh_start32
4:	.balign	4

	.text
	.code32
	.globl	pvh_start32
pvh_start32:
	movl	%ebx, %esi
	movl	$pvh64, %edi
	jmp	enter_long_mode

	.code64
pvh64:
	movl	$ENTRY_PVH, %edi
	jmp	entry64

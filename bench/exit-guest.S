/* The smallest PVH guest: its first instruction ends the VM through the
 * debug-exit port, so a run's wall time is the VMM's set-up and teardown.
 * Built with -DIDLE it halts forever instead (for measuring RSS). */
	.code32
	.text
	.globl _start
_start:
#ifndef IDLE
	xorl	%eax, %eax
	outb	%al, $0xf4
#endif
1:	hlt
	jmp	1b

	.section .note.Xen, "a"
	.balign	4
	.long	4, 4, 18	/* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz	"Xen"
	.balign	4
	.long	_start

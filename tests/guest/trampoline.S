/* What an AP runs after the SIPI: real mode, CS = SMP_TRAMPOLINE >> 4, IP 0.
 * smp.c copies these bytes to SMP_TRAMPOLINE; the code is CS-relative, and
 * the few absolute addresses are computed from SMP_TRAMPOLINE_ADDR.  The AP
 * counts itself, then halts, or, when smp.c left a 32-bit entry point in
 * trampoline_work, enters flat protected mode and jumps there. */
#include "guest.h"

#define TRAMP(sym)	(SMP_TRAMPOLINE_ADDR + ((sym) - trampoline_start))

	.section .rodata, "a"
	.code16
	.globl	trampoline_start, trampoline_count, trampoline_work, trampoline_end
trampoline_start:
	cli
	lock incl %cs:(trampoline_count - trampoline_start)
	movl	%cs:(trampoline_work - trampoline_start), %ebx
	testl	%ebx, %ebx
	jz	1f
	lgdtl	%cs:(tgdt_ptr - trampoline_start)
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $TRAMP(pm32)
1:	hlt
	jmp	1b

	.code32
pm32:
	movw	$0x18, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	jmp	*%ebx

	.balign	8
tgdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: flat 32-bit code */
	.quad	0x00af9a000000ffff	/* 0x10: long-mode code */
	.quad	0x00cf92000000ffff	/* 0x18: flat data */
tgdt_ptr:
	.word	tgdt_ptr - tgdt - 1
	.long	TRAMP(tgdt)

	.balign	4
trampoline_count:
	.long	0
trampoline_work:
	.long	0
trampoline_end:

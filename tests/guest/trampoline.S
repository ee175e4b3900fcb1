/* What an AP runs after the SIPI: real mode, CS = SMP_TRAMPOLINE >> 4, IP 0.
 * smp.c copies these bytes to SMP_TRAMPOLINE; everything is CS-relative so
 * the copy works wherever it lands. */
	.section .rodata, "a"
	.code16
	.globl	trampoline_start, trampoline_count, trampoline_end
trampoline_start:
	cli
	lock incl %cs:(trampoline_count - trampoline_start)
1:	hlt
	jmp	1b

	.balign	4
trampoline_count:
	.long	0
trampoline_end:

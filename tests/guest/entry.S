/* Shared by both images: the GDT, static identity page tables, the 32-bit
 * to long-mode switch, and the 64-bit entry that calls guest_main. */
#include "guest.h"

#define CR0_PE		0x00000001
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100
#define SEL_CS32	0x08		/* the selectors cvm-run's GDT uses too */
#define SEL_CS64	0x10
#define SEL_DS		0x18
#define PTE_TABLE	0x3		/* present, writable */
#define PDE_LARGE	0x83		/* present, writable, 2 MiB page */
#define STACK_SIZE	0x4000

	.section .data, "aw"
/* Built by the assembler, not at run time: no loop for an emulator to
 * crawl through.  0-4 GiB identity in 2 MiB pages; virtual 4-5 GiB is
 * window_pd, phys.c's view of memory above 4 GiB. */
	.balign	4096
pml4:
	.quad	pdpt + PTE_TABLE
	.fill	511, 8, 0
pdpt:
	.quad	pd + 0x0000 + PTE_TABLE
	.quad	pd + 0x1000 + PTE_TABLE
	.quad	pd + 0x2000 + PTE_TABLE
	.quad	pd + 0x3000 + PTE_TABLE
	.quad	window_pd + PTE_TABLE
	.fill	507, 8, 0
pd:
	.set	pa, 0
	.rept	2048
	.quad	pa + PDE_LARGE
	.set	pa, pa + 0x200000
	.endr

	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* SEL_CS32: flat 32-bit code */
	.quad	0x00af9a000000ffff	/* SEL_CS64: long-mode code */
	.quad	0x00cf92000000ffff	/* SEL_DS: flat data */
gdt_end:
	.globl	gdt, gdt_limit
	.set	gdt_limit, gdt_end - gdt - 1
gdt_ptr:				/* lgdt in 32-bit mode reads the low half of the base */
	.word	gdt_limit
	.quad	gdt

	.section .bss, "aw", @nobits
	.balign	4096
	.globl	window_pd
window_pd:
	.skip	4096

	.section .stack, "aw", @nobits
	.balign	16
	.skip	STACK_SIZE
stack_top:

/* The working APs' stacks (smp__start with WORK): AP n uses the n-th. */
#define AP_STACK_SIZE	0x1000
	.section .bss, "aw", @nobits
	.balign	16
ap_stacks:
	.skip	AP_STACK_SIZE * SMP_WORK_MAX
ap_next:
	.long	0

	.text
/* From 32-bit flat protected mode with paging off.  %esi is handed on to
 * the 64-bit code at %edi. */
	.code32
	.globl	enter_long_mode
enter_long_mode:
	lgdt	gdt_ptr
	movw	$SEL_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_PE), %eax
	movl	%eax, %cr0
	ljmp	$SEL_CS64, $1f
	.code64
1:	movl	%edi, %edi		/* upper halves are undefined after the switch */
	movl	%esi, %esi
	jmp	*%rdi

/* Long mode, interrupts off, any identity map of the image: %edi = ENTRY_*,
 * %rsi = the loader's structure.  Switches to our own GDT, page tables and
 * stack, clears .bss, and calls guest_main(kind, info). */
	.globl	entry64
entry64:
	cli
	cld
	lgdt	gdt_ptr
	movw	$SEL_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$pml4, %eax
	movq	%rax, %cr3
	movl	$stack_top, %esp
	pushq	$SEL_CS64
	pushq	$1f
	lretq
1:	movl	%edi, %r12d
	movq	%rsi, %rbx
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	shrl	$3, %ecx
	xorl	%eax, %eax
	rep stosq
	movl	%r12d, %edi
	movq	%rbx, %rsi
	call	guest_main

/* A working AP, from trampoline.S in flat 32-bit protected mode: long mode
 * on our page tables, then smp__ap_main(index) on a stack of its own;
 * APs beyond SMP_WORK_MAX halt. */
	.code32
	.globl	ap_entry32
ap_entry32:
	movl	$ap64, %edi
	jmp	enter_long_mode

	.code64
ap64:
	movl	$1, %eax
	lock xaddl %eax, ap_next
	incl	%eax
	cmpl	$SMP_WORK_MAX, %eax
	ja	2f
	movl	%eax, %edi
	imull	$AP_STACK_SIZE, %eax
	leaq	ap_stacks(%rax), %rsp
	call	smp__ap_main
2:	cli
	hlt
	jmp	2b

/* The Image header (Linux's Documentation/arch/arm64/booting.rst), the
 * entry of the boot CPU and of the others (PSCI CPU_ON), and the exception
 * vectors.  Everything is PC-relative: the image runs wherever its 2 MiB
 * aligned base is (cvm-run: RAM's base; QEMU: 2 MiB above it). */

	.section .head, "ax"
	.globl	_start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	_image_size		/* image_size: up to _end, bss and stacks included */
	.quad	0xa			/* flags: little-endian, 4K pages, anywhere */
	.quad	0, 0, 0			/* res2-res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE header */

	.text
/* x0 = the device tree; EL1 (or whatever the loader chose), MMU off. */
primary_entry:
	mov	x19, x0
	msr	daifset, #0xf
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	adrp	x1, stack_top
	add	x1, x1, :lo12:stack_top
	mov	sp, x1
	mov	x0, x19
	bl	guest_main
3:	wfi
	b	3b

/* PSCI CPU_ON's entry: x0 = the context id, this CPU's answer word. */
	.globl	ap_entry
ap_entry:
	mov	w1, #1
	str	w1, [x0]
	dsb	sy
4:	wfi
	b	4b

/* Sixteen entries of 0x80 bytes; each reports its number. */
	.balign	2048
vectors:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign	128
	mov	x0, #\n
	b	guest_exception
	.endr

	.bss
	.balign	16
	.space	16384
stack_top:

/* The bzImage's own parts (Documentation/arch/x86/boot.rst, protocol 2.15):
 * the setup sectors with the setup header, and the head of the
 * protected-mode part with the 32-bit entry at +0 and the 64-bit entry at
 * +0x200.  guest.lds stores the setup right before the protected-mode part
 * so that objcopy -O binary yields the bzImage file. */
#define __ASSEMBLY__
#include <asm/bootparam.h>
#include "guest.h"

#define SETUP_SECTS	9		/* after the boot sector: zero page + code */
#define BP_E820_ENTRIES	0x1e8		/* struct boot_params offsets */
#define BP_E820_TABLE	0x2d0
#define E820_MAX	128
#define E820_ENTRY_SIZE	20
#define SMAP		0x534d4150
#define CR0_PE		0x00000001
#define SEL_CS32	0x08
#define SEL_DS		0x18
#define LOAD_ADDR	0x100000

/* Setup: run only by loaders that start the kernel in real mode (QEMU's
 * linuxboot ROM).  It is loaded at the zero page, so its first 4 KiB stay
 * free for struct boot_params and the code starts at 0x1000. */
	.section .setup, "ax"
	.code16
	.org	0x1f1
	.byte	SETUP_SECTS		/* setup_sects */
	.word	0			/* root_flags */
	.long	_syssize		/* syssize: 16-byte units */
	.word	0			/* ram_size */
	.word	0xffff			/* vid_mode: normal */
	.word	0			/* root_dev */
	.word	0xaa55			/* boot_flag */
	.org	0x200
	.byte	0xeb, setup_jump - 1f	/* jump */
1:	.ascii	"HdrS"			/* header */
	.word	0x020f			/* version */
	.long	0			/* realmode_swtch */
	.word	0			/* start_sys_seg */
	.word	0			/* kernel_version */
	.byte	0			/* type_of_loader */
	.byte	LOADED_HIGH		/* loadflags */
	.word	0			/* setup_move_size */
	.long	LOAD_ADDR		/* code32_start */
	.long	0			/* ramdisk_image */
	.long	0			/* ramdisk_size */
	.long	0			/* bootsect_kludge */
	.word	0			/* heap_end_ptr */
	.byte	0			/* ext_loader_ver */
	.byte	0			/* ext_loader_type */
	.org	0x228
	.long	0			/* cmd_line_ptr */
	.long	0x7fffffff		/* initrd_addr_max */
	.long	LOAD_ADDR		/* kernel_alignment */
	.byte	0			/* relocatable_kernel */
	.byte	20			/* min_alignment: log2 of 1 MiB */
	.org	0x236
	.word	XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G	/* xloadflags */
	.long	4095			/* cmdline_size */
	.long	0			/* hardware_subarch */
	.quad	0			/* hardware_subarch_data */
	.long	0			/* payload_offset */
	.long	0			/* payload_length */
	.quad	0			/* setup_data */
	.org	0x258
	.quad	LOAD_ADDR		/* pref_address */
	.long	_init_size		/* init_size */
	.long	0			/* handover_offset */
	.long	0			/* kernel_info_offset */
	.org	0x26c			/* end of the header: boot_params padding */
setup_jump:
	jmp	setup_main
	.org	0x290			/* boot_params.edd_mbr_sig_buffer */

	.org	0x1000
/* CS = DS + 0x20, IP = 0; DS = ES = SS = the setup's segment. */
setup_main:
	cli
	movw	%ds, %ax
	pushw	%ax			/* CS = DS, so labels are offsets */
	pushw	$1f
	lretw
1:	movw	%ax, %es

	/* The BIOS memory map into boot_params.e820_table. */
	xorl	%ebx, %ebx
	movw	$BP_E820_TABLE, %di
2:	movl	$0xe820, %eax
	movl	$SMAP, %edx
	movl	$E820_ENTRY_SIZE, %ecx
	int	$0x15
	jc	3f
	cmpl	$SMAP, %eax
	jne	3f
	addw	$E820_ENTRY_SIZE, %di
	testl	%ebx, %ebx
	jz	3f
	cmpw	$BP_E820_TABLE + E820_MAX * E820_ENTRY_SIZE, %di
	jb	2b
3:	movw	%di, %ax
	subw	$BP_E820_TABLE, %ax
	movb	$E820_ENTRY_SIZE, %cl
	divb	%cl
	movb	%al, BP_E820_ENTRIES

	/* Fast A20, so that the GDT and the kernel above 1 MiB are reachable. */
	inb	$0x92, %al
	orb	$0x02, %al
	andb	$0xfe, %al
	outb	%al, $0x92

	/* The 32-bit boot protocol: %esi = boot_params, flat segments. */
	xorl	%esi, %esi
	movw	%ds, %si
	shll	$4, %esi
	lgdtl	gdt_desc
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	movw	$SEL_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	ljmpl	$SEL_CS32, $linux_start32

	.balign	8
gdt_desc:
	.word	gdt_limit
	.long	gdt

	.org	(SETUP_SECTS + 1) * 512

/* The protected-mode part, loaded at LOAD_ADDR. */
	.section .head, "ax"
	.code32
/* The 32-bit entry (code32_start): %esi = boot_params, paging off. */
	.globl	linux_start32
linux_start32:
	movl	$linux64, %edi
	jmp	enter_long_mode

	.org	0x200
	.code64
/* The 64-bit entry: %rsi = boot_params, identity-mapped long mode. */
	.globl	linux64
linux64:
	movl	$ENTRY_LINUX64, %edi
	jmp	entry64

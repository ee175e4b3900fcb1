/* What a firmware boot of the x86 VM serves through fw_cfg besides the
 * ACPI tables (arch/x86/acpi.h), as QEMU's pc machine serves it
 * (hw/i386/fw_cfg.c fw_cfg_arch_create, hw/i386/x86.c x86_load_linux):
 * the machine's items and "etc/e820", and for -k/-i/-p the bzImage split
 * into its real-mode setup and protected-mode kernel, the initrd and the
 * command line, which OVMF's QemuKernelLoaderFsDxe reads back.
 *
 * Left out: the SeaBIOS-era items OVMF never reads (NUMA, HPET, the legacy
 * ACPI/SMBIOS/E820 items, and the *_ADDR load addresses only SeaBIOS's
 * linuxboot ROM uses). */
#ifndef CVM_X86_FW_CFG_H
#define CVM_X86_FW_CFG_H

#include <stdint.h>

#include "loader/blob.h"
#include "loader/fw-cfg.h"
#include "loader/plan.h"

#define FW_CFG_IRQ0_OVERRIDE (FW_CFG_ARCH_LOCAL | 0x02)   /* QEMU hw/i386/fw_cfg.h */
#define FW_CFG_FILE_E820     "etc/e820"
#define FW_CFG_E820_ENTRY    20         /* le64 address, le64 length, le32 type */

/* Signature, ID and the directory come from the device; these are the
 * rest: vCPUs (NB_CPUS, MAX_CPUS: APIC ids are 0..vcpus-1), RAM_SIZE,
 * UUID (zero), NOGRAPHIC (1), BOOT_MENU (0), IRQ0_OVERRIDE (1) and
 * "etc/e820" with the RAM ranges of x86__ram_ranges(MEM); firmware carves
 * its own holes (legacy VGA/BIOS) as with QEMU's map.  All added to
 * p->fw_cfg, their data owned by P. */
int x86__fw_cfg_machine(struct plan *p, uint64_t mem, uint32_t vcpus);

struct x86_fw_cfg_linux {
	const struct blob *kernel;      /* a bzImage */
	const struct blob *initrd;      /* NULL: none */
	const char *cmdline;            /* NULL: "" */
	/* The first setup bytes as they are to be served instead of the
	 * file's (loader/qemu-setup.h's patched header reproduces QEMU's
	 * bytes), or NULL to serve the file as it is (QEMU for SEV). */
	const uint8_t *setup_head;
	size_t setup_head_len;
};

/* The KERNEL and INITRD files (INITRD NULL: none) fw_cfg is to serve,
 * mapped into P (each at most FW_CFG_ITEM_MAX bytes) as *K and *RD, with
 * K->initrd pointing at *RD when it has bytes: an empty initrd is no
 * initrd, as on a direct boot.  -1 + err__set() naming the file. */
int x86__fw_cfg_map_linux(struct plan *p, const char *kernel, const char *initrd,
			  struct x86_fw_cfg_linux *k, struct blob *kb, struct blob *rd);

/* SETUP_SIZE/DATA: the first (setup_sects + 1) * 512 bytes (setup_sects 0
 * meaning 4); KERNEL_SIZE/DATA: the rest; CMDLINE_SIZE/DATA with its NUL;
 * INITRD_SIZE/DATA when there is one; added to p->fw_cfg.  -1 + err__set()
 * naming the kernel when it is no bzImage or its setup reaches past the
 * file. */
int x86__fw_cfg_linux(struct plan *p, const struct x86_fw_cfg_linux *k);

#endif

/* The x86 Linux boot protocol (Documentation/arch/x86/boot.rst): the setup
 * header a bzImage carries at 0x1f1 and the "zero page" (struct
 * boot_params) a loader hands over, as far as cvm reads or writes them.
 * <asm/bootparam.h> exists only in x86 kernel headers, and the pure code
 * that builds and measures x86 launches must build on every host; the
 * names are the kernel's and the offsets are asserted below. */
#ifndef CVM_X86_BOOTPARAM_H
#define CVM_X86_BOOTPARAM_H

#include <stddef.h>
#include <stdint.h>

/* loadflags */
#define LOADED_HIGH                (1 << 0)   /* protected-mode code at 1 MiB+ */
#define CAN_USE_HEAP               (1 << 7)   /* heap_end_ptr is valid */
/* xloadflags */
#define XLF_KERNEL_64              (1 << 0)   /* 64-bit entry at +0x200 */
#define XLF_CAN_BE_LOADED_ABOVE_4G (1 << 1)

struct setup_header {
	uint8_t  setup_sects;
	uint16_t root_flags;
	uint32_t syssize;
	uint16_t ram_size;
	uint16_t vid_mode;
	uint16_t root_dev;
	uint16_t boot_flag;
	uint16_t jump;
	uint32_t header;
	uint16_t version;
	uint32_t realmode_swtch;
	uint16_t start_sys_seg;
	uint16_t kernel_version;
	uint8_t  type_of_loader;
	uint8_t  loadflags;
	uint16_t setup_move_size;
	uint32_t code32_start;
	uint32_t ramdisk_image;
	uint32_t ramdisk_size;
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr;
	uint8_t  ext_loader_ver;
	uint8_t  ext_loader_type;
	uint32_t cmd_line_ptr;
	uint32_t initrd_addr_max;
	uint32_t kernel_alignment;
	uint8_t  relocatable_kernel;
	uint8_t  min_alignment;
	uint16_t xloadflags;
	uint32_t cmdline_size;
	uint32_t hardware_subarch;
	uint64_t hardware_subarch_data;
	uint32_t payload_offset;
	uint32_t payload_length;
	uint64_t setup_data;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t handover_offset;
	uint32_t kernel_info_offset;
} __attribute__((packed));

struct boot_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

/* Only the pre-2.02 command-line words of screen_info are named. */
struct boot_screen_info {
	uint8_t  _pad[0x20];
	uint16_t cl_magic, cl_offset;
	uint8_t  _pad2[0x1c];
} __attribute__((packed));

struct boot_params {
	struct boot_screen_info screen_info;            /* 0x000 */
	uint8_t  _pad1[0x30];
	uint64_t acpi_rsdp_addr;                        /* 0x070 */
	uint8_t  _pad2[0x48];
	uint32_t ext_ramdisk_image;                     /* 0x0c0 */
	uint32_t ext_ramdisk_size;                      /* 0x0c4 */
	uint32_t ext_cmd_line_ptr;                      /* 0x0c8 */
	uint8_t  _pad3[0x11c];
	uint8_t  e820_entries;                          /* 0x1e8 */
	uint8_t  _pad4[6];
	uint8_t  sentinel;                              /* 0x1ef: 0 = the loader cleared the page */
	uint8_t  _pad5;
	struct setup_header hdr;                        /* 0x1f1 */
	uint8_t  _pad6[0x2d0 - 0x1f1 - sizeof(struct setup_header)];
	struct boot_e820_entry e820_table[128];         /* 0x2d0 */
	uint8_t  _pad7[0x330];
} __attribute__((packed));

_Static_assert(sizeof(struct setup_header) == 0x7b, "setup_header size");
_Static_assert(offsetof(struct setup_header, header) == 0x202 - 0x1f1, "setup_header.header");
_Static_assert(offsetof(struct setup_header, xloadflags) == 0x236 - 0x1f1, "xloadflags");
_Static_assert(offsetof(struct setup_header, pref_address) == 0x258 - 0x1f1, "pref_address");
_Static_assert(offsetof(struct boot_params, screen_info.cl_magic) == 0x20, "cl_magic");
_Static_assert(offsetof(struct boot_params, acpi_rsdp_addr) == 0x070, "acpi_rsdp_addr");
_Static_assert(offsetof(struct boot_params, ext_ramdisk_image) == 0x0c0, "ext_ramdisk_image");
_Static_assert(offsetof(struct boot_params, e820_entries) == 0x1e8, "e820_entries");
_Static_assert(offsetof(struct boot_params, sentinel) == 0x1ef, "sentinel");
_Static_assert(offsetof(struct boot_params, hdr) == 0x1f1, "hdr");
_Static_assert(offsetof(struct boot_params, e820_table) == 0x2d0, "e820_table");
_Static_assert(sizeof(struct boot_params) == 4096, "boot_params size");

#endif

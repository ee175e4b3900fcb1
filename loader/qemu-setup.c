#include <stdlib.h>
#include <string.h>

#include "loader/bytes.h"
#include "loader/error.h"
#include "loader/qemu-setup.h"

#define HDR(field)   (offsetof(struct boot_params, hdr.field))
#define HDRS_MAGIC   0x53726448u       /* "HdrS" */
#define CL_MAGIC     0xa33f            /* pre-2.02 command line protocol */
#define QEMU_LOADER  0xb0              /* type_of_loader: QEMU */
/* pc_memory_init's acpi_data_size: ACPI tables + the linker area */
#define QEMU_ACPI_DATA_SIZE (0x20000 + 0x8000)

/* QEMU's "vga=" handling: a name or a C integer (strtol base 0). */
static void patch_vga(uint8_t *head, const char *cmdline)
{
	const char *v = strstr(cmdline, "vga=");
	uint16_t mode;

	if (!v)
		return;
	v += 4;
	if (!strncmp(v, "normal", 6))
		mode = 0xffff;
	else if (!strncmp(v, "ext", 3))
		mode = 0xfffe;
	else if (!strncmp(v, "ask", 3))
		mode = 0xfffd;
	else
		mode = strtol(v, NULL, 0);
	bytes__put_le(head + HDR(vid_mode), 2, mode);
}

int qemu_setup__patch(const char *path, const uint8_t *kernel, size_t size,
		      const struct qemu_linux *q, uint8_t head[QEMU_SETUP_HEAD])
{
	uint32_t protocol = 0, cmdline_size, real, cmd, initrd_max;

	if (size < QEMU_SETUP_HEAD)
		return err__set("%s: setup header: the file has %zu bytes, a bzImage header needs %zu",
				path, size, QEMU_SETUP_HEAD);
	if (q->below_4g <= QEMU_ACPI_DATA_SIZE)
		return err__set("memory: %#llx bytes below 4 GiB leave no room for QEMU's ACPI data",
				(unsigned long long)q->below_4g);
	memcpy(head, kernel, QEMU_SETUP_HEAD);
	if (bytes__get_le(head + HDR(header), 4) == HDRS_MAGIC)
		protocol = bytes__get_le(head + HDR(version), 2);

	cmdline_size = (strlen(q->cmdline) + 16) & ~15u;
	if (protocol < 0x202 || !(head[HDR(loadflags)] & LOADED_HIGH)) {
		real = 0x90000;
		cmd = 0x9a000 - cmdline_size;
	} else {
		real = 0x10000;
		cmd = 0x20000;
	}

	if (protocol >= 0x20c &&
	    (bytes__get_le(head + HDR(xloadflags), 2) & XLF_CAN_BE_LOADED_ABOVE_4G))
		initrd_max = UINT32_MAX;
	else if (protocol >= 0x203)
		initrd_max = bytes__get_le(head + HDR(initrd_addr_max), 4);
	else
		initrd_max = 0x37ffffff;
	if (initrd_max >= q->below_4g - QEMU_ACPI_DATA_SIZE)
		initrd_max = q->below_4g - QEMU_ACPI_DATA_SIZE - 1;

	if (protocol >= 0x202) {
		bytes__put_le(head + HDR(cmd_line_ptr), 4, cmd);
	} else {
		bytes__put_le(head + offsetof(struct boot_params, screen_info.cl_magic), 2, CL_MAGIC);
		bytes__put_le(head + offsetof(struct boot_params, screen_info.cl_offset), 2, cmd - real);
	}
	patch_vga(head, q->cmdline);
	if (protocol >= 0x200)
		head[HDR(type_of_loader)] = QEMU_LOADER;
	if (protocol >= 0x201) {
		head[HDR(loadflags)] |= CAN_USE_HEAP;
		bytes__put_le(head + HDR(heap_end_ptr), 2, cmd - real - 0x200);
	}
	if (!q->initrd)
		return 0;
	if (protocol < 0x200)
		return err__set("%s: setup header version: boot protocol %#x cannot take an initrd",
				path, protocol);
	if (q->initrd_size >= initrd_max)
		return err__set("initrd: %llu bytes, QEMU allows less than %u with this memory size",
				(unsigned long long)q->initrd_size, initrd_max);
	bytes__put_le(head + HDR(ramdisk_image), 4, (initrd_max - q->initrd_size) & ~0xfffu);
	bytes__put_le(head + HDR(ramdisk_size), 4, q->initrd_size);
	return 0;
}

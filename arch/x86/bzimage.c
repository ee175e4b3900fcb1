#include <stddef.h>
#include <string.h>

#include "arch/x86/bootparam.h"
#include "arch/x86/bzimage.h"
#include "loader/error.h"

#define HDR_OFF      offsetof(struct boot_params, hdr)
#define HDR_MAGIC    offsetof(struct boot_params, hdr.header)
/* The byte after the setup's jump opcode says how far the header reaches. */
#define HDR_LEN_BYTE (offsetof(struct boot_params, hdr.jump) + 1)
#define SECTOR       512
#define ENTRY_64     0x200      /* the 64-bit entry, from the load address */
#define LOADER_ID    0xff       /* type_of_loader: "undefined" */
/* The customary end of a 64 KiB real-mode segment; only the 16-bit setup
 * code (not run on the 64-bit entry) uses its heap, but kernels read it. */
#define HEAP_END     0xfe00

#define PROTO(maj, min) ((maj) << 8 | (min))

bool bzimage__detect(const struct blob *b)
{
	return b->size >= HDR_MAGIC + 4 && memcmp(b->data + HDR_MAGIC, "HdrS", 4) == 0;
}

/* Bytes of setup header the file provides, capped to what this loader knows;
 * 0 + err__set() when the header claims to end beyond the file. */
static size_t hdr_len(const struct blob *b)
{
	size_t end = HDR_MAGIC + b->data[HDR_LEN_BYTE];

	if (end > b->size) {
		err__set("%s: setup header: ends at %#zx, beyond the %zu-byte file", b->path, end,
			 b->size);
		return 0;
	}
	end -= HDR_OFF;
	return end < sizeof(struct setup_header) ? end : sizeof(struct setup_header);
}

static int check_header(const struct blob *b, const struct setup_header *h, size_t len)
{
	size_t need = offsetof(struct setup_header, init_size) + sizeof(h->init_size);

	if (h->version < PROTO(2, 6))
		return err__set("%s: version: boot protocol %u.%02u is older than 2.06", b->path,
				h->version >> 8, h->version & 0xff);
	if (h->version >= PROTO(2, 12) && len < need)
		return err__set("%s: setup header: %zu bytes, boot protocol %u.%02u needs %zu",
				b->path, len, h->version >> 8, h->version & 0xff, need);
	/* xloadflags exist from 2.12: older kernels have no 64-bit entry. */
	if (h->version < PROTO(2, 12) || !(h->xloadflags & XLF_KERNEL_64))
		return err__set("%s: xloadflags: no 64-bit entry (XLF_KERNEL_64), boot protocol "
				"%u.%02u", b->path, h->version >> 8, h->version & 0xff);
	if (!(h->loadflags & LOADED_HIGH))
		return err__set("%s: loadflags: LOADED_HIGH not set (a zImage)", b->path);
	return 0;
}

int bzimage__load(struct plan *p, const struct blob *b, const struct x86_e820 *map,
		  struct x86_kernel *k)
{
	struct setup_header h = { 0 };
	uint64_t setup, kernel_len, load, run, ram_end = x86__e820_ram_end(map);
	size_t len = hdr_len(b);

	if (!len)
		return -1;
	memcpy(&h, b->data + HDR_OFF, len);
	if (check_header(b, &h, len) < 0)
		return -1;

	setup = ((uint64_t)(h.setup_sects ? h.setup_sects : 4) + 1) * SECTOR;
	if (setup > b->size)
		return err__set("%s: setup_sects: %u sectors of setup reach beyond the %zu-byte file",
				b->path, h.setup_sects, b->size);
	kernel_len = (uint64_t)h.syssize * 16;
	if (kernel_len == 0 || kernel_len > b->size - setup)
		return err__set("%s: syssize: %#llx bytes of kernel, the file has %#llx after the "
				"setup", b->path, (unsigned long long)kernel_len,
				(unsigned long long)(b->size - setup));
	if ((uint64_t)h.payload_offset + h.payload_length > kernel_len)
		return err__set("%s: payload_length: payload [%#x, +%#x) reaches beyond the "
				"%#llx-byte kernel", b->path, h.payload_offset, h.payload_length,
				(unsigned long long)kernel_len);
	if (h.init_size < kernel_len)
		return err__set("%s: init_size: %#x is smaller than the %#llx-byte kernel",
				b->path, h.init_size, (unsigned long long)kernel_len);

	/* Where the kernel is put and where it decompresses itself: a
	 * relocatable kernel runs where it is loaded, at pref_address; one that
	 * is not is loaded at 1 MiB and moves itself to pref_address. */
	if (h.relocatable_kernel) {
		if (h.kernel_alignment == 0 || (h.kernel_alignment & (h.kernel_alignment - 1)))
			return err__set("%s: kernel_alignment: %#x is not a power of two",
					b->path, h.kernel_alignment);
		if (h.pref_address & (h.kernel_alignment - 1))
			return err__set("%s: pref_address: %#llx is not aligned to kernel_alignment "
					"%#x", b->path, (unsigned long long)h.pref_address,
					h.kernel_alignment);
		load = run = h.pref_address;
	} else {
		load = X86_HIGH_MEM;
		run = h.pref_address ? h.pref_address : X86_HIGH_MEM;
	}
	if (!x86__e820_is_high_ram(map, load, kernel_len))
		return err__set("%s: %s: kernel [%#llx, +%#llx) is outside guest RAM above 1 MiB "
				"(RAM ends at %#llx)", b->path,
				h.relocatable_kernel ? "pref_address" : "syssize",
				(unsigned long long)load, (unsigned long long)kernel_len,
				(unsigned long long)ram_end);
	if (!x86__e820_is_high_ram(map, run, h.init_size))
		return err__set("%s: init_size: the kernel needs [%#llx, +%#x), outside guest RAM "
				"(RAM ends at %#llx)", b->path, (unsigned long long)run, h.init_size,
				(unsigned long long)ram_end);

	if (!plan__add(p, PLAN_LOAD, load, kernel_len, b->data + setup, "kernel"))
		return -1;
	k->mode = PLAN_ENTRY_X86_64;
	k->entry = load + ENTRY_64;
	k->start = load < run ? load : run;
	k->end = load + kernel_len > run + h.init_size ? load + kernel_len : run + h.init_size;
	k->cmdline_max = h.cmdline_size;
	if (h.xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G)
		k->initrd_end = UINT64_MAX;
	else
		k->initrd_end = (uint64_t)h.initrd_addr_max + 1;
	return 0;
}

int bzimage__add_boot_params(struct plan *p, const struct blob *b,
			     const struct x86_boot_info *info)
{
	struct boot_params *bp = plan__alloc(p, sizeof(*bp));
	size_t len = hdr_len(b);
	const struct x86_e820 *m = info->map;

	if (!bp || !len)
		return -1;
	memcpy(&bp->hdr, b->data + HDR_OFF, len);
	bp->hdr.type_of_loader = LOADER_ID;
	/* LOADED_HIGH is the kernel's (checked); the other bits are the loader's. */
	bp->hdr.loadflags = LOADED_HIGH | CAN_USE_HEAP;
	bp->hdr.heap_end_ptr = HEAP_END;
	bp->hdr.cmd_line_ptr = (uint32_t)info->cmdline;
	bp->ext_cmd_line_ptr = info->cmdline >> 32;
	bp->hdr.ramdisk_image = (uint32_t)info->initrd;
	bp->ext_ramdisk_image = info->initrd >> 32;
	bp->hdr.ramdisk_size = (uint32_t)info->initrd_size;
	bp->ext_ramdisk_size = info->initrd_size >> 32;
	for (unsigned int i = 0; i < m->n; i++) {
		bp->e820_table[i].addr = m->e[i].addr;
		bp->e820_table[i].size = m->e[i].size;
		bp->e820_table[i].type = m->e[i].type;
	}
	bp->e820_entries = m->n;
	return plan__add(p, PLAN_LOAD, X86_BOOT_PARAMS_ADDR, sizeof(*bp), bp, "boot_params") ?
		0 : -1;
}

#include <string.h>

#include "arch/arm64/boot.h"
#include "arch/arm64/dtb.h"
#include "arch/arm64/image.h"
#include "arch/arm64/memmap.h"
#include "loader/error.h"

#define PAGE 0x1000ull

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int check_cfg(const struct arm64_boot_cfg *cfg)
{
	size_t len = cfg->cmdline ? strlen(cfg->cmdline) : 0;

	if (!cfg->kernel)
		return err__set("kernel: no kernel given");
	if (cfg->vcpus < 1 || cfg->vcpus > ARM64_MAX_VCPUS)
		return err__set("cpus: %u, an arm64 VM has 1 to %llu (its GICv3 redistributors)",
				cfg->vcpus, (unsigned long long)ARM64_MAX_VCPUS);
	if (!cfg->mem_size || cfg->mem_size % PAGE || !arm64__ipa_bits(cfg->mem_size))
		return err__set("memory: %#llx bytes, need a multiple of 4 KiB that ends below "
				"the %d-bit IPA limit", (unsigned long long)cfg->mem_size,
				ARM64_IPA_MAX_BITS);
	if (len >= ARM64_CMDLINE_MAX)
		return err__set("cmdline: %zu bytes, arm64 Linux takes at most %d", len,
				ARM64_CMDLINE_MAX - 1);
	return 0;
}

/* Maps the initrd and puts it at AT; an empty file is no initrd. */
static int add_initrd(struct plan *p, const char *path, uint64_t at, uint64_t ram_end,
		      uint64_t *size)
{
	struct blob b;

	if (plan__map(p, path, &b) < 0)
		return -1;
	*size = b.size;
	if (!b.size)
		return 0;
	if (at > ram_end || b.size > ram_end - at)
		return err__set("%s: initrd: %zu bytes do not fit in guest RAM (it ends at %#llx; "
				"the initrd goes at %#llx, after the kernel and the device tree)",
				path, b.size, (unsigned long long)ram_end, (unsigned long long)at);
	if (at + b.size - ARM64_RAM_BASE > ARM64_INITRD_WINDOW)
		return err__set("%s: initrd: ends %#llx bytes above the kernel's 2 MiB base, "
				"beyond the 32 GiB the arm64 boot protocol allows", path,
				(unsigned long long)(at + b.size - ARM64_RAM_BASE));
	return plan__add(p, PLAN_LOAD, at, b.size, b.data, "initrd") ? 0 : -1;
}

static int add_dtb(struct plan *p, const struct arm64_boot_cfg *cfg, uint64_t at,
		   uint64_t ram_end, uint64_t initrd, uint64_t initrd_size)
{
	const struct arm64_dtb_cfg fc = {
		.mem_size = cfg->mem_size, .vcpus = cfg->vcpus, .cmdline = cfg->cmdline,
		.initrd = initrd, .initrd_size = initrd_size,
	};
	size_t len = ARM64_DTB_BASE_SIZE + ARM64_CMDLINE_MAX;
	void *buf = plan__alloc(p, len);
	int size;

	if (!buf)
		return -1;
	size = arm64__dtb_build(buf, len, &fc);
	if (size < 0)
		return -1;
	if (at > ram_end || (uint64_t)size > ram_end - at)
		return err__set("memory: %#llx bytes, too small for the %d-byte device tree at "
				"%#llx", (unsigned long long)cfg->mem_size, size,
				(unsigned long long)at);
	return plan__add(p, PLAN_LOAD, at, (uint64_t)size, buf, "dtb") ? 0 : -1;
}

int arm64__build_boot_plan(struct plan *p, const struct arm64_boot_cfg *cfg)
{
	uint64_t ram_end, load, dtb, initrd, initrd_size = 0;
	struct arm64_image img;
	struct blob kb;

	if (check_cfg(cfg) < 0)
		return -1;
	p->mem_size = cfg->mem_size;
	p->vcpus = cfg->vcpus;
	ram_end = ARM64_RAM_BASE + cfg->mem_size;

	if (plan__map(p, cfg->kernel, &kb) < 0 || arm64_image__parse(&kb, &img) < 0)
		return -1;
	/* RAM's base is 2 MiB-aligned: the lowest base there is. */
	load = ARM64_RAM_BASE + img.text_offset;
	if (img.image_size > ram_end - load)
		return err__set("%s: image_size: %#llx bytes from %#llx do not fit in %#llx bytes "
				"of guest RAM", cfg->kernel, (unsigned long long)img.image_size,
				(unsigned long long)load, (unsigned long long)cfg->mem_size);
	if (!plan__add(p, PLAN_LOAD, load, kb.size, kb.data, "kernel"))
		return -1;

	/* The DTB alone in the 2 MiB block after the kernel's claim, the
	 * initrd in the block after that. */
	dtb = align_up(load + img.image_size, ARM64_KERNEL_ALIGN);
	initrd = dtb + ARM64_FDT_MAX;
	if (cfg->initrd && add_initrd(p, cfg->initrd, initrd, ram_end, &initrd_size) < 0)
		return -1;
	if (add_dtb(p, cfg, dtb, ram_end, initrd, initrd_size) < 0)
		return -1;
	p->entry.mode = PLAN_ENTRY_ARM64_LINUX;
	p->entry.pc = load;
	p->entry.arg = dtb;
	return plan__validate(p);
}

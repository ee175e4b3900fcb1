#include <string.h>

#include "arch/x86/acpi.h"
#include "arch/x86/boot.h"
#include "arch/x86/bzimage.h"
#include "arch/x86/mptable.h"
#include "arch/x86/pvh.h"
#include "loader/error.h"

#define PAGE        0x1000ull
#define PTE_PRESENT (1ull << 0)
#define PTE_WRITE   (1ull << 1)
#define PTE_LARGE   (1ull << 7)     /* in a PD: a 2 MiB page */
#define PD_COUNT    4               /* 4 x 1 GiB: the identity map covers 0-4 GiB */

/* Flat descriptors, accessed bit set (see boot.h); stored as the guest reads
 * them, little-endian like the x86 host this runs on. */
static const uint64_t gdt[X86_GDT_ENTRIES] = {
	[X86_SEL_CS32 / 8] = 0x00cf9b000000ffffull,
	[X86_SEL_CS64 / 8] = 0x00af9b000000ffffull,
	[X86_SEL_DS / 8]   = 0x00cf93000000ffffull,
	[X86_SEL_TSS / 8]  = 0x00008b0000000067ull,
};

/* PML4, PDPT and PD_COUNT page directories of 2 MiB pages, consecutive from
 * X86_PML4_ADDR: the long-mode identity map the 64-bit entry needs. */
static int add_page_tables(struct plan *p)
{
	uint64_t *pt = plan__alloc(p, (2 + PD_COUNT) * PAGE);
	uint64_t *pml4 = pt, *pdpt = pt + 512, *pd = pt + 1024;

	if (!pt)
		return -1;
	pml4[0] = (X86_PML4_ADDR + PAGE) | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < PD_COUNT; i++)
		pdpt[i] = (X86_PML4_ADDR + (2 + i) * PAGE) | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < PD_COUNT * 512; i++)
		pd[i] = (i << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	return plan__add(p, PLAN_LOAD, X86_PML4_ADDR, (2 + PD_COUNT) * PAGE, pt, "page tables") ?
		0 : -1;
}

static int add_cmdline(struct plan *p, const char *cmdline, const struct x86_kernel *k,
		       const char *kernel, uint64_t *gpa)
{
	size_t len = strlen(cmdline);
	char *buf;

	if (len >= X86_CMDLINE_MAX)
		return err__set("cmdline: %zu bytes, the limit is %llu", len,
				(unsigned long long)X86_CMDLINE_MAX - 1);
	if (len > k->cmdline_max)
		return err__set("cmdline: %zu bytes, longer than %s's cmdline_size %llu", len,
				kernel, (unsigned long long)k->cmdline_max);
	buf = plan__alloc(p, len + 1);
	if (!buf)
		return -1;
	memcpy(buf, cmdline, len);
	*gpa = X86_CMDLINE_ADDR;
	return plan__add(p, PLAN_LOAD, X86_CMDLINE_ADDR, len + 1, buf, "cmdline") ? 0 : -1;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* The highest page-aligned spot for SIZE bytes in RAM above 1 MiB, ending at
 * or below k->initrd_end, clear of the kernel's claim and of every op so far.
 * Each clash moves the ceiling below the range in the way, so this ends. */
static int place_initrd(const struct plan *p, const struct x86_e820 *map,
			const struct x86_kernel *k, const struct blob *b, uint64_t *at)
{
	uint64_t size = b->size, ram_end = x86__e820_ram_end(map);

	for (unsigned int i = map->n; i-- > 0;) {
		const struct x86_e820_entry *e = &map->e[i];
		uint64_t lo = e->addr > X86_HIGH_MEM ? e->addr : X86_HIGH_MEM;
		uint64_t top = e->addr + e->size < k->initrd_end ? e->addr + e->size : k->initrd_end;

		if (e->type != E820_TYPE_RAM)
			continue;
		while (top > lo && top - lo >= size) {
			uint64_t cand = (top - size) & ~(PAGE - 1), ceiling = top;

			if (cand < lo)
				break;
			if (overlaps(cand, size, k->start, k->end - k->start))
				ceiling = k->start;
			for (size_t j = 0; j < p->nops; j++)
				if (p->ops[j].len && p->ops[j].gpa < ceiling &&
				    overlaps(cand, size, p->ops[j].gpa, p->ops[j].len))
					ceiling = p->ops[j].gpa;
			if (ceiling == top) {
				*at = cand;
				return 0;
			}
			top = ceiling;
		}
	}
	return err__set("%s: initrd: %llu bytes do not fit in guest RAM above 1 MiB below %#llx "
			"beside the kernel [%#llx, %#llx)", b->path, (unsigned long long)size,
			(unsigned long long)(k->initrd_end < ram_end ? k->initrd_end : ram_end),
			(unsigned long long)k->start, (unsigned long long)k->end);
}

static int add_initrd(struct plan *p, const char *path, const struct x86_e820 *map,
		      const struct x86_kernel *k, struct x86_boot_info *info)
{
	struct blob b;

	if (plan__map(p, path, &b) < 0)
		return -1;
	if (b.size == 0)
		return 0;       /* an empty initrd is no initrd */
	if (place_initrd(p, map, k, &b, &info->initrd) < 0)
		return -1;
	info->initrd_size = b.size;
	return plan__add(p, PLAN_LOAD, info->initrd, b.size, b.data, "initrd") ? 0 : -1;
}

/* The ACPI tables a firmware boot gets through fw_cfg, placed in the BIOS
 * area: every vCPU, poweroff and the PM timer for kernels with ACPI (a
 * stock distribution kernel has no MP-table parser). */
static int add_acpi(struct plan *p, uint32_t vcpus, struct x86_boot_info *info)
{
	static const char *const what[2] = { "acpi-rsdp", "acpi-tables" };
	struct x86_acpi_cfg cfg = { .vcpus = vcpus };
	struct x86_acpi_direct d;

	if (x86__acpi_direct(p, &cfg, &d) < 0)
		return -1;
	for (int i = 0; i < 2; i++)
		if (!plan__add(p, PLAN_LOAD, d.blob[i].gpa, d.blob[i].len, d.blob[i].data, what[i]))
			return -1;
	info->rsdp = d.rsdp;
	return 0;
}

int x86__build_boot_plan(struct plan *p, const struct x86_boot_cfg *cfg)
{
	struct x86_boot_info info = { 0 };
	struct x86_kernel k = { 0 };
	struct x86_e820 map;
	struct blob kb;
	bool bz;

	if (!cfg->kernel)
		return err__set("kernel: no kernel given");
	if (cfg->mem_size < X86_MIN_MEM || cfg->mem_size % PAGE)
		return err__set("memory: %#llx bytes, need a multiple of 4 KiB of at least 2 MiB",
				(unsigned long long)cfg->mem_size);
	x86__e820_build(&map, cfg->mem_size);
	info.map = &map;
	p->mem_size = cfg->mem_size;
	p->vcpus = cfg->vcpus;

	if (plan__map(p, cfg->kernel, &kb) < 0)
		return -1;
	bz = bzimage__detect(&kb);
	if (!bz && !pvh__detect(&kb))
		return err__set("%s: not a kernel: neither an ELF nor a bzImage (no \"HdrS\" setup "
				"header)", cfg->kernel);
	if ((bz ? bzimage__load(p, &kb, &map, &k) : pvh__load(p, &kb, &map, &k)) < 0)
		return -1;
	if (add_cmdline(p, cfg->cmdline ? cfg->cmdline : "", &k, cfg->kernel, &info.cmdline) < 0)
		return -1;
	if (cfg->initrd && add_initrd(p, cfg->initrd, &map, &k, &info) < 0)
		return -1;
	if (!plan__add(p, PLAN_LOAD, X86_GDT_ADDR, sizeof(gdt), gdt, "gdt"))
		return -1;
	if (k.mode == PLAN_ENTRY_X86_64 && add_page_tables(p) < 0)
		return -1;
	if (add_acpi(p, cfg->vcpus, &info) < 0)
		return -1;
	/* Kernels without ACPI find up to 40 vCPUs in the MP table; above
	 * that only the ACPI tables describe them. */
	if (cfg->vcpus <= X86_MPTABLE_MAX_CPUS && x86__mptable_add(p, cfg->vcpus) < 0)
		return -1;
	if ((bz ? bzimage__add_boot_params(p, &kb, &info) : pvh__add_start_info(p, &info)) < 0)
		return -1;

	p->entry.mode = k.mode;
	p->entry.pc = k.entry;
	p->entry.arg = bz ? X86_BOOT_PARAMS_ADDR : X86_START_INFO_ADDR;
	p->entry.x86.cr3 = k.mode == PLAN_ENTRY_X86_64 ? X86_PML4_ADDR : 0;
	p->entry.x86.gdt = X86_GDT_ADDR;
	p->entry.x86.gdt_limit = sizeof(gdt) - 1;
	return plan__validate(p);
}

#include <gelf.h>
#include <libelf.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/pvh.h"
#include "loader/error.h"

struct segment {
	size_t index;             /* in the program header table, for messages */
	uint64_t start, end;
};

/* The start_info page: everything hvm_start_info points to sits after it. */
struct pvh_page {
	struct hvm_start_info info;
	struct hvm_modlist_entry initrd;
	struct hvm_memmap_table_entry map[X86_E820_MAX];
};

bool pvh__detect(const struct blob *b)
{
	return b->size >= SELFMAG && memcmp(b->data, ELFMAG, SELFMAG) == 0;
}

/* The PHYS32_ENTRY address from the "Xen" notes of one PT_NOTE segment:
 * 1 when found, 0 when not, -1 on a malformed note. */
static int find_entry(Elf *e, const struct blob *b, const GElf_Phdr *ph, uint64_t *entry)
{
	Elf_Data *d = elf_getdata_rawchunk(e, ph->p_offset, ph->p_filesz,
					   ph->p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
	size_t off = 0, next, name, desc;
	GElf_Nhdr nh;

	if (!d)
		return err__set("%s: PT_NOTE [%#llx, +%#llx): %s", b->path,
				(unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz,
				elf_errmsg(-1));
	while ((next = gelf_getnote(d, off, &nh, &name, &desc)) > 0) {
		const uint8_t *dp = (const uint8_t *)d->d_buf + desc;

		off = next;
		if (nh.n_type != XEN_ELFNOTE_PHYS32_ENTRY || nh.n_namesz != 4 ||
		    memcmp((const char *)d->d_buf + name, "Xen", 4) != 0)
			continue;
		if (nh.n_descsz == 4) {
			uint32_t v;

			memcpy(&v, dp, 4);
			*entry = v;
		} else if (nh.n_descsz == 8) {
			memcpy(entry, dp, 8);
		} else {
			return err__set("%s: PVH entry note: %u-byte descriptor, want 4 or 8", b->path,
					nh.n_descsz);
		}
		return 1;
	}
	return 0;
}

static int cmp_start(const void *a, const void *b)
{
	const struct segment *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Checks every PT_LOAD against the file and RAM, and the set for overlaps;
 * fills SEG (sorted by address) and *N. */
static int check_segments(Elf *e, const struct blob *b, const struct x86_e820 *map,
			  size_t phnum, struct segment *seg, size_t *n)
{
	uint64_t ram_end = x86__e820_ram_end(map);
	GElf_Phdr ph;

	*n = 0;
	for (size_t i = 0; i < phnum; i++) {
		if (!gelf_getphdr(e, i, &ph))
			return err__set("%s: program header %zu: %s", b->path, i, elf_errmsg(-1));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			return err__set("%s: segment %zu: p_filesz %#llx exceeds p_memsz %#llx",
					b->path, i, (unsigned long long)ph.p_filesz,
					(unsigned long long)ph.p_memsz);
		if (ph.p_offset > b->size || ph.p_filesz > b->size - ph.p_offset)
			return err__set("%s: segment %zu: p_offset+p_filesz [%#llx, +%#llx) reaches "
					"beyond the %zu-byte file", b->path, i,
					(unsigned long long)ph.p_offset,
					(unsigned long long)ph.p_filesz, b->size);
		if (!x86__e820_is_high_ram(map, ph.p_paddr, ph.p_memsz))
			return err__set("%s: segment %zu: p_paddr [%#llx, +%#llx) is outside guest RAM "
					"above 1 MiB (RAM ends at %#llx)", b->path, i,
					(unsigned long long)ph.p_paddr,
					(unsigned long long)ph.p_memsz, (unsigned long long)ram_end);
		seg[*n].index = i;
		seg[*n].start = ph.p_paddr;
		seg[*n].end = ph.p_paddr + ph.p_memsz;
		(*n)++;
	}
	if (*n == 0)
		return err__set("%s: no PT_LOAD segment", b->path);
	qsort(seg, *n, sizeof(*seg), cmp_start);
	for (size_t i = 1; i < *n; i++)
		if (seg[i].start < seg[i - 1].end)
			return err__set("%s: segment %zu [%#llx, %#llx) overlaps segment %zu "
					"[%#llx, %#llx)", b->path, seg[i].index,
					(unsigned long long)seg[i].start,
					(unsigned long long)seg[i].end, seg[i - 1].index,
					(unsigned long long)seg[i - 1].start,
					(unsigned long long)seg[i - 1].end);
	return 0;
}

static int add_segments(struct plan *p, Elf *e, const struct blob *b, size_t phnum)
{
	GElf_Phdr ph;

	for (size_t i = 0; i < phnum; i++) {
		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_filesz &&
		    !plan__add(p, PLAN_LOAD, ph.p_paddr, ph.p_filesz, b->data + ph.p_offset,
			       "kernel"))
			return -1;
		if (ph.p_memsz > ph.p_filesz &&
		    !plan__add(p, PLAN_LOAD, ph.p_paddr + ph.p_filesz, ph.p_memsz - ph.p_filesz,
			       NULL, "kernel-bss"))
			return -1;
	}
	return 0;
}

static int load(struct plan *p, Elf *e, const struct blob *b, const struct x86_e820 *map,
		struct x86_kernel *k, struct segment *seg, size_t phnum)
{
	uint64_t entry = 0;
	size_t n, i;
	GElf_Phdr ph;
	int found = 0;

	for (i = 0; i < phnum && !found; i++) {
		if (!gelf_getphdr(e, i, &ph))
			return err__set("%s: program header %zu: %s", b->path, i, elf_errmsg(-1));
		if (ph.p_type == PT_NOTE && ph.p_filesz &&
		    (found = find_entry(e, b, &ph, &entry)) < 0)
			return -1;
	}
	if (!found)
		return err__set("%s: ELF kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)",
				b->path);
	if (check_segments(e, b, map, phnum, seg, &n) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (entry >= seg[i].start && entry < seg[i].end)
			break;
	/* The entry runs in 32-bit mode with paging off. */
	if (i == n || entry >= X86_4G)
		return err__set("%s: PVH entry note: entry %#llx is not in a loaded segment below "
				"4 GiB", b->path, (unsigned long long)entry);
	if (add_segments(p, e, b, phnum) < 0)
		return -1;

	k->mode = PLAN_ENTRY_X86_PVH;
	k->entry = entry;
	k->start = seg[0].start;
	k->end = seg[n - 1].end;        /* sorted and disjoint */
	/* The 32-bit entry runs with paging off: keep the initrd addressable. */
	k->initrd_end = X86_4G;
	k->cmdline_max = UINT64_MAX;
	return 0;
}

int pvh__load(struct plan *p, const struct blob *b, const struct x86_e820 *map,
	      struct x86_kernel *k)
{
	struct segment *seg;
	GElf_Ehdr eh;
	size_t phnum;
	Elf *e;
	int ret;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return err__set_status(CVM_EXIT_FAIL, "libelf: %s", elf_errmsg(-1));
	/* ELF_C_READ_MMAP semantics: libelf reads the mapping, never writes it. */
	e = elf_memory((char *)b->data, b->size);
	if (!e)
		return err__set("%s: ELF: %s", b->path, elf_errmsg(-1));
	if (!gelf_getehdr(e, &eh) || elf_getphdrnum(e, &phnum) < 0) {
		ret = err__set("%s: ELF header: %s", b->path, elf_errmsg(-1));
		goto out;
	}
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    (eh.e_machine != EM_X86_64 && eh.e_machine != EM_386)) {
		ret = err__set("%s: e_machine: not a little-endian x86 ELF (machine %u)", b->path,
			       eh.e_machine);
		goto out;
	}
	seg = calloc(phnum ? phnum : 1, sizeof(*seg));
	if (!seg) {
		ret = err__set_status(CVM_EXIT_FAIL, "out of memory");
		goto out;
	}
	ret = load(p, e, b, map, k, seg, phnum);
	free(seg);
out:
	elf_end(e);
	return ret;
}

int pvh__add_start_info(struct plan *p, const struct x86_boot_info *info)
{
	struct pvh_page *pg = plan__alloc(p, sizeof(*pg));
	const struct x86_e820 *m = info->map;

	if (!pg)
		return -1;
	pg->info.magic = XEN_HVM_START_MAGIC_VALUE;
	pg->info.version = 1;
	pg->info.cmdline_paddr = info->cmdline;
	pg->info.rsdp_paddr = info->rsdp;
	if (info->initrd_size) {
		pg->initrd.paddr = info->initrd;
		pg->initrd.size = info->initrd_size;
		pg->info.nr_modules = 1;
		pg->info.modlist_paddr = X86_START_INFO_ADDR + offsetof(struct pvh_page, initrd);
	}
	for (unsigned int i = 0; i < m->n; i++) {
		pg->map[i].addr = m->e[i].addr;
		pg->map[i].size = m->e[i].size;
		pg->map[i].type = m->e[i].type;
	}
	pg->info.memmap_paddr = X86_START_INFO_ADDR + offsetof(struct pvh_page, map);
	pg->info.memmap_entries = m->n;
	return plan__add(p, PLAN_LOAD, X86_START_INFO_ADDR, sizeof(*pg), pg, "start_info") ?
		0 : -1;
}

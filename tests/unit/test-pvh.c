#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86/pvh.h"
#include "loader/error.h"
#include "tests/unit/boot-test.h"
#include "tests/unit/test.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

struct seg {
	uint64_t paddr, filesz, memsz;
};

/* What the synthetic kernel looks like; elf_build() writes it. */
struct spec {
	int cls;                /* ELFCLASS64 or ELFCLASS32 */
	unsigned int nseg;
	struct seg seg[4];
	bool note;              /* with the PVH entry note (after two others) */
	uint32_t descsz;        /* its descriptor: 4 or 8 bytes */
	uint64_t entry;
};

struct elf {
	uint8_t *buf;
	size_t size;
	size_t data[4];         /* file offset of each segment's bytes */
};

static const struct spec good = {
	.cls = ELFCLASS64, .nseg = 2,
	.seg = { { 1 * MiB, 0x3000, 0x3000 }, { 2 * MiB, 0x1000, 0x5000 } },
	.note = true, .descsz = 8, .entry = 1 * MiB + 0x10,
};

static size_t put_note(uint8_t *at, const char *name, uint32_t type, const void *desc,
		       uint32_t descsz)
{
	uint32_t namesz = strlen(name) + 1, hdr[3] = { namesz, descsz, type };
	size_t off = sizeof(hdr);

	memcpy(at, hdr, sizeof(hdr));
	memcpy(at + off, name, namesz);
	off += (namesz + 3) & ~3u;
	memcpy(at + off, desc, descsz);
	return off + ((descsz + 3) & ~3u);
}

static void put_phdr(uint8_t *at, int cls, uint32_t type, uint64_t off, uint64_t paddr,
		     uint64_t filesz, uint64_t memsz)
{
	if (cls == ELFCLASS64) {
		Elf64_Phdr ph = { .p_type = type, .p_offset = off, .p_vaddr = paddr | 0xffff0000ull << 32,
				  .p_paddr = paddr, .p_filesz = filesz, .p_memsz = memsz, .p_align = 4 };

		memcpy(at, &ph, sizeof(ph));
	} else {
		Elf32_Phdr ph = { .p_type = type, .p_offset = off, .p_vaddr = paddr,
				  .p_paddr = paddr, .p_filesz = filesz, .p_memsz = memsz, .p_align = 4 };

		memcpy(at, &ph, sizeof(ph));
	}
}

static void elf_build(struct elf *e, const struct spec *s)
{
	bool b64 = s->cls == ELFCLASS64;
	size_t ehsz = b64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t phsz = b64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	size_t nph = s->nseg + 1, note_off = ehsz + nph * phsz, note_len = 0, off;
	uint8_t ident[EI_NIDENT] = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, s->cls, ELFDATA2LSB,
				     EV_CURRENT };
	uint32_t gnu[5] = { 0x11, 0x22, 0x33, 0x44, 0x55 };

	off = note_off + 256;
	for (unsigned int i = 0; i < s->nseg; i++)
		off += s->seg[i].filesz;
	e->size = off;
	e->buf = calloc(1, off);
	ck_assert_ptr_nonnull(e->buf);

	if (b64) {
		Elf64_Ehdr eh = { .e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
				  .e_entry = 0xffffffff81000000ull, .e_phoff = ehsz,
				  .e_ehsize = ehsz, .e_phentsize = phsz, .e_phnum = nph };

		memcpy(eh.e_ident, ident, EI_NIDENT);
		memcpy(e->buf, &eh, sizeof(eh));
	} else {
		Elf32_Ehdr eh = { .e_type = ET_EXEC, .e_machine = EM_386, .e_version = EV_CURRENT,
				  .e_entry = 0x100000, .e_phoff = ehsz, .e_ehsize = ehsz,
				  .e_phentsize = phsz, .e_phnum = nph };

		memcpy(eh.e_ident, ident, EI_NIDENT);
		memcpy(e->buf, &eh, sizeof(eh));
	}
	/* Other notes first: the loader must walk past them. */
	note_len += put_note(e->buf + note_off, "GNU", 3, gnu, sizeof(gnu));
	note_len += put_note(e->buf + note_off + note_len, "Xen", 6, "linux", 6);
	if (s->note)
		note_len += put_note(e->buf + note_off + note_len, "Xen", XEN_ELFNOTE_PHYS32_ENTRY,
				     &s->entry, s->descsz);
	ck_assert_uint_le(note_len, 256);
	put_phdr(e->buf + ehsz, s->cls, PT_NOTE, note_off, 0, note_len, note_len);

	off = note_off + 256;
	for (unsigned int i = 0; i < s->nseg; i++) {
		e->data[i] = off;
		for (uint64_t j = 0; j < s->seg[i].filesz; j++)
			e->buf[off + j] = j * 13 + i + 1;
		put_phdr(e->buf + ehsz + (i + 1) * phsz, s->cls, PT_LOAD, off, s->seg[i].paddr,
			 s->seg[i].filesz, s->seg[i].memsz);
		off += s->seg[i].filesz;
	}
}

/* Program header I (0 is the note) of a 64-bit image, to bend. */
static Elf64_Phdr *phdr64(struct elf *e, unsigned int i)
{
	return (Elf64_Phdr *)(e->buf + sizeof(Elf64_Ehdr)) + i;
}

static void run(struct boot_run *r, const struct elf *e, size_t size, uint64_t mem,
		size_t initrd_size, const char *cmdline)
{
	boot_test__run(r, e->buf, size, mem, 1, initrd_size, cmdline);
}

static const struct hvm_start_info *start_info(const struct boot_run *r)
{
	ck_assert_int_eq(r->p.entry.mode, PLAN_ENTRY_X86_PVH);
	ck_assert_uint_eq(r->p.entry.arg, 0x6000);
	ck_assert_uint_eq(r->p.entry.x86.cr3, 0);
	return boot_test__gpa(&r->p, 0x6000, sizeof(struct hvm_start_info));
}

/* Where start_info says the initrd is; checks the plan puts it there. */
static uint64_t initrd_at(const struct boot_run *r)
{
	const struct hvm_start_info *si = start_info(r);
	const struct hvm_modlist_entry *mod;
	const struct plan_op *op = boot_test__op(&r->p, "initrd");

	ck_assert_uint_eq(si->nr_modules, 1);
	mod = boot_test__gpa(&r->p, si->modlist_paddr, sizeof(*mod));
	ck_assert_ptr_nonnull(op);
	ck_assert_uint_eq(mod->paddr, op->gpa);
	ck_assert_uint_eq(mod->size, op->len);
	ck_assert_uint_eq(mod->cmdline_paddr, 0);
	ck_assert_uint_eq(op->gpa % 4096, 0);
	ck_assert_uint_eq(op->data[0], BOOT_TEST_INITRD_BYTE(0));
	return mod->paddr;
}

START_TEST(segments_entry_and_start_info)
{
	const struct hvm_memmap_table_entry *mm;
	const struct hvm_start_info *si;
	const struct plan_op *op;
	struct x86_e820 map;
	struct elf e;
	struct boot_run r;

	elf_build(&e, &good);
	run(&r, &e, e.size, 64 * MiB, 0x1800, "console=ttyS0");
	ck_assert_msg(r.ret == 0, "%s", err__msg());

	op = boot_test__op_at(&r.p, 1 * MiB, 0x3000);
	ck_assert_str_eq(op->what, "kernel");
	ck_assert_uint_eq(op->gpa, 1 * MiB);
	ck_assert_uint_eq(op->len, 0x3000);
	ck_assert_int_eq(memcmp(op->data, e.buf + e.data[0], 0x3000), 0);
	op = boot_test__op_at(&r.p, 2 * MiB, 0x1000);
	ck_assert_uint_eq(op->len, 0x1000);
	ck_assert_int_eq(memcmp(op->data, e.buf + e.data[1], 0x1000), 0);
	op = boot_test__op_at(&r.p, 2 * MiB + 0x1000, 0x4000);      /* the bss tail */
	ck_assert_str_eq(op->what, "kernel-bss");
	ck_assert_uint_eq(op->gpa, 2 * MiB + 0x1000);
	ck_assert_uint_eq(op->len, 0x4000);
	ck_assert_ptr_null(op->data);
	ck_assert_ptr_null(boot_test__op(&r.p, "page tables"));

	ck_assert_uint_eq(r.p.entry.pc, 1 * MiB + 0x10);
	ck_assert_uint_eq(r.p.entry.x86.gdt, 0x500);
	ck_assert_uint_eq(r.p.entry.x86.gdt_limit, 0x27);
	si = start_info(&r);
	ck_assert_uint_eq(si->magic, 0x336ec578);
	ck_assert_uint_eq(si->version, 1);
	ck_assert_uint_eq(si->flags, 0);
	ck_assert_uint_eq(si->rsdp_paddr, 0);
	ck_assert_uint_eq(si->cmdline_paddr, 0x20000);
	ck_assert_str_eq(boot_test__gpa(&r.p, si->cmdline_paddr, 14), "console=ttyS0");
	ck_assert_uint_eq(initrd_at(&r), 64 * MiB - 0x2000);

	x86__e820_build(&map, 64 * MiB);
	ck_assert_uint_eq(si->memmap_entries, map.n);
	mm = boot_test__gpa(&r.p, si->memmap_paddr, map.n * sizeof(*mm));
	for (unsigned int i = 0; i < map.n; i++) {
		ck_assert_uint_eq(mm[i].addr, map.e[i].addr);
		ck_assert_uint_eq(mm[i].size, map.e[i].size);
		ck_assert_uint_eq(mm[i].type, map.e[i].type);
		ck_assert_uint_eq(mm[i].reserved, 0);
	}
	ck_assert_int_eq(plan__validate(&r.p), 0);
	boot_test__done(&r);
	free(e.buf);
}
END_TEST

START_TEST(elf32_with_a_4_byte_note)
{
	struct spec s = good;
	struct elf e;
	struct boot_run r;

	s.cls = ELFCLASS32;
	s.descsz = 4;
	s.entry = 2 * MiB + 0x4ff0;             /* in the bss: still the segment's memory */
	elf_build(&e, &s);
	run(&r, &e, e.size, 16 * MiB, 0, NULL);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_uint_eq(r.p.entry.pc, 2 * MiB + 0x4ff0);
	ck_assert_uint_eq(start_info(&r)->nr_modules, 0);
	ck_assert_uint_eq(start_info(&r)->modlist_paddr, 0);
	ck_assert_ptr_null(boot_test__op(&r.p, "initrd"));
	ck_assert_int_eq(memcmp(boot_test__op_at(&r.p, 1 * MiB, 1)->data, e.buf + e.data[0],
				0x3000), 0);
	boot_test__done(&r);
	free(e.buf);
}
END_TEST

static void expect_error(const struct elf *e, size_t size, uint64_t mem, const char *what)
{
	struct boot_run r;

	run(&r, e, size, mem, 0x1000, NULL);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_msg(strstr(err__msg(), r.kernel) && strstr(err__msg(), what),
		      "\"%s\" lacks \"%s\"", err__msg(), what);
	ck_assert_ptr_null(strchr(err__msg(), '\n'));
	boot_test__done(&r);
}

START_TEST(no_pvh_note)
{
	struct spec s = good;
	struct elf e;
	struct boot_run r;

	s.note = false;
	elf_build(&e, &s);
	run(&r, &e, e.size, 64 * MiB, 0, NULL);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_ptr_eq(strstr(err__msg(), r.kernel), err__msg());
	ck_assert_str_eq(err__msg() + strlen(r.kernel),
			 ": ELF kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");
	boot_test__done(&r);
	free(e.buf);
}
END_TEST

START_TEST(bad_notes)
{
	struct spec s = good;
	struct elf e;

	s.descsz = 2;
	elf_build(&e, &s);
	expect_error(&e, e.size, 64 * MiB, "PVH entry note: 2-byte descriptor");
	free(e.buf);

	s = good;
	s.entry = 3 * MiB;
	elf_build(&e, &s);
	expect_error(&e, e.size, 64 * MiB, "entry 0x300000 is not in a loaded segment");
	free(e.buf);

	s = good;
	s.entry = 0x100000010ull;
	elf_build(&e, &s);
	expect_error(&e, e.size, 64 * MiB, "entry 0x100000010");
	free(e.buf);

	/* The note segment points outside the file. */
	elf_build(&e, &good);
	phdr64(&e, 0)->p_offset = e.size - 8;
	expect_error(&e, e.size, 64 * MiB, "PT_NOTE");
	free(e.buf);
	/* A note whose descriptor runs past its segment is not the entry. */
	elf_build(&e, &good);
	phdr64(&e, 0)->p_filesz -= 8;
	expect_error(&e, e.size, 64 * MiB, "no PVH entry note");
	free(e.buf);
}
END_TEST

START_TEST(bad_segments)
{
	struct spec s = good;
	struct elf e;

	s.seg[1].paddr = 0x80000;
	elf_build(&e, &s);
	expect_error(&e, e.size, 64 * MiB, "segment 2: p_paddr [0x80000, +0x5000) is outside");
	free(e.buf);

	elf_build(&e, &good);
	expect_error(&e, e.size, 2 * MiB, "segment 2: p_paddr [0x200000, +0x5000) is outside "
					  "guest RAM above 1 MiB (RAM ends at 0x200000)");
	free(e.buf);

	s = good;
	s.seg[1].paddr = 1 * MiB + 0x2000;
	elf_build(&e, &s);
	expect_error(&e, e.size, 64 * MiB, "segment 2 [0x102000, 0x107000) overlaps segment 1 "
					   "[0x100000, 0x103000)");
	free(e.buf);

	s = good;
	s.seg[0].memsz = 0x2000;
	elf_build(&e, &s);
	expect_error(&e, e.size, 64 * MiB, "segment 1: p_filesz 0x3000 exceeds p_memsz 0x2000");
	free(e.buf);

	elf_build(&e, &good);
	phdr64(&e, 2)->p_offset = e.size - 0x800;
	expect_error(&e, e.size, 64 * MiB, "segment 2: p_offset+p_filesz");
	phdr64(&e, 2)->p_offset = ~0ull - 0x10;
	expect_error(&e, e.size, 64 * MiB, "segment 2: p_offset+p_filesz");
	phdr64(&e, 2)->p_offset = e.data[1];
	phdr64(&e, 2)->p_memsz = ~0ull;
	phdr64(&e, 2)->p_paddr = 2;
	expect_error(&e, e.size, 64 * MiB, "segment 2: p_paddr");
	phdr64(&e, 1)->p_type = PT_NULL;
	phdr64(&e, 2)->p_type = PT_NULL;
	expect_error(&e, e.size, 64 * MiB, "no PT_LOAD segment");
	free(e.buf);
}
END_TEST

START_TEST(hostile_files)
{
	struct elf e;

	elf_build(&e, &good);
	/* Every truncation of the headers and notes is refused, not read past. */
	for (size_t cut = 4; cut < e.data[0]; cut += cut < 300 ? 1 : 97)
		expect_error(&e, cut, 64 * MiB, "");
	expect_error(&e, e.data[1] + 0x10, 64 * MiB, "segment 2: p_offset+p_filesz");

	((Elf64_Ehdr *)e.buf)->e_phnum = 0xfff0;
	expect_error(&e, e.size, 64 * MiB, "program header 0");
	((Elf64_Ehdr *)e.buf)->e_phnum = 3;
	((Elf64_Ehdr *)e.buf)->e_machine = EM_AARCH64;
	expect_error(&e, e.size, 64 * MiB, "e_machine: not a little-endian x86 ELF (machine 183)");
	((Elf64_Ehdr *)e.buf)->e_machine = EM_X86_64;
	e.buf[EI_DATA] = ELFDATA2MSB;
	expect_error(&e, e.size, 64 * MiB, "ELF header");
	e.buf[EI_DATA] = ELFDATA2LSB;
	e.buf[EI_CLASS] = 7;
	expect_error(&e, e.size, 64 * MiB, "ELF");
	free(e.buf);
}
END_TEST

START_TEST(initrd_placement)
{
	struct spec s = good;
	struct elf e;
	struct boot_run r;

	elf_build(&e, &good);
	/* The 32-bit entry keeps the initrd below 4 GiB. */
	run(&r, &e, e.size, 8 * GiB, 0x1000, NULL);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_uint_eq(initrd_at(&r), 3 * GiB - 0x1000);
	boot_test__done(&r);
	free(e.buf);

	/* Not over a segment at the top of RAM. */
	s.seg[1].paddr = 6 * MiB;
	s.seg[1].memsz = 2 * MiB;
	s.seg[0].paddr = 4 * MiB;
	s.entry = 4 * MiB;
	elf_build(&e, &s);
	run(&r, &e, e.size, 8 * MiB, 0x3000, NULL);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_uint_eq(initrd_at(&r), 4 * MiB - 0x3000);
	boot_test__done(&r);

	/* [1, 4) MiB is all there is. */
	run(&r, &e, e.size, 8 * MiB, 3 * MiB, NULL);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_uint_eq(initrd_at(&r), 1 * MiB);
	boot_test__done(&r);
	run(&r, &e, e.size, 8 * MiB, 3 * MiB + 1, NULL);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), r.initrd));
	ck_assert_ptr_nonnull(strstr(err__msg(), "beside the kernel [0x400000, 0x800000)"));
	boot_test__done(&r);
	free(e.buf);
}
END_TEST

START_TEST(cmdline_limit)
{
	char *line = malloc(0x10001);
	struct elf e;
	struct boot_run r;

	elf_build(&e, &good);
	memset(line, 'a', 0x10000);
	line[0xffff] = 0;
	run(&r, &e, e.size, 64 * MiB, 0, line);
	ck_assert_msg(r.ret == 0, "%s", err__msg());
	ck_assert_uint_eq(boot_test__op(&r.p, "cmdline")->len, 0x10000);
	boot_test__done(&r);
	line[0xffff] = 'a';
	line[0x10000] = 0;
	run(&r, &e, e.size, 64 * MiB, 0, line);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_str_eq(err__msg(), "cmdline: 65536 bytes, the limit is 65535");
	boot_test__done(&r);
	free(line);
	free(e.buf);
}
END_TEST

/* The ELF inside the shared Debian bzImage, unpacked by lz4(1) into a
 * directory made once for the test case. */
static char unpack_dir[] = "/tmp/cvm-pvh-XXXXXX";

static void unpack_setup(void)
{
	if (!mkdtemp(unpack_dir))
		unpack_dir[0] = 0;
}

static void unpack_teardown(void)
{
	char cmd[128];

	if (unpack_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", unpack_dir);
		ck_assert_int_eq(system(cmd), 0);
	}
}

static uint32_t le32(const uint8_t *b)
{
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Writes DIR/vmlinux; false (and a note) when lz4 is not installed. */
static bool unpack_vmlinux(const char *dir)
{
	static const uint8_t lz4_legacy[4] = { 0x02, 0x21, 0x4c, 0x18 };
	struct blob bz;
	const uint8_t *payload, *frame;
	uint32_t len;
	char err[256], path[128];
	struct stat st;
	char *tmp;

	if (test__run(NULL, "command -v lz4", NULL, 0, NULL, 0) != 0) {
		fprintf(stderr, "test-pvh: lz4 not installed, Debian vmlinux test skipped\n");
		return false;
	}
	ck_assert_int_eq(blob__open(&bz, test__shared("vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64")),
			 0);
	payload = bz.data + (bz.data[0x1f1] + 1) * 512 + le32(bz.data + 0x248);
	len = le32(bz.data + 0x24c);
	ck_assert_uint_le(payload + len - bz.data, bz.size);
	frame = memmem(payload, len, lz4_legacy, sizeof(lz4_legacy));
	ck_assert_ptr_nonnull(frame);
	/* The build appends the decompressed size (le32) after the frame. */
	tmp = boot_test__file(frame, payload + len - 4 - frame, payload + len - 4 - frame);
	snprintf(path, sizeof(path), "lz4 -dc '%s' > vmlinux", tmp);
	ck_assert_msg(test__run(dir, path, NULL, 0, err, sizeof(err)) == 0, "lz4: %s", err);
	boot_test__remove(tmp);
	snprintf(path, sizeof(path), "%s/vmlinux", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_size, le32(payload + len - 4));
	blob__close(&bz);
	return true;
}

START_TEST(debian_vmlinux)
{
	/* readelf -l: the four PT_LOADs and their file offsets. */
	static const struct { uint64_t paddr, size, offset; } loads[] = {
		{ 0x1000000, 0x1826634, 0x200000 }, { 0x2a00000, 0x61a000, 0x1c00000 },
		{ 0x301a000, 0x34000, 0x2400000 }, { 0x304e000, 0xdb2000, 0x244e000 },
	};
	static const uint8_t note[16] = { 4, 0, 0, 0, 8, 0, 0, 0, 18, 0, 0, 0, 'X', 'e', 'n', 0 };
	const char *rdpath = test__shared("vectors/kernel/initrd.bin");
	char path[128];
	struct x86_boot_cfg cfg = { .kernel = path, .initrd = rdpath, .cmdline = "console=ttyS0",
				    .mem_size = 256 * MiB, .vcpus = 2 };
	const struct hvm_start_info *si;
	const struct hvm_modlist_entry *mod;
	struct blob elf, initrd;
	const uint8_t *n;
	uint64_t entry;
	struct plan p;

	ck_assert(unpack_dir[0]);
	if (!unpack_vmlinux(unpack_dir))
		return;
	snprintf(path, sizeof(path), "%s/vmlinux", unpack_dir);
	ck_assert_int_eq(blob__open(&elf, path), 0);
	ck_assert_int_eq(blob__open(&initrd, rdpath), 0);
	/* The note's descriptor, found by bytes rather than by libelf. */
	n = memmem(elf.data, elf.size, note, sizeof(note));
	ck_assert_ptr_nonnull(n);
	memcpy(&entry, n + sizeof(note), 8);
	ck_assert_uint_eq(entry, 0x1000850);

	plan__init(&p);
	ck_assert_msg(x86__build_boot_plan(&p, &cfg) == 0, "%s", err__msg());
	ck_assert_int_eq(p.entry.mode, PLAN_ENTRY_X86_PVH);
	ck_assert_uint_eq(p.entry.pc, entry);
	for (size_t i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		const struct plan_op *op = boot_test__op_at(&p, loads[i].paddr, loads[i].size);

		ck_assert_ptr_nonnull(op);
		ck_assert_uint_eq(op->gpa, loads[i].paddr);
		ck_assert_uint_eq(op->len, loads[i].size);
		ck_assert_ptr_nonnull(op->data);
		ck_assert_int_eq(memcmp(op->data, elf.data + loads[i].offset, op->len), 0);
	}
	si = boot_test__gpa(&p, p.entry.arg, sizeof(*si));
	ck_assert_uint_eq(si->magic, 0x336ec578);
	mod = boot_test__gpa(&p, si->modlist_paddr, sizeof(*mod));
	ck_assert_uint_eq(mod->paddr, 255 * MiB);
	ck_assert_uint_eq(mod->size, initrd.size);
	ck_assert_int_eq(memcmp(boot_test__gpa(&p, mod->paddr, mod->size), initrd.data,
				initrd.size), 0);
	ck_assert_str_eq(boot_test__gpa(&p, si->cmdline_paddr, 14), "console=ttyS0");
	ck_assert_int_eq(plan__validate(&p), 0);
	plan__exit(&p);

	/* The segments end at 62 MiB. */
	plan__init(&p);
	cfg.mem_size = 60 * MiB;
	ck_assert_int_eq(x86__build_boot_plan(&p, &cfg), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "segment 3: p_paddr [0x304e000, +0xdb2000)"));
	plan__exit(&p);
	blob__close(&elf);
	blob__close(&initrd);
}
END_TEST

static Suite *pvh_suite(void)
{
	Suite *s = suite_create("pvh");
	TCase *t = tcase_create("core");
	TCase *real = tcase_create("debian");

	tcase_add_test(t, segments_entry_and_start_info);
	tcase_add_test(t, elf32_with_a_4_byte_note);
	tcase_add_test(t, no_pvh_note);
	tcase_add_test(t, bad_notes);
	tcase_add_test(t, bad_segments);
	tcase_add_test(t, hostile_files);
	tcase_add_test(t, initrd_placement);
	tcase_add_test(t, cmdline_limit);
	suite_add_tcase(s, t);
	tcase_add_unchecked_fixture(real, unpack_setup, unpack_teardown);
	tcase_set_timeout(real, 60);
	tcase_add_test(real, debian_vmlinux);
	suite_add_tcase(s, real);
	return s;
}
TEST_SUITE(pvh_suite)

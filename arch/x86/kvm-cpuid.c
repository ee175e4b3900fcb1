#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "arch/x86/cpuid.h"
#include "loader/error.h"

struct feature {
	const char *name;       /* as in /proc/cpuinfo */
	uint8_t word, bit;
};

/* The named bits of each word (Intel SDM vol. 2A CPUID, AMD APM vol. 3). */
static const struct feature features[] = {
	{ "fpu", CPUID_1_EDX, 0 },            { "vme", CPUID_1_EDX, 1 },
	{ "de", CPUID_1_EDX, 2 },             { "pse", CPUID_1_EDX, 3 },
	{ "tsc", CPUID_1_EDX, 4 },            { "msr", CPUID_1_EDX, 5 },
	{ "pae", CPUID_1_EDX, 6 },            { "mce", CPUID_1_EDX, 7 },
	{ "cx8", CPUID_1_EDX, 8 },            { "apic", CPUID_1_EDX, 9 },
	{ "sep", CPUID_1_EDX, 11 },           { "mtrr", CPUID_1_EDX, 12 },
	{ "pge", CPUID_1_EDX, 13 },           { "mca", CPUID_1_EDX, 14 },
	{ "cmov", CPUID_1_EDX, 15 },          { "pat", CPUID_1_EDX, 16 },
	{ "pse36", CPUID_1_EDX, 17 },         { "pn", CPUID_1_EDX, 18 },
	{ "clflush", CPUID_1_EDX, 19 },       { "dts", CPUID_1_EDX, 21 },
	{ "acpi", CPUID_1_EDX, 22 },          { "mmx", CPUID_1_EDX, 23 },
	{ "fxsr", CPUID_1_EDX, 24 },          { "sse", CPUID_1_EDX, 25 },
	{ "sse2", CPUID_1_EDX, 26 },          { "ss", CPUID_1_EDX, 27 },
	{ "ht", CPUID_1_EDX, 28 },            { "tm", CPUID_1_EDX, 29 },
	{ "ia64", CPUID_1_EDX, 30 },          { "pbe", CPUID_1_EDX, 31 },

	{ "pni", CPUID_1_ECX, 0 },            { "pclmulqdq", CPUID_1_ECX, 1 },
	{ "dtes64", CPUID_1_ECX, 2 },         { "monitor", CPUID_1_ECX, 3 },
	{ "ds_cpl", CPUID_1_ECX, 4 },         { "vmx", CPUID_1_ECX, 5 },
	{ "smx", CPUID_1_ECX, 6 },            { "est", CPUID_1_ECX, 7 },
	{ "tm2", CPUID_1_ECX, 8 },            { "ssse3", CPUID_1_ECX, 9 },
	{ "cid", CPUID_1_ECX, 10 },           { "sdbg", CPUID_1_ECX, 11 },
	{ "fma", CPUID_1_ECX, 12 },           { "cx16", CPUID_1_ECX, 13 },
	{ "xtpr", CPUID_1_ECX, 14 },          { "pdcm", CPUID_1_ECX, 15 },
	{ "pcid", CPUID_1_ECX, 17 },          { "dca", CPUID_1_ECX, 18 },
	{ "sse4_1", CPUID_1_ECX, 19 },        { "sse4_2", CPUID_1_ECX, 20 },
	{ "x2apic", CPUID_1_ECX, 21 },        { "movbe", CPUID_1_ECX, 22 },
	{ "popcnt", CPUID_1_ECX, 23 },        { "tsc_deadline_timer", CPUID_1_ECX, 24 },
	{ "aes", CPUID_1_ECX, 25 },           { "xsave", CPUID_1_ECX, 26 },
	{ "osxsave", CPUID_1_ECX, 27 },       { "avx", CPUID_1_ECX, 28 },
	{ "f16c", CPUID_1_ECX, 29 },          { "rdrand", CPUID_1_ECX, 30 },
	{ "hypervisor", CPUID_1_ECX, 31 },

	{ "fsgsbase", CPUID_7_0_EBX, 0 },     { "tsc_adjust", CPUID_7_0_EBX, 1 },
	{ "sgx", CPUID_7_0_EBX, 2 },          { "bmi1", CPUID_7_0_EBX, 3 },
	{ "hle", CPUID_7_0_EBX, 4 },          { "avx2", CPUID_7_0_EBX, 5 },
	{ "smep", CPUID_7_0_EBX, 7 },         { "bmi2", CPUID_7_0_EBX, 8 },
	{ "erms", CPUID_7_0_EBX, 9 },         { "invpcid", CPUID_7_0_EBX, 10 },
	{ "rtm", CPUID_7_0_EBX, 11 },         { "cqm", CPUID_7_0_EBX, 12 },
	{ "mpx", CPUID_7_0_EBX, 14 },         { "rdt_a", CPUID_7_0_EBX, 15 },
	{ "avx512f", CPUID_7_0_EBX, 16 },     { "avx512dq", CPUID_7_0_EBX, 17 },
	{ "rdseed", CPUID_7_0_EBX, 18 },      { "adx", CPUID_7_0_EBX, 19 },
	{ "smap", CPUID_7_0_EBX, 20 },        { "avx512ifma", CPUID_7_0_EBX, 21 },
	{ "clflushopt", CPUID_7_0_EBX, 23 },  { "clwb", CPUID_7_0_EBX, 24 },
	{ "intel_pt", CPUID_7_0_EBX, 25 },    { "avx512pf", CPUID_7_0_EBX, 26 },
	{ "avx512er", CPUID_7_0_EBX, 27 },    { "avx512cd", CPUID_7_0_EBX, 28 },
	{ "sha_ni", CPUID_7_0_EBX, 29 },      { "avx512bw", CPUID_7_0_EBX, 30 },
	{ "avx512vl", CPUID_7_0_EBX, 31 },

	{ "avx512vbmi", CPUID_7_0_ECX, 1 },   { "umip", CPUID_7_0_ECX, 2 },
	{ "pku", CPUID_7_0_ECX, 3 },          { "ospke", CPUID_7_0_ECX, 4 },
	{ "waitpkg", CPUID_7_0_ECX, 5 },      { "avx512_vbmi2", CPUID_7_0_ECX, 6 },
	{ "gfni", CPUID_7_0_ECX, 8 },         { "vaes", CPUID_7_0_ECX, 9 },
	{ "vpclmulqdq", CPUID_7_0_ECX, 10 },  { "avx512_vnni", CPUID_7_0_ECX, 11 },
	{ "avx512_bitalg", CPUID_7_0_ECX, 12 }, { "tme", CPUID_7_0_ECX, 13 },
	{ "avx512_vpopcntdq", CPUID_7_0_ECX, 14 }, { "la57", CPUID_7_0_ECX, 16 },
	{ "rdpid", CPUID_7_0_ECX, 22 },       { "bus_lock_detect", CPUID_7_0_ECX, 24 },
	{ "cldemote", CPUID_7_0_ECX, 25 },    { "movdiri", CPUID_7_0_ECX, 27 },
	{ "movdir64b", CPUID_7_0_ECX, 28 },   { "enqcmd", CPUID_7_0_ECX, 29 },
	{ "sgx_lc", CPUID_7_0_ECX, 30 },

	{ "avx512_4vnniw", CPUID_7_0_EDX, 2 }, { "avx512_4fmaps", CPUID_7_0_EDX, 3 },
	{ "fsrm", CPUID_7_0_EDX, 4 },         { "avx512_vp2intersect", CPUID_7_0_EDX, 8 },
	{ "md_clear", CPUID_7_0_EDX, 10 },    { "serialize", CPUID_7_0_EDX, 14 },
	{ "tsxldtrk", CPUID_7_0_EDX, 16 },    { "pconfig", CPUID_7_0_EDX, 18 },
	{ "arch_lbr", CPUID_7_0_EDX, 19 },    { "ibt", CPUID_7_0_EDX, 20 },
	{ "amx_bf16", CPUID_7_0_EDX, 22 },    { "avx512_fp16", CPUID_7_0_EDX, 23 },
	{ "amx_tile", CPUID_7_0_EDX, 24 },    { "amx_int8", CPUID_7_0_EDX, 25 },
	{ "flush_l1d", CPUID_7_0_EDX, 28 },   { "arch_capabilities", CPUID_7_0_EDX, 29 },

	{ "lahf_lm", CPUID_8000_0001_ECX, 0 }, { "cmp_legacy", CPUID_8000_0001_ECX, 1 },
	{ "svm", CPUID_8000_0001_ECX, 2 },    { "extapic", CPUID_8000_0001_ECX, 3 },
	{ "cr8_legacy", CPUID_8000_0001_ECX, 4 }, { "abm", CPUID_8000_0001_ECX, 5 },
	{ "sse4a", CPUID_8000_0001_ECX, 6 },  { "misalignsse", CPUID_8000_0001_ECX, 7 },
	{ "3dnowprefetch", CPUID_8000_0001_ECX, 8 }, { "osvw", CPUID_8000_0001_ECX, 9 },
	{ "ibs", CPUID_8000_0001_ECX, 10 },   { "xop", CPUID_8000_0001_ECX, 11 },
	{ "skinit", CPUID_8000_0001_ECX, 12 }, { "wdt", CPUID_8000_0001_ECX, 13 },
	{ "lwp", CPUID_8000_0001_ECX, 15 },   { "fma4", CPUID_8000_0001_ECX, 16 },
	{ "tce", CPUID_8000_0001_ECX, 17 },   { "nodeid_msr", CPUID_8000_0001_ECX, 19 },
	{ "tbm", CPUID_8000_0001_ECX, 21 },   { "topoext", CPUID_8000_0001_ECX, 22 },
	{ "perfctr_core", CPUID_8000_0001_ECX, 23 }, { "perfctr_nb", CPUID_8000_0001_ECX, 24 },
	{ "bpext", CPUID_8000_0001_ECX, 26 }, { "ptsc", CPUID_8000_0001_ECX, 27 },
	{ "perfctr_llc", CPUID_8000_0001_ECX, 28 }, { "mwaitx", CPUID_8000_0001_ECX, 29 },

	{ "syscall", CPUID_8000_0001_EDX, 11 }, { "mp", CPUID_8000_0001_EDX, 19 },
	{ "nx", CPUID_8000_0001_EDX, 20 },    { "mmxext", CPUID_8000_0001_EDX, 22 },
	{ "fxsr_opt", CPUID_8000_0001_EDX, 25 }, { "pdpe1gb", CPUID_8000_0001_EDX, 26 },
	{ "rdtscp", CPUID_8000_0001_EDX, 27 }, { "lm", CPUID_8000_0001_EDX, 29 },
	{ "3dnowext", CPUID_8000_0001_EDX, 30 }, { "3dnow", CPUID_8000_0001_EDX, 31 },
};

/* FEATURE cannot work without REQUIRES: hiding the latter hides the former
 * (the AVX family lives in XSAVE state). */
static const struct { const char *feature, *requires; } deps[] = {
	{ "osxsave", "xsave" },     { "avx", "xsave" },          { "amx_tile", "xsave" },
	{ "avx2", "avx" },          { "fma", "avx" },            { "f16c", "avx" },
	{ "vaes", "avx" },          { "vpclmulqdq", "avx" },     { "xop", "avx" },
	{ "fma4", "avx" },          { "avx512f", "avx2" },       { "avx512dq", "avx512f" },
	{ "avx512ifma", "avx512f" }, { "avx512pf", "avx512f" },  { "avx512er", "avx512f" },
	{ "avx512cd", "avx512f" },  { "avx512bw", "avx512f" },   { "avx512vl", "avx512f" },
	{ "avx512vbmi", "avx512f" }, { "avx512_vbmi2", "avx512f" },
	{ "avx512_vnni", "avx512f" }, { "avx512_bitalg", "avx512f" },
	{ "avx512_vpopcntdq", "avx512f" }, { "avx512_4vnniw", "avx512f" },
	{ "avx512_4fmaps", "avx512f" }, { "avx512_vp2intersect", "avx512f" },
	{ "avx512_fp16", "avx512bw" }, { "amx_bf16", "amx_tile" }, { "amx_int8", "amx_tile" },
	{ "ospke", "pku" },
};

/* Where each word lives: leaf, sub-leaf, register (0 EAX .. 3 EDX). */
static const struct { uint32_t leaf, subleaf; uint8_t reg; } words[X86_CPUID_WORDS] = {
	[CPUID_1_ECX] = { 1, 0, 2 },          [CPUID_1_EDX] = { 1, 0, 3 },
	[CPUID_7_0_EBX] = { 7, 0, 1 },        [CPUID_7_0_ECX] = { 7, 0, 2 },
	[CPUID_7_0_EDX] = { 7, 0, 3 },
	[CPUID_8000_0001_ECX] = { 0x80000001, 0, 2 },
	[CPUID_8000_0001_EDX] = { 0x80000001, 0, 3 },
};

static const struct feature *lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (strlen(features[i].name) == len && !strncasecmp(features[i].name, name, len))
			return &features[i];
	return NULL;
}

static bool cleared(const struct x86_cpuid_policy *pol, const char *name)
{
	const struct feature *f = lookup(name, strlen(name));

	return pol->clear[f->word] & (1u << f->bit);
}

static void clear(struct x86_cpuid_policy *pol, const char *name)
{
	const struct feature *f = lookup(name, strlen(name));

	pol->clear[f->word] |= 1u << f->bit;
}

int x86__cpuid_parse_disable(const char *list, struct x86_cpuid_policy *pol)
{
	bool changed = true;

	for (const char *s = list; *s;) {
		size_t len = strcspn(s, ",");
		const struct feature *f = lookup(s, len);

		if (len && !f)
			return err__set("--cpuid-disable: unknown feature '%.*s'", (int)len, s);
		if (f)
			pol->clear[f->word] |= 1u << f->bit;
		s += len + (s[len] == ',');
	}
	while (changed) {
		changed = false;
		for (size_t i = 0; i < sizeof(deps) / sizeof(deps[0]); i++)
			if (cleared(pol, deps[i].requires) && !cleared(pol, deps[i].feature)) {
				clear(pol, deps[i].feature);
				changed = true;
			}
	}
	return 0;
}

static uint32_t *reg(struct kvm_cpuid_entry2 *x, unsigned int r)
{
	uint32_t *regs[] = { &x->eax, &x->ebx, &x->ecx, &x->edx };

	return regs[r];
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Bits of APIC id that number the cores: the smallest S with 2^S >= N. */
static uint32_t order(uint32_t n)
{
	uint32_t s = 0;

	while ((1ull << s) < n)
		s++;
	return s;
}

/* KVM ignores the index of leaves without sub-leaves. */
static bool is(const struct kvm_cpuid_entry2 *x, uint32_t leaf, uint32_t index)
{
	return x->function == leaf &&
	       (x->index == index || !(x->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX));
}

enum { LEVEL_INVALID, LEVEL_SMT, LEVEL_CORE };

/* Leaf 0xB / 0x1F: one thread per core, NV cores, x2APIC id = VCPU. */
static void set_topology(struct kvm_cpuid_entry2 *x, uint32_t vcpu, uint32_t nv)
{
	x->edx = vcpu;
	x->ecx = x->index & 0xff;
	if (x->index == 0) {
		x->eax = 0;             /* no SMT bits to shift away */
		x->ebx = 1;
		x->ecx |= LEVEL_SMT << 8;
	} else if (x->index == 1) {
		x->eax = order(nv);
		x->ebx = nv;
		x->ecx |= LEVEL_CORE << 8;
	} else {
		x->eax = x->ebx = 0;
		x->ecx |= LEVEL_INVALID << 8;
	}
}

static void set_entry(const struct x86_cpuid_policy *pol, struct kvm_cpuid_entry2 *x,
		      uint32_t vcpu, uint32_t nv)
{
	switch (x->function) {
	case 1:
		x->ebx = (x->ebx & 0xffff) | (vcpu & 0xff) << 24 | min_u32(nv, 0xff) << 16;
		x->edx = (x->edx & ~(1u << 28)) | (nv > 1) << 28;         /* HTT */
		x->ecx |= 1u << 31;                                        /* hypervisor */
		break;
	case 4:
		if (x->eax & 0x1f) {    /* a cache: cores per package, threads sharing it */
			uint32_t level = (x->eax >> 5) & 7;
			uint32_t sharing = level >= 3 ? min_u32(nv, 4096) - 1 : 0;

			x->eax = (x->eax & 0x3fff) | (min_u32(nv, 64) - 1) << 26 | sharing << 14;
		}
		break;
	case 0xb:
	case 0x1f:
		set_topology(x, vcpu, nv);
		break;
	case 0x80000008:        /* AMD: NC and ApicIdCoreIdSize */
		x->ecx = (x->ecx & ~0xf0ffu) | order(nv) << 12 | (min_u32(nv, 256) - 1);
		break;
	case 0x8000001e:        /* AMD: extended APIC id, core id, 1 thread per core */
		x->eax = vcpu;
		x->ebx = (x->ebx & ~0xffffu) | (vcpu & 0xff);
		x->ecx = 0;
		break;
	}
	for (int w = 0; w < X86_CPUID_WORDS; w++)
		if (is(x, words[w].leaf, words[w].subleaf))
			*reg(x, words[w].reg) &= ~pol->clear[w];
}

static bool has(const struct kvm_cpuid_entry2 *e, int n, uint32_t leaf, uint32_t index)
{
	for (int i = 0; i < n; i++)
		if (is(&e[i], leaf, index))
			return true;
	return false;
}

int x86__cpuid_apply(const struct x86_cpuid_policy *pol, struct kvm_cpuid_entry2 *e, int n,
		     int cap, uint32_t vcpu, uint32_t nvcpus)
{
	static const uint32_t topo[] = { 0xb, 0x1f };
	uint32_t max_leaf = 0;

	if (nvcpus == 0 || vcpu >= nvcpus)
		return err__set("cpuid: vCPU %u of %u", vcpu, nvcpus);
	for (int i = 0; i < n; i++)
		if (e[i].function == 0)
			max_leaf = e[i].eax;
	/* KVM may report a topology leaf without sub-leaf 1 (or not at all):
	 * the guest needs both levels to count its cores. */
	for (size_t t = 0; t < sizeof(topo) / sizeof(topo[0]); t++) {
		for (uint32_t sub = 0; max_leaf >= topo[t] && sub < 2; sub++) {
			if (has(e, n, topo[t], sub))
				continue;
			if (n >= cap)
				return err__set("cpuid: no room for leaf %#x.%u (%d entries)", topo[t],
						sub, cap);
			memset(&e[n], 0, sizeof(e[n]));
			e[n].function = topo[t];
			e[n].index = sub;
			e[n].flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
			n++;
		}
	}
	for (int i = 0; i < n; i++)
		set_entry(pol, &e[i], vcpu, nvcpus);
	return n;
}

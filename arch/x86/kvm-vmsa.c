#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86/kvm-vmsa.h"
#include "arch/x86/vmsa.h"
#include "loader/error.h"
#include "vmm/kvm-abi.h"
#include "vmm/sys.h"
#include "vmm/vm.h"

#define CR0_NW          (1ull << 29)
#define CR0_CD          (1ull << 30)
#define RFLAGS_FIXED    0x2ull
#define DR7_RESET       0x400ull
#define DR6_RESET       0xffff0ff0ull
#define MSR_IA32_CR_PAT 0x277

/* Reads a field and marks it consumed (zeroes it in the scratch copy). */
static uint64_t take(uint8_t *s, size_t off, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)s[off + i] << (8 * i);
	memset(s + off, 0, n);
	return v;
}

/* svm_set_segment's attrib, taken apart: type, S, DPL, P, AVL, L, D/B, G. */
static int segment(uint8_t *s, size_t off, struct kvm_segment *k, const char *name)
{
	uint16_t a;

	k->selector = take(s, off, 2);
	a = take(s, off + 2, 2);
	k->limit = take(s, off + 4, 4);
	k->base = take(s, off + 8, 8);
	if (a >> 12)
		return err__set("VMSA %s: attribute %#x has bits no segment register sets", name, a);
	k->type = a & 0xf;
	k->s = a >> 4 & 1;
	k->dpl = a >> 5 & 3;
	k->present = a >> 7 & 1;
	k->avl = a >> 8 & 1;
	k->l = a >> 9 & 1;
	k->db = a >> 10 & 1;
	k->g = a >> 11 & 1;
	k->unusable = !k->present;
	return 0;
}

/* GDTR and IDTR: KVM sets only limit (16 bits) and base. */
static int dtable(uint8_t *s, size_t off, struct kvm_dtable *d, const char *name)
{
	uint64_t sel_attr = take(s, off, 4), limit = take(s, off + 4, 4);

	if (sel_attr || limit > 0xffff)
		return err__set("VMSA %s: only a 16-bit limit and a base can be set", name);
	d->limit = limit;
	d->base = take(s, off + 8, 8);
	return 0;
}

static int segments(uint8_t *s, struct kvm_sregs *sr)
{
	static const struct { size_t off; size_t field; const char *name; } segs[] = {
		{ VMSA_ES, offsetof(struct kvm_sregs, es), "ES" },
		{ VMSA_CS, offsetof(struct kvm_sregs, cs), "CS" },
		{ VMSA_SS, offsetof(struct kvm_sregs, ss), "SS" },
		{ VMSA_DS, offsetof(struct kvm_sregs, ds), "DS" },
		{ VMSA_FS, offsetof(struct kvm_sregs, fs), "FS" },
		{ VMSA_GS, offsetof(struct kvm_sregs, gs), "GS" },
		{ VMSA_LDTR, offsetof(struct kvm_sregs, ldt), "LDTR" },
		{ VMSA_TR, offsetof(struct kvm_sregs, tr), "TR" },
	};

	for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
		if (segment(s, segs[i].off, (struct kvm_segment *)((char *)sr + segs[i].field),
			    segs[i].name) < 0)
			return -1;
	if (dtable(s, VMSA_GDTR, &sr->gdt, "GDTR") < 0 || dtable(s, VMSA_IDTR, &sr->idt, "IDTR") < 0)
		return -1;
	/* KVM's CPL is SS.DPL, written with SS. */
	if (take(s, VMSA_CPL, 1) != sr->ss.dpl)
		return err__set("VMSA CPL differs from SS.DPL: KVM derives one from the other");
	return 0;
}

/* EFER, CR0/3/4, DR6/7 and RFLAGS, less what KVM adds itself. */
static int control(uint8_t *s, struct vmsa_regs *r)
{
	uint64_t efer = take(s, VMSA_EFER, 8), cr4 = take(s, VMSA_CR4, 8);
	uint64_t cr0 = take(s, VMSA_CR0, 8);

	if (!(efer & VMSA_EFER_SVME))
		return err__set("VMSA EFER %#llx: KVM always sets SVME", (unsigned long long)efer);
	if (!(cr4 & VMSA_CR4_MCE))
		return err__set("VMSA CR4 %#llx: KVM always adds the host's CR4.MCE",
				(unsigned long long)cr4);
	if (cr0 & (CR0_CD | CR0_NW))
		return err__set("VMSA CR0 %#llx: KVM clears CD and NW (KVM_X86_QUIRK_CD_NW_CLEARED)",
				(unsigned long long)cr0);
	r->sregs.efer = efer & ~VMSA_EFER_SVME;
	r->sregs.cr4 = cr4 & ~VMSA_CR4_MCE;
	r->sregs.cr0 = cr0;
	r->sregs.cr3 = take(s, VMSA_CR3, 8);
	if (take(s, VMSA_DR7, 8) != DR7_RESET)
		return err__set("VMSA DR7: KVM encrypts a VMSA only with DR7 = 0x400");
	if (take(s, VMSA_DR6, 8) != DR6_RESET)
		return err__set("VMSA DR6: cvm-run keeps the reset value 0xffff0ff0");
	r->regs.rflags = take(s, VMSA_RFLAGS, 8);
	if (!(r->regs.rflags & RFLAGS_FIXED))
		return err__set("VMSA RFLAGS %#llx: bit 1 is always one",
				(unsigned long long)r->regs.rflags);
	return 0;
}

static void gprs(uint8_t *s, struct kvm_regs *g)
{
	__u64 *high[] = { &g->r8, &g->r9, &g->r10, &g->r11, &g->r12, &g->r13, &g->r14,
			     &g->r15 };

	g->rip = take(s, VMSA_RIP, 8);
	g->rsp = take(s, VMSA_RSP, 8);
	g->rax = take(s, VMSA_RAX, 8);
	g->rcx = take(s, VMSA_RCX, 8);
	g->rdx = take(s, VMSA_RDX, 8);
	g->rbx = take(s, VMSA_RBX, 8);
	g->rbp = take(s, VMSA_RBP, 8);
	g->rsi = take(s, VMSA_RSI, 8);
	g->rdi = take(s, VMSA_RDI, 8);
	for (int i = 0; i < 8; i++)
		*high[i] = take(s, VMSA_R8 + 8 * i, 8);
}

/* The FXSAVE image KVM_SET_FPU writes; the x87 registers are split into
 * 8 x 8 low bytes and 8 x 2 high bytes in the VMSA. */
static int fpu(uint8_t *s, struct kvm_fpu *f)
{
	uint64_t ftw = take(s, VMSA_X87_FTW, 2);

	if (ftw > 0xff)
		return err__set("VMSA x87 FTW %#llx: KVM_SET_FPU has the abridged 8-bit tag word",
				(unsigned long long)ftw);
	f->ftwx = ftw;
	f->last_dp = take(s, VMSA_X87_DP, 8);
	f->mxcsr = take(s, VMSA_MXCSR, 4);
	f->fsw = take(s, VMSA_X87_FSW, 2);
	f->fcw = take(s, VMSA_X87_FCW, 2);
	f->last_opcode = take(s, VMSA_X87_FOP, 2);
	f->last_ip = take(s, VMSA_X87_RIP, 8);
	for (int i = 0; i < 8; i++) {
		memcpy(f->fpr[i], s + VMSA_FPREG_X87 + 8 * i, 8);
		memcpy(f->fpr[i] + 8, s + VMSA_FPREG_X87 + 64 + 2 * i, 2);
	}
	memset(s + VMSA_FPREG_X87, 0, 80);
	memcpy(f->xmm, s + VMSA_FPREG_XMM, sizeof(f->xmm));
	memset(s + VMSA_FPREG_XMM, 0, sizeof(f->xmm));
	return 0;
}

int vmsa__to_regs(const uint8_t *page, struct vmsa_regs *r)
{
	uint8_t s[VMSA_SIZE];

	memcpy(s, page, sizeof(s));
	memset(&r->regs, 0, sizeof(r->regs));
	memset(&r->fpu, 0, sizeof(r->fpu));
	if (segments(s, &r->sregs) < 0 || control(s, r) < 0 || fpu(s, &r->fpu) < 0)
		return -1;
	gprs(s, &r->regs);
	r->pat = take(s, VMSA_G_PAT, 8);
	r->sev_features = take(s, VMSA_SEV_FEATURES, 8);
	r->xcr0 = take(s, VMSA_XCR0, 8);
	for (size_t i = 0; i < sizeof(s); i++)
		if (s[i])
			return err__set("VMSA byte %#zx is %#x: KVM fills it from no register cvm-run "
					"sets", i, s[i]);
	return 0;
}

static int set(struct vcpu *v, unsigned long req, void *arg, const char *name)
{
	if (sys__ioctl(v->fd, req, arg) < 0)
		return err__set_status(CVM_EXIT_FAIL, "vCPU %u: %s for its VMSA: %s", v->id, name,
				       strerror(errno));
	return 0;
}

int x86__vcpu_set_vmsa(struct vcpu *v, const uint8_t *page, uint64_t sev_features)
{
	struct vmsa_regs r;
	struct kvm_xcrs x = { .nr_xcrs = 1 };
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} pat = { .hdr.nmsrs = 1, .e.index = MSR_IA32_CR_PAT };

	if (set(v, KVM_GET_SREGS, &r.sregs, "KVM_GET_SREGS") < 0)
		return -1;
	if (vmsa__to_regs(page, &r) < 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err__msg());
		return err__set_status(CVM_EXIT_FAIL, "vCPU %u: %s", v->id, why);
	}
	if (r.sev_features != sev_features)
		return err__set_status(CVM_EXIT_FAIL, "vCPU %u: VMSA SEV_FEATURES %#llx, but KVM "
				       "writes %#llx", v->id, (unsigned long long)r.sev_features,
				       (unsigned long long)sev_features);
	x.xcrs[0].value = r.xcr0;
	pat.e.data = r.pat;
	if (set(v, KVM_SET_SREGS, &r.sregs, "KVM_SET_SREGS") < 0 ||
	    set(v, KVM_SET_REGS, &r.regs, "KVM_SET_REGS") < 0 ||
	    set(v, KVM_SET_FPU, &r.fpu, "KVM_SET_FPU") < 0 ||
	    set(v, KVM_SET_XCRS, &x, "KVM_SET_XCRS") < 0)
		return -1;
	if (sys__ioctl(v->fd, KVM_SET_MSRS, &pat) != 1)
		return err__set_status(CVM_EXIT_FAIL, "vCPU %u: KVM refused PAT %#llx for its VMSA",
				       v->id, (unsigned long long)r.pat);
	return 0;
}

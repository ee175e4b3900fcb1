/* The fake kernel's SEV-ES/SNP vCPUs: the register state KVM keeps besides
 * fake-x86.c's (XCR0, PAT and the other MSRs a VMSA holds, DR6/DR7, guest
 * debug), the power-on state of KERNEL-RULES 5 and 7.6, the ioctls that
 * fail once the VMSA is encrypted (2.10), and sev_es_sync_vmsa written from
 * the KERNEL-RULES 5 table, field by field and independently of cvm's
 * arch/x86/vmsa.c: the two must agree, not share a mistake. */
#include <errno.h>
#include <string.h>

#include "tests/unit/fake/fake-sev.h"
#include "tests/unit/fake/fake.h"

#define CR0_NW		0x20000000ull
#define CR0_CD		0x40000000ull
#define CR0_PG		0x80000000ull
#define EFER_SVME	0x1000ull
#define EFER_LME	0x100ull
#define EFER_LMA	0x400ull
#define HOST_CR4_MCE	0x40ull         /* the fake host runs with CR4.MCE */
#define PAT_RESET	0x0007040600070406ull

/* What KVM keeps per vCPU that fake_vcpu does not. */
struct sev_vcpu {
	bool protected_state;           /* its VMSA is encrypted */
	uint64_t xcr0, pat, dr6, dr7, xss;
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint32_t guest_debug;
};

static struct sev_vcpu vcpus[FAKE_MAX_VCPUS];

void fake_sev__vcpus_reset(void)
{
	memset(vcpus, 0, sizeof(vcpus));
}

/* kvm_vcpu_reset + init_vmcb on SVM: data segments 0x92, CS 0x9a at
 * 0xffff0000, LDTR 0x82, TR 0x83, limits 0xffff; FCW 0x37f, MXCSR 0x1f80. */
void fake_sev__vcpu_reset(struct fake_vcpu *f, unsigned id)
{
	static const struct kvm_segment data = { .limit = 0xffff, .type = 2, .present = 1, .s = 1 };
	struct sev_vcpu *v = &vcpus[id];

	fake_x86__reset_vcpu(f, id);
	f->sregs.es = f->sregs.ss = f->sregs.ds = f->sregs.fs = f->sregs.gs = data;
	f->sregs.cs = data;
	f->sregs.cs.type = 0xa;
	f->sregs.cs.selector = 0xf000;
	f->sregs.cs.base = 0xffff0000;
	f->sregs.ldt = (struct kvm_segment){ .limit = 0xffff, .type = 2, .present = 1 };
	f->sregs.tr = (struct kvm_segment){ .limit = 0xffff, .type = 3, .present = 1 };
	f->sregs.gdt.limit = f->sregs.idt.limit = 0xffff;
	f->fpu.fcw = 0x37f;
	*v = (struct sev_vcpu){ .xcr0 = 1, .pat = PAT_RESET, .dr6 = 0xffff0ff0, .dr7 = 0x400 };
}

bool fake_sev__protected(unsigned id)
{
	return vcpus[id].protected_state;
}

/* KVM_SET_MSRS: the MSRs that reach the VMSA; the count is fake-x86's. */
static void set_msrs(struct fake_vcpu *f, struct sev_vcpu *v, const struct kvm_msrs *m)
{
	for (uint32_t i = 0; i < m->nmsrs && i < 255; i++) {
		uint64_t d = m->entries[i].data;

		switch (m->entries[i].index) {
		case 0x174: v->sysenter_cs = d; break;
		case 0x175: v->sysenter_esp = d; break;
		case 0x176: v->sysenter_eip = d; break;
		case 0x277: v->pat = d; break;
		case 0xda0: v->xss = d; break;
		case 0xc0000080: f->sregs.efer = d; break;
		case 0xc0000081: v->star = d; break;
		case 0xc0000082: v->lstar = d; break;
		case 0xc0000083: v->cstar = d; break;
		case 0xc0000084: v->sfmask = d; break;
		case 0xc0000100: f->sregs.fs.base = d; break;
		case 0xc0000101: f->sregs.gs.base = d; break;
		case 0xc0000102: v->kernel_gs_base = d; break;
		}
	}
}

/* __kvm_set_xcr: FP always, AVX only with SSE. */
static long set_xcrs(struct sev_vcpu *v, const struct kvm_xcrs *x)
{
	if (x->nr_xcrs > KVM_MAX_XCRS || x->flags)
		return -EINVAL;
	for (uint32_t i = 0; i < x->nr_xcrs; i++) {
		uint64_t val = x->xcrs[i].value;

		if (x->xcrs[i].xcr != 0 || !(val & 1) || ((val & 4) && !(val & 2)))
			return -EINVAL;
		v->xcr0 = val;
	}
	return 0;
}

long fake_sev__vcpu_ioctl(struct obj *o, unsigned long req, void *arg)
{
	struct sev_vcpu *v = &vcpus[o->id];
	struct fake_vcpu *f = &fake.vcpus[o->id];
	long r;

	switch (req) {
	case KVM_GET_REGS: case KVM_SET_REGS: case KVM_GET_SREGS: case KVM_SET_SREGS:
	case KVM_GET_FPU: case KVM_SET_FPU: case KVM_GET_XCRS: case KVM_SET_XCRS:
	case KVM_GET_DEBUGREGS: case KVM_SET_DEBUGREGS: case KVM_GET_XSAVE: case KVM_SET_XSAVE:
		if (v->protected_state)
			return -EINVAL;
		break;
	}
	switch (req) {
	case KVM_SET_XCRS:
		return set_xcrs(v, arg);
	case KVM_SET_DEBUGREGS:
		v->dr6 = ((struct kvm_debugregs *)arg)->dr6;
		v->dr7 = ((struct kvm_debugregs *)arg)->dr7;
		return 0;
	case KVM_SET_GUEST_DEBUG:
		v->guest_debug = ((struct kvm_guest_debug *)arg)->control;
		return 0;
	case KVM_MEMORY_ENCRYPT_OP:
		return -ENOTTY;         /* AMD has no vCPU-scope commands */
	case KVM_SET_MSRS:
		r = fake_x86__vcpu_ioctl(o, req, arg);
		if (r > 0)
			set_msrs(f, v, arg);
		return r;
	default:
		return fake_x86__vcpu_ioctl(o, req, arg);
	}
}

/* ---- sev_es_sync_vmsa (KERNEL-RULES 5) ----------------------------------- */

static void put(uint8_t *p, size_t off, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[off + i] = v >> (8 * i);
}

/* svm_set_segment's attrib. */
static void segment(uint8_t *p, size_t off, const struct kvm_segment *s)
{
	uint16_t a = (s->type & 0xf) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
		     (s->present && !s->unusable) << 7 | (s->avl & 1) << 8 | (s->l & 1) << 9 |
		     (s->db & 1) << 10 | (s->g & 1) << 11;

	put(p, off, s->selector, 2);
	put(p, off + 2, a, 2);
	put(p, off + 4, s->limit, 4);
	put(p, off + 8, s->base, 8);
}

static void dtable(uint8_t *p, size_t off, const struct kvm_dtable *d)
{
	put(p, off + 4, d->limit, 4);
	put(p, off + 8, d->base, 8);
}

static void save_area(uint8_t *p, const struct fake_vcpu *f, const struct sev_vcpu *v)
{
	const struct kvm_sregs *s = &f->sregs;
	uint64_t efer = s->efer | EFER_SVME;

	segment(p, 0x00, &s->es);
	segment(p, 0x10, &s->cs);
	segment(p, 0x20, &s->ss);
	segment(p, 0x30, &s->ds);
	segment(p, 0x40, &s->fs);
	segment(p, 0x50, &s->gs);
	dtable(p, 0x60, &s->gdt);
	segment(p, 0x70, &s->ldt);
	dtable(p, 0x80, &s->idt);
	segment(p, 0x90, &s->tr);
	put(p, 0xcb, s->ss.dpl, 1);
	if ((s->cr0 & CR0_PG) && (s->efer & EFER_LME))
		efer |= EFER_LMA | EFER_LME;
	put(p, 0xd0, efer, 8);
	put(p, 0x140, v->xss, 8);
	put(p, 0x148, s->cr4 | HOST_CR4_MCE, 8);
	put(p, 0x150, s->cr3, 8);
	put(p, 0x158, s->cr0 & ~(CR0_CD | CR0_NW), 8);
	put(p, 0x160, v->dr7, 8);
	put(p, 0x168, v->dr6, 8);
	put(p, 0x200, v->star, 8);
	put(p, 0x208, v->lstar, 8);
	put(p, 0x210, v->cstar, 8);
	put(p, 0x218, v->sfmask, 8);
	put(p, 0x220, v->kernel_gs_base, 8);
	put(p, 0x228, v->sysenter_cs, 8);
	put(p, 0x230, (uint32_t)v->sysenter_esp, 8);
	put(p, 0x238, (uint32_t)v->sysenter_eip, 8);
	put(p, 0x268, v->pat, 8);
}

static void gprs(uint8_t *p, const struct kvm_regs *r)
{
	const uint64_t high[] = { r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15 };

	put(p, 0x170, r->rflags, 8);
	put(p, 0x178, r->rip, 8);
	put(p, 0x1d8, r->rsp, 8);
	put(p, 0x1f8, r->rax, 8);
	put(p, 0x308, r->rcx, 8);
	put(p, 0x310, r->rdx, 8);
	put(p, 0x318, r->rbx, 8);
	put(p, 0x328, r->rbp, 8);
	put(p, 0x330, r->rsi, 8);
	put(p, 0x338, r->rdi, 8);
	for (int i = 0; i < 8; i++)
		put(p, 0x340 + 8 * i, high[i], 8);
}

/* The FXSAVE image of an INIT2 VM; the x87 registers in two parts. */
static void fpu(uint8_t *p, const struct kvm_fpu *x)
{
	put(p, 0x400, x->last_dp, 8);
	put(p, 0x408, x->mxcsr, 4);
	put(p, 0x40c, x->ftwx, 2);
	put(p, 0x40e, x->fsw, 2);
	put(p, 0x410, x->fcw, 2);
	put(p, 0x412, x->last_opcode, 2);
	put(p, 0x418, x->last_ip, 8);
	for (int i = 0; i < 8; i++) {
		memcpy(p + 0x420 + 8 * i, x->fpr[i], 8);
		memcpy(p + 0x420 + 64 + 2 * i, x->fpr[i] + 8, 2);
	}
	memcpy(p + 0x470, x->xmm, 256);
}

long fake_sev__sync_vmsa(unsigned id, uint64_t features, uint8_t *p)
{
	struct sev_vcpu *v = &vcpus[id];
	const struct fake_vcpu *f = &fake.vcpus[id];

	if (v->protected_state || v->guest_debug || v->dr7 != 0x400)
		return -EINVAL;
	memset(p, 0, 4096);
	save_area(p, f, v);
	gprs(p, &f->regs);
	put(p, 0x3b0, features, 8);
	put(p, 0x3e8, v->xcr0, 8);
	fpu(p, &f->fpu);
	v->protected_state = true;
	return 0;
}

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/boot.h"
#include "arch/x86/memmap.h"
#include "loader/error.h"
#include "vmm/arch.h"
#include "vmm/kvm-abi.h"
#include "vmm/sys.h"
#include "vmm/tee.h"
#include "vmm/vm.h"

#define CR0_PE 0x1ull
#define CR0_MP 0x2ull
#define CR0_ET 0x10ull
#define CR0_NE 0x20ull
#define CR0_WP 0x10000ull
#define CR0_PG 0x80000000ull
#define CR4_PAE 0x20ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_MODE_EXTINT 0x7
#define APIC_MODE_NMI 0x4

static int vcpu_ioctl(struct vcpu *v, unsigned long req, void *arg, const char *name)
{
	if (sys__ioctl(v->fd, req, arg) < 0)
		return err__set_status(CVM_EXIT_FAIL, "vCPU %u: %s: %s", v->id, name, strerror(errno));
	return 0;
}

struct kvm_cpuid2 *x86__vcpu_cpuid(struct vm *vm, unsigned id)
{
	const struct kvm_cpuid2 *sup = x86__supported_cpuid(vm);
	int room, n;
	struct kvm_cpuid2 *c;

	if (!sup)
		return NULL;
	room = sup->nent + 8;           /* topology leaves may be appended */
	c = calloc(1, sizeof(*c) + room * sizeof(c->entries[0]));
	if (!c) {
		err__set_status(CVM_EXIT_FAIL, "out of memory");
		return NULL;
	}
	memcpy(c, sup, sizeof(*sup) + sup->nent * sizeof(sup->entries[0]));
	n = x86__cpuid_apply(&vm->arch.cpuid, c->entries, c->nent, room, id, vm->cfg->cpus);
	if (n < 0) {
		free(c);
		return NULL;
	}
	c->nent = n;
	return c;
}

static int set_cpuid(struct vcpu *v)
{
	struct kvm_cpuid2 *c = x86__vcpu_cpuid(v->vm, v->id);
	int r;

	if (!c)
		return -1;
	r = vcpu_ioctl(v, KVM_SET_CPUID2, c, "KVM_SET_CPUID2");
	free(c);
	return r;
}

/* The MSR values Linux expects from firmware: fast strings on, write-back
 * as the default memory type, syscall MSRs clear. */
static int set_msrs(struct vcpu *v)
{
	static const struct { uint32_t index; uint64_t data; } init[] = {
		{ 0x174, 0 }, { 0x175, 0 }, { 0x176, 0 },          /* SYSENTER_CS/ESP/EIP */
		{ 0xc0000081, 0 }, { 0xc0000082, 0 },              /* STAR, LSTAR */
		{ 0xc0000083, 0 }, { 0xc0000084, 0 },              /* CSTAR, SYSCALL_MASK */
		{ 0xc0000102, 0 },                                 /* KERNEL_GS_BASE */
		{ 0x10, 0 },                                       /* TSC */
		{ 0x1a0, 1 },                                      /* MISC_ENABLE: fast strings */
		{ 0x2ff, (1u << 11) | 6 },                         /* MTRRdefType: enabled, WB */
	};
	const size_t n = sizeof(init) / sizeof(init[0]);
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[sizeof(init) / sizeof(init[0])];
	} m = { .hdr.nmsrs = n };
	int r;

	for (size_t i = 0; i < n; i++) {
		m.e[i].index = init[i].index;
		m.e[i].data = init[i].data;
	}
	r = sys__ioctl(v->fd, KVM_SET_MSRS, &m);
	if (r < 0)
		return err__set_status(CVM_EXIT_FAIL, "vCPU %u: KVM_SET_MSRS: %s", v->id,
				       strerror(errno));
	if ((size_t)r < n)
		return err__set_status(CVM_EXIT_FAIL, "vCPU %u: KVM refused MSR %#x", v->id,
				       m.e[r].index);
	return 0;
}

/* LINT0 delivers the PIC (ExtINT) and LINT1 NMIs, as PC firmware leaves
 * them, until the guest programs the IOAPIC. */
static void set_lvt(struct kvm_lapic_state *l, int reg, uint32_t mode)
{
	uint32_t x;

	memcpy(&x, &l->regs[reg], 4);
	x = (x & ~0x10700u) | mode << 8;        /* delivery mode; unmasked */
	memcpy(&l->regs[reg], &x, 4);
}

static int set_lapic(struct vcpu *v)
{
	struct kvm_lapic_state l;

	if (vcpu_ioctl(v, KVM_GET_LAPIC, &l, "KVM_GET_LAPIC") < 0)
		return -1;
	set_lvt(&l, APIC_LVT0, APIC_MODE_EXTINT);
	set_lvt(&l, APIC_LVT1, APIC_MODE_NMI);
	return vcpu_ioctl(v, KVM_SET_LAPIC, &l, "KVM_SET_LAPIC");
}

static struct kvm_segment flat(uint16_t sel, uint8_t type, bool code64)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = !code64, .s = 1, .l = code64, .g = 1,
	};
}

static int set_entry_regs(struct vcpu *v)
{
	const struct plan_entry *e = &v->vm->plan.entry;
	bool lm = e->mode == PLAN_ENTRY_X86_64;
	struct kvm_sregs s;
	struct kvm_regs r = { .rflags = 2, .rip = e->pc };
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
	struct kvm_segment data = flat(X86_SEL_DS, 0x3, false);

	if (vcpu_ioctl(v, KVM_GET_SREGS, &s, "KVM_GET_SREGS") < 0)
		return -1;
	s.cs = lm ? flat(X86_SEL_CS64, 0xb, true) : flat(X86_SEL_CS32, 0xb, false);
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.tr = (struct kvm_segment){ .selector = X86_SEL_TSS, .limit = 0x67, .type = 0xb,
				     .present = 1 };
	s.gdt.base = e->x86.gdt;
	s.gdt.limit = e->x86.gdt_limit;
	s.cr0 = CR0_PE | CR0_ET;
	s.cr4 = 0;
	s.efer = 0;
	if (lm) {
		s.cr0 |= CR0_MP | CR0_NE | CR0_WP | CR0_PG;
		s.cr3 = e->x86.cr3;
		s.cr4 = CR4_PAE;
		s.efer = EFER_LME | EFER_LMA;
		r.rsi = e->arg;        /* Linux: boot_params */
	} else {
		r.rbx = e->arg;        /* PVH: hvm_start_info */
	}
	if (vcpu_ioctl(v, KVM_SET_SREGS, &s, "KVM_SET_SREGS") < 0 ||
	    vcpu_ioctl(v, KVM_SET_REGS, &r, "KVM_SET_REGS") < 0)
		return -1;
	return vcpu_ioctl(v, KVM_SET_FPU, &fpu, "KVM_SET_FPU");
}

int arch__vcpu_init(struct vcpu *v)
{
	if (set_cpuid(v) < 0)
		return -1;
	/* A TEE that owns the registers starts the vCPU itself. */
	if (v->vm->tee->protected_regs)
		return 0;
	if (set_msrs(v) < 0)
		return -1;
	/* Firmware starts from the power-on state and programs the LAPIC
	 * itself (OVMF's virtual-wire set-up); a direct boot gets what
	 * firmware would have left.  The APs wait in the in-kernel LAPIC for
	 * the guest's INIT-SIPI. */
	if (v->vm->plan.entry.mode == PLAN_ENTRY_NONE)
		return 0;
	if (set_lapic(v) < 0)
		return -1;
	return v->id == 0 ? set_entry_regs(v) : 0;
}

void arch__vcpu_where(struct vcpu *v, char *buf, size_t len)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_translation t;
	uint8_t code[15];
	size_t n, off;

	if (sys__ioctl(v->fd, KVM_GET_REGS, &r) < 0 || sys__ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		snprintf(buf, len, "(registers unavailable)");
		return;
	}
	t = (struct kvm_translation){ .linear_address = s.cs.base + r.rip };
	off = snprintf(buf, len, "RIP %#llx", (unsigned long long)r.rip);
	if (sys__ioctl(v->fd, KVM_TRANSLATE, &t) < 0 || !t.valid)
		return;
	/* At most 15 bytes (the longest instruction), never past the page. */
	n = 4096 - (t.physical_address & 4095);
	n = n < sizeof(code) ? n : sizeof(code);
	if (guest__read(&v->vm->mem, t.physical_address, code, n) < 0)
		return;
	off += snprintf(buf + off, off < len ? len - off : 0, " (gpa %#llx), code",
			(unsigned long long)t.physical_address);
	for (size_t i = 0; i < n && off < len; i++)
		off += snprintf(buf + off, len - off, " %02x", code[i]);
}

/* The fake kernel's x86: the default and software-protected VM types
 * (KERNEL-RULES.md sections 2.1 and 3), the in-kernel irqchip, PIT and GSI
 * routes, vCPU register state, and the host the tests assume by default
 * (KVM-UAPI.md section 7).  SEV and TDX types live in their own files and
 * pass what is not theirs to the x86 handlers here. */
#include <errno.h>
#include <string.h>

#include "arch/x86/kvm-abi.h"
#include "tests/unit/fake/fake.h"

#define MAX_MSRS	255	/* KVM refuses nmsrs >= MAX_IO_MSRS (256) */
#define MAX_ROUTES	4096	/* KVM_MAX_IRQ_ROUTES */
#define MAX_RESERVED_PINS 48	/* MAX_NR_RESERVED_IOAPIC_PINS */

#define CR0_PE	0x1ull
#define CR0_NW	0x20000000ull
#define CR0_CD	0x40000000ull
#define CR0_PG	0x80000000ull
#define CR4_PAE	0x20ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

/* This project's target host (KVM-UAPI.md section 7). */
const struct fake_cap fake_x86_caps[] = {
	{ KVM_CAP_IRQCHIP, 1 },             { KVM_CAP_USER_MEMORY, 1 },
	{ KVM_CAP_SET_TSS_ADDR, 1 },        { KVM_CAP_EXT_CPUID, 1 },
	{ KVM_CAP_PIT2, 1 },                { KVM_CAP_SET_IDENTITY_MAP_ADDR, 1 },
	{ KVM_CAP_IMMEDIATE_EXIT, 1 },      { KVM_CAP_NR_VCPUS, 2 },
	{ KVM_CAP_MAX_VCPUS, 288 },         { KVM_CAP_EXIT_HYPERCALL, 1 << KVM_HC_MAP_GPA_RANGE },
	{ KVM_CAP_SYS_ATTRIBUTES, 1 },      { KVM_CAP_USER_MEMORY2, 1 },
	{ KVM_CAP_MEMORY_FAULT_INFO, 1 },   { KVM_CAP_MEMORY_ATTRIBUTES, 0 },
	{ KVM_CAP_GUEST_MEMFD, 1 },         { KVM_CAP_VM_TYPES, 1 << KVM_X86_DEFAULT_VM },
	{ KVM_CAP_PRE_FAULT_MEMORY, 0 },    { KVM_CAP_X86_APIC_BUS_CYCLES_NS, 1 },
	{ KVM_CAP_GUEST_MEMFD_FLAGS, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED },
	{ KVM_CAP_SPLIT_IRQCHIP, 1 },
};
const unsigned fake_x86_ncaps = sizeof(fake_x86_caps) / sizeof(fake_x86_caps[0]);

#define SIGNIFICANT KVM_CPUID_FLAG_SIGNIFCANT_INDEX

/* An Intel host, trimmed: vendor, features, caches, topology sub-leaf 0
 * only (the VMM adds sub-leaf 1), XSAVE, KVM's own leaves, extended leaves. */
const struct kvm_cpuid_entry2 fake_x86_cpuid[] = {
	{ .function = 0, .eax = 0xd, .ebx = 0x756e6547, .ecx = 0x6c65746e, .edx = 0x49656e69 },
	{ .function = 1, .eax = 0x000906ea, .ebx = 0x00000800, .ecx = 0xf7fa3223,
	  .edx = 0x0f8bfbff },
	{ .function = 4, .index = 0, .flags = SIGNIFICANT, .eax = 0x121, .ebx = 0x1c0003f,
	  .ecx = 0x3f },
	{ .function = 4, .index = 1, .flags = SIGNIFICANT, .eax = 0x122, .ebx = 0x1c0003f,
	  .ecx = 0x3f },
	{ .function = 4, .index = 2, .flags = SIGNIFICANT, .eax = 0x143, .ebx = 0x3c0003f,
	  .ecx = 0x3ff },
	{ .function = 4, .index = 3, .flags = SIGNIFICANT, .eax = 0x163, .ebx = 0x3c0003f,
	  .ecx = 0x2fff },
	{ .function = 7, .index = 0, .flags = SIGNIFICANT, .ebx = 0x029c67af, .edx = 0xbc000400 },
	{ .function = 0xb, .index = 0, .flags = SIGNIFICANT, .eax = 1, .ebx = 1, .ecx = 0x100 },
	{ .function = 0xd, .index = 0, .flags = SIGNIFICANT, .eax = 0x7, .ebx = 0x340,
	  .ecx = 0x340 },
	{ .function = 0xd, .index = 1, .flags = SIGNIFICANT, .eax = 0xf },
	{ .function = 0x40000000, .eax = 0x40000001, .ebx = 0x4b4d564b, .ecx = 0x564b4d56,
	  .edx = 0x4d },
	{ .function = 0x40000001, .eax = 0x01007afb },
	{ .function = 0x80000000, .eax = 0x80000008 },
	{ .function = 0x80000001, .ecx = 0x121, .edx = 0x2c100800 },
	{ .function = 0x80000008, .eax = 0x3027 },
};
const unsigned fake_x86_ncpuid = sizeof(fake_x86_cpuid) / sizeof(fake_x86_cpuid[0]);

static long get_supported_cpuid(struct kvm_cpuid2 *c)
{
	if (c->nent < fake.ncpuid)
		return -E2BIG;
	memcpy(c->entries, fake.cpuid, fake.ncpuid * sizeof(fake.cpuid[0]));
	c->nent = fake.ncpuid;
	return 0;
}

void fake_arch__reset(void)
{
	memcpy(fake.caps, fake_x86_caps, fake_x86_ncaps * sizeof(fake_x86_caps[0]));
	fake.ncaps = fake_x86_ncaps;
	memcpy(fake.cpuid, fake_x86_cpuid, fake_x86_ncpuid * sizeof(fake_x86_cpuid[0]));
	fake.ncpuid = fake_x86_ncpuid;
}

void fake__set_supported_cpuid(const struct kvm_cpuid_entry2 *e, unsigned n)
{
	if (n > MAX_CPUID)
		fake__die("%u CPUID entries, KVM has at most %d", n, MAX_CPUID);
	memcpy(fake.cpuid, e, n * sizeof(*e));
	fake.ncpuid = n;
}

static const struct fake_vm_type *const types[] = {
	&fake_x86_default,
	&fake_x86_sw_protected,
	&fake_x86_tdx,
	&fake_sev_vm,
	&fake_sev_es_vm,
	&fake_snp_vm,
};

/* x86 types are numbers, offered as KVM_CAP_VM_TYPES bits. */
const struct fake_vm_type *fake_vm__type(unsigned long type)
{
	uint64_t offered = fake__cap(KVM_CAP_VM_TYPES);

	if (!offered)
		offered = 1ull << KVM_X86_DEFAULT_VM;
	if (type >= 32 || !(offered & (1ull << type)))
		return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i]->type == type)
			return types[i];
	return NULL;
}

enum fake_kind fake_arch__open(const char *path)
{
	return fake_sev__is_dev(path) ? FAKE_SEV : FAKE_REAL;
}

/* x86's variable-length structs, by their count; SEV and TDX commands. */
size_t fake_arch__arg_len(unsigned long req, const void *arg, long ret)
{
	if (ret >= 0 && (req == KVM_SET_CPUID2 || req == KVM_GET_SUPPORTED_CPUID))
		return sizeof(struct kvm_cpuid2) +
		       ((const struct kvm_cpuid2 *)arg)->nent * sizeof(struct kvm_cpuid_entry2);
	if (ret >= 0 && req == KVM_SET_GSI_ROUTING)
		return sizeof(struct kvm_irq_routing) + ((const struct kvm_irq_routing *)arg)->nr *
		       sizeof(struct kvm_irq_routing_entry);
	if (req == KVM_MEMORY_ENCRYPT_OP)       /* a command; kvm_sev_cmd is as long */
		return sizeof(struct kvm_tdx_cmd);
	if (ret >= 0 && req == KVM_SET_MSRS)
		return sizeof(struct kvm_msrs) +
		       ((const struct kvm_msrs *)arg)->nmsrs * sizeof(struct kvm_msr_entry);
	return 0;
}

long fake_arch__kvm_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case KVM_GET_SUPPORTED_CPUID:
		return get_supported_cpuid(arg);
	case KVM_GET_DEVICE_ATTR:
		return fake_sev__dev_attr(arg);
	default:
		return -EINVAL;
	}
}

/* Power-on state (the LINT0-reenabled quirk off: every LVT masked, so what
 * the VMM programs is what a test sees). */
void fake_x86__reset_vcpu(struct fake_vcpu *v, unsigned id)
{
	static const struct kvm_segment data = { .limit = 0xffff, .type = 3, .present = 1, .s = 1 };
	uint32_t lvt = 0x10000, ver = 0x50014, apic_id = id << 24;

	memset(&v->regs, 0, sizeof(v->regs));
	memset(&v->sregs, 0, sizeof(v->sregs));
	memset(&v->fpu, 0, sizeof(v->fpu));
	memset(&v->lapic, 0, sizeof(v->lapic));
	v->regs.rip = 0xfff0;
	v->regs.rflags = 2;
	v->regs.rdx = 0x600;
	v->sregs.cs = (struct kvm_segment){ .base = 0xffff0000, .limit = 0xffff,
					    .selector = 0xf000, .type = 0xb, .present = 1, .s = 1 };
	v->sregs.ds = v->sregs.es = v->sregs.fs = v->sregs.gs = v->sregs.ss = data;
	v->sregs.cr0 = 0x60000010;
	v->fpu.fcw = 0x40;
	v->fpu.mxcsr = 0x1f80;
	memcpy(&v->lapic.regs[0x20], &apic_id, 4);
	memcpy(&v->lapic.regs[0x30], &ver, 4);
	for (int reg = 0x320; reg <= 0x370; reg += 0x10)
		memcpy(&v->lapic.regs[reg], &lvt, 4);
	v->has_xlate = false;
}

/* kvm_set_irq_routing(): in-kernel irqchip pins only (PIC 0-7, IOAPIC
 * 0-23), no flags, and a GSI on at most one pin of each chip. */
static long set_gsi_routing(const struct obj *vm, const struct kvm_irq_routing *r)
{
	static const unsigned pins[] = { [KVM_IRQCHIP_PIC_MASTER] = 8, [KVM_IRQCHIP_PIC_SLAVE] = 8,
					 [KVM_IRQCHIP_IOAPIC] = 24 };

	if (!vm->irqchip || r->flags || r->nr > MAX_ROUTES)
		return -EINVAL;
	for (uint32_t i = 0; i < r->nr; i++) {
		const struct kvm_irq_routing_entry *e = &r->entries[i];

		if (e->flags || e->gsi >= MAX_ROUTES || e->type != KVM_IRQ_ROUTING_IRQCHIP ||
		    e->u.irqchip.irqchip > KVM_IRQCHIP_IOAPIC ||
		    e->u.irqchip.pin >= pins[e->u.irqchip.irqchip])
			return -EINVAL;
		for (uint32_t j = 0; j < i; j++)
			if (r->entries[j].gsi == e->gsi &&
			    r->entries[j].u.irqchip.irqchip == e->u.irqchip.irqchip)
				return -EINVAL;
	}
	return 0;
}

/* kvm_vm_ioctl_enable_cap(), the x86 caps the VMM enables. */
static long enable_cap(struct obj *vm, const struct kvm_enable_cap *c)
{
	switch (c->cap) {
	case KVM_CAP_SPLIT_IRQCHIP:
		if (c->args[0] > MAX_RESERVED_PINS)
			return -EINVAL;
		if (vm->irqchip || vm->split_irqchip || vm->nvcpus)
			return -EEXIST;
		vm->split_irqchip = true;
		return 0;
	case KVM_CAP_X86_APIC_BUS_CYCLES_NS:
		if (!vm->irqchip && !vm->split_irqchip)
			return -ENXIO;
		return !c->args[0] || vm->nvcpus ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

long fake_x86__vm_ioctl(struct obj *vm, unsigned long req, void *arg)
{
	switch (req) {
	case KVM_ENABLE_CAP:
		return enable_cap(vm, arg);
	case KVM_SET_TSS_ADDR:
		return 0;
	case KVM_SET_IDENTITY_MAP_ADDR:
		return vm->nvcpus ? -EEXIST : 0;
	case KVM_CREATE_IRQCHIP:
		if (vm->irqchip || vm->split_irqchip)
			return -EEXIST;
		if (vm->nvcpus || !fake__cap(KVM_CAP_IRQCHIP))
			return -EINVAL;
		vm->irqchip = true;
		return 0;
	case KVM_CREATE_PIT2:
		if (vm->pit)
			return -EEXIST;
		vm->pit = true;
		return 0;
	case KVM_IRQ_LINE:
		return vm->irqchip || vm->split_irqchip ? 0 : -ENXIO;
	case KVM_SIGNAL_MSI:
		if ((!vm->irqchip && !vm->split_irqchip) || ((struct kvm_msi *)arg)->flags)
			return -EINVAL;
		return 1;               /* delivered to one vCPU */
	case KVM_SET_GSI_ROUTING:
		return set_gsi_routing(vm, arg);
	default:
		return -ENOIOCTLCMD;
	}
}

/* kvm_is_valid_sregs(): the mode bits must agree. */
static bool valid_sregs(const struct kvm_sregs *s)
{
	if ((s->efer & EFER_LME) && (s->cr0 & CR0_PG)) {
		if (!(s->cr4 & CR4_PAE) || !(s->efer & EFER_LMA))
			return false;
	} else if ((s->efer & EFER_LMA) || s->cs.l) {
		return false;
	}
	return !(s->cr0 >> 32) && !((s->cr0 & CR0_NW) && !(s->cr0 & CR0_CD)) &&
	       !((s->cr0 & CR0_PG) && !(s->cr0 & CR0_PE));
}

static long translate(struct fake_vcpu *v, struct kvm_translation *t)
{
	uint64_t linear = t->linear_address;

	if (v->has_xlate)
		*t = v->xlate;
	else
		*t = (struct kvm_translation){ .physical_address = linear, .valid = 1,
					       .writeable = 1 };
	t->linear_address = linear;
	return 0;
}

long fake_x86__vcpu_ioctl(struct obj *o, unsigned long req, void *arg)
{
	struct fake_vcpu *v = &fake.vcpus[o->id];

	switch (req) {
	case KVM_SET_CPUID2:
		return ((struct kvm_cpuid2 *)arg)->nent > MAX_CPUID ? -E2BIG : 0;
	case KVM_SET_MSRS:
		if (((struct kvm_msrs *)arg)->nmsrs > MAX_MSRS)
			return -E2BIG;
		return ((struct kvm_msrs *)arg)->nmsrs;
	case KVM_GET_REGS:
		memcpy(arg, &v->regs, sizeof(v->regs));
		return 0;
	case KVM_SET_REGS:
		memcpy(&v->regs, arg, sizeof(v->regs));
		return 0;
	case KVM_GET_SREGS:
		memcpy(arg, &v->sregs, sizeof(v->sregs));
		return 0;
	case KVM_SET_SREGS:
		if (!valid_sregs(arg))
			return -EINVAL;
		memcpy(&v->sregs, arg, sizeof(v->sregs));
		return 0;
	case KVM_GET_FPU:
		memcpy(arg, &v->fpu, sizeof(v->fpu));
		return 0;
	case KVM_SET_FPU:
		memcpy(&v->fpu, arg, sizeof(v->fpu));
		return 0;
	case KVM_GET_LAPIC:
		if (!o->vm->irqchip)
			return -EINVAL;
		memcpy(arg, &v->lapic, sizeof(v->lapic));
		return 0;
	case KVM_SET_LAPIC:
		if (!o->vm->irqchip)
			return -EINVAL;
		memcpy(&v->lapic, arg, sizeof(v->lapic));
		return 0;
	case KVM_TRANSLATE:
		return translate(v, arg);
	default:
		return -EINVAL;
	}
}

const struct fake_vm_type fake_x86_default = {
	.type = KVM_X86_DEFAULT_VM, .name = "default",
	.vm_ioctl = fake_x86__vm_ioctl, .vcpu_ioctl = fake_x86__vcpu_ioctl,
	.vcpu_reset = fake_x86__reset_vcpu,
};

/* A normal VM with private memory: no launch commands, registers stay
 * readable (KERNEL-RULES 3). */
const struct fake_vm_type fake_x86_sw_protected = {
	.type = KVM_X86_SW_PROTECTED_VM, .name = "sw-protected", .private_mem = true,
	.vm_ioctl = fake_x86__vm_ioctl, .vcpu_ioctl = fake_x86__vcpu_ioctl,
	.vcpu_reset = fake_x86__reset_vcpu,
};

void fake__host_sw_protected(void)
{
	fake__set_cap(KVM_CAP_VM_TYPES, 1 << KVM_X86_DEFAULT_VM | 1 << KVM_X86_SW_PROTECTED_VM);
	fake__set_cap(KVM_CAP_MEMORY_ATTRIBUTES, KVM_MEMORY_ATTRIBUTE_PRIVATE);
}

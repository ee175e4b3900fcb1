/* The fake kernel's arm64, as cvm-run drives it (KVM-UAPI.md section 4,
 * ARM64.md): VM types as flag bits above the IPA width, the in-kernel
 * vGICv3 device (addresses, then CTRL_INIT, after which no vCPU may be
 * added), vCPUs that run and take ONE_REG only after KVM_ARM_VCPU_INIT, their
 * core registers, and the host the arm64 tests assume: ARM64.md's 7.3
 * host, without pKVM (a protected VM type is refused) and without realms
 * until fake__host_realm(). */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "tests/unit/fake/fake.h"

#define IPA_DEFAULT     40              /* type bits 7:0 left 0 */
#define PSTATE_RESET    0x3c5ull        /* EL1h, DAIF masked */
#define GIC_ALIGN       0x10000ull      /* the vGICv3 frames are 64 KiB aligned */
#define REG_SCTLR       ARM64_SYS_REG(3, 0, 1, 0, 0)
#define CORE_REGS_END   offsetof(struct kvm_regs, fp_regs)
#define INIT_FEATURES   (1u << KVM_ARM_VCPU_POWER_OFF | 1u << KVM_ARM_VCPU_PSCI_0_2)

static const struct fake_cap host_caps[] = {
	{ KVM_CAP_USER_MEMORY, 1 },         { KVM_CAP_IMMEDIATE_EXIT, 1 },
	{ KVM_CAP_NR_VCPUS, 4 },            { KVM_CAP_MAX_VCPUS, 512 },
	{ KVM_CAP_USER_MEMORY2, 1 },        { KVM_CAP_GUEST_MEMFD, 1 },
	{ KVM_CAP_GUEST_MEMFD_FLAGS, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED },
	{ KVM_CAP_MEMORY_ATTRIBUTES, 0 },   { KVM_CAP_MEMORY_FAULT_INFO, 1 },
	{ KVM_CAP_ARM_VM_IPA_SIZE, 48 },    { KVM_CAP_ARM_PSCI_0_2, 1 },
	{ KVM_CAP_ARM_NISV_TO_USER, 1 },    { KVM_CAP_IRQCHIP, 1 },
	{ KVM_CAP_DEVICE_CTRL, 1 },
};

void fake_arch__reset(void)
{
	memcpy(fake.caps, host_caps, sizeof(host_caps));
	fake.ncaps = sizeof(host_caps) / sizeof(host_caps[0]);
	fake_realm__reset();
}

long fake_arch__kvm_ioctl(unsigned long req, void *arg)
{
	(void)req;
	(void)arg;
	return -EINVAL;
}

enum fake_kind fake_arch__open(const char *path)
{
	(void)path;
	return FAKE_REAL;
}

size_t fake_arch__arg_len(unsigned long req, const void *arg, long ret)
{
	(void)req;
	(void)arg;
	(void)ret;
	return 0;
}

/* kvm_init_ipa_range(): 32 up to the host's limit, 0 for the default. */
const struct fake_vm_type *fake_vm__type(unsigned long type)
{
	unsigned long ipa = type & KVM_VM_TYPE_ARM_IPA_SIZE_MASK;
	unsigned long flags = type & ~KVM_VM_TYPE_ARM_IPA_SIZE_MASK;

	if (ipa && (ipa < 32 || ipa > (unsigned long)fake__cap(KVM_CAP_ARM_VM_IPA_SIZE)))
		return NULL;
	if (!flags)
		return &fake_arm64_default;
	if (flags == KVM_VM_TYPE_ARM_REALM && fake__cap(KVM_CAP_ARM_RMI) > 0)
		return &fake_arm64_realm;
	return NULL;
}

unsigned fake_arm64__ipa_bits(const struct obj *vm)
{
	unsigned ipa = vm->vm_type & KVM_VM_TYPE_ARM_IPA_SIZE_MASK;

	return ipa ? ipa : IPA_DEFAULT;
}

void fake_arm64__reset_vcpu(struct fake_vcpu *v, unsigned id)
{
	(void)id;
	memset(&v->regs, 0, sizeof(v->regs));
	v->inited = false;
	v->features = 0;
}

/* kvm_vgic_create(): one vGICv3 a VM, a device fd the VMM configures. */
static long create_device(struct obj *vm, struct kvm_create_device *d)
{
	struct obj *o;
	long fd;

	if (d->type != KVM_DEV_TYPE_ARM_VGIC_V3)
		return -ENODEV;
	if (d->flags & KVM_CREATE_DEVICE_TEST)
		return 0;
	if (vm->irqchip)
		return -EEXIST;
	fd = fake__new_obj(FAKE_DEVICE, vm, 0, &o);
	if (fd < 0)
		return fd;
	vm->irqchip = true;
	d->fd = (uint32_t)fd;
	return 0;
}

long fake_arm64__vm_ioctl(struct obj *vm, unsigned long req, void *arg)
{
	struct kvm_vcpu_init *init = arg;
	const struct kvm_irq_level *l = arg;
	const struct kvm_enable_cap *c = arg;

	switch (req) {
	case KVM_ARM_PREFERRED_TARGET:
		memset(init, 0, sizeof(*init));
		init->target = KVM_ARM_TARGET_GENERIC_V8;
		return 0;
	case KVM_CREATE_DEVICE:
		return create_device(vm, arg);
	case KVM_IRQ_LINE:
		if (!(vm->gic & FAKE_GIC_INIT))
			return -ENXIO;
		return l->irq >> KVM_ARM_IRQ_TYPE_SHIFT == KVM_ARM_IRQ_TYPE_SPI &&
		       (l->irq & 0xffff) >= 32 ? 0 : -EINVAL;
	case KVM_ENABLE_CAP:
		return c->cap == KVM_CAP_ARM_NISV_TO_USER ? 0 : -EINVAL;
	default:
		return -ENOIOCTLCMD;
	}
}

/* The vGICv3's addresses (64 KiB aligned, once each, before init), then
 * CTRL_INIT, which needs both. */
long fake_arm64__device_ioctl(struct obj *dev, unsigned long req, void *arg)
{
	const struct kvm_device_attr *a = arg;
	struct obj *vm = dev->vm;
	unsigned bit;

	if (req != KVM_SET_DEVICE_ATTR)
		return -ENXIO;
	if (a->flags)
		return -EINVAL;
	if (a->group == KVM_DEV_ARM_VGIC_GRP_CTRL && a->attr == KVM_DEV_ARM_VGIC_CTRL_INIT) {
		if ((vm->gic & (FAKE_GIC_DIST | FAKE_GIC_REDIST)) != (FAKE_GIC_DIST | FAKE_GIC_REDIST))
			return -ENXIO;
		vm->gic |= FAKE_GIC_INIT;
		return 0;
	}
	if (a->group != KVM_DEV_ARM_VGIC_GRP_ADDR ||
	    (a->attr != KVM_VGIC_V3_ADDR_TYPE_DIST && a->attr != KVM_VGIC_V3_ADDR_TYPE_REDIST))
		return -ENXIO;
	bit = a->attr == KVM_VGIC_V3_ADDR_TYPE_DIST ? FAKE_GIC_DIST : FAKE_GIC_REDIST;
	if (vm->gic & FAKE_GIC_INIT)
		return -EBUSY;
	if (vm->gic & bit)
		return -EEXIST;
	if (*(const uint64_t *)(uintptr_t)a->addr % GIC_ALIGN)
		return -EINVAL;
	vm->gic |= bit;
	return 0;
}

/* kvm_vcpu_set_target(): the generic target, the features the fake knows,
 * and the same features on a second call. */
static long vcpu_init(struct fake_vcpu *v, const struct kvm_vcpu_init *init)
{
	if (init->target != KVM_ARM_TARGET_GENERIC_V8 || init->features[0] & ~INIT_FEATURES)
		return -EINVAL;
	for (int i = 1; i < 7; i++)
		if (init->features[i])
			return -EINVAL;
	if (v->inited && v->features != init->features[0])
		return -EINVAL;
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.regs.pstate = PSTATE_RESET;
	v->inited = true;
	v->features = init->features[0];
	return 0;
}

/* Core registers by their 32-bit-word offset in struct kvm_regs (64-bit
 * ones only: the VMM sets PC and x0); SCTLR_EL1 reads 0, the MMU off. */
static long one_reg(struct fake_vcpu *v, const struct kvm_one_reg *r, bool set)
{
	uint64_t *val = (uint64_t *)(uintptr_t)r->addr;
	uint64_t off = (r->id & 0xffff) * sizeof(uint32_t);

	if (!v->inited)
		return -ENOEXEC;
	if ((r->id & KVM_REG_ARCH_MASK) != KVM_REG_ARM64)
		return -EINVAL;
	if (r->id == REG_SCTLR && !set) {
		*val = 0;
		return 0;
	}
	if ((r->id & KVM_REG_ARM_COPROC_MASK) != KVM_REG_ARM_CORE)
		return -ENOENT;
	if ((r->id & KVM_REG_SIZE_MASK) != KVM_REG_SIZE_U64 || off % 8 || off >= CORE_REGS_END)
		return -EINVAL;
	if (set)
		memcpy((uint8_t *)&v->regs + off, val, 8);
	else
		memcpy(val, (uint8_t *)&v->regs + off, 8);
	return 0;
}

long fake_arm64__vcpu_ioctl(struct obj *o, unsigned long req, void *arg)
{
	struct fake_vcpu *v = &fake.vcpus[o->id];

	switch (req) {
	case KVM_ARM_VCPU_INIT:
		return vcpu_init(v, arg);
	case KVM_SET_ONE_REG:
		return one_reg(v, arg, true);
	case KVM_GET_ONE_REG:
		return one_reg(v, arg, false);
	default:
		return -EINVAL;
	}
}

/* kvm_arch_vcpu_create(): the vGIC, once initialized, sizes no more. */
long fake_arm64__create_vcpu(struct obj *vm, unsigned long id)
{
	(void)id;
	return vm->gic & FAKE_GIC_INIT ? -EBUSY : 0;
}

bool fake_arm64__run(struct obj *vcpu, struct fake_vcpu *v, long *ret)
{
	(void)vcpu;
	if (v->inited)
		return false;
	*ret = -ENOEXEC;
	return true;
}

const struct fake_vm_type fake_arm64_default = {
	.type = 0, .name = "default",
	.vm_ioctl = fake_arm64__vm_ioctl, .vcpu_ioctl = fake_arm64__vcpu_ioctl,
	.device_ioctl = fake_arm64__device_ioctl, .vcpu_reset = fake_arm64__reset_vcpu,
	.create_vcpu = fake_arm64__create_vcpu, .run = fake_arm64__run,
};

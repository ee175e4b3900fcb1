/* The fake kernel's Arm CCA realms (VM type 1 << 30) and the fake RMM
 * behind them (fake-arm64.h).  KERNEL-RULES has no realm section: the rules
 * here follow ARM64.md's v14 call order and the series' rmi.c; where
 * neither says, the fake decided, and says so ("decided").  The RIM is
 * computed here from the bytes each populate call reads at its source, in
 * this file's own code (RMM spec descriptors, SHA-256), never measure/'s. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fake/fake-arm64.h"
#include "tests/unit/fake/fake.h"

#define GRANULE         4096ull
#define RMI_FLAG_LPA2   (1ull << 0)
#define LPA2_IPA_BITS   52

enum realm_state { REALM_NONE, REALM_NEW, REALM_ACTIVE, REALM_DEAD };

/* RmmMeasurementDescriptor{Data,Rec}: 256 bytes, little-endian. */
struct desc {
	uint64_t type;          /* 0 DATA, 1 REC */
	uint64_t len;           /* 0x100 */
	uint8_t rim[64];
	union {
		struct { uint64_t ipa, flags; uint8_t content[64]; } data;
		struct { uint8_t content[64]; } rec;
	} u;
	uint8_t pad[256 - 80 - 80];
} __attribute__((packed));

_Static_assert(sizeof(struct desc) == 256, "measurement descriptor");

struct realm {
	enum realm_state state;
	struct fake_realm pub;
	size_t cap;
	uint64_t *populated;            /* granules DATA_CREATE mapped */
	size_t npopulated, popcap;
	unsigned calls;                 /* KVM_ARM_RMI_POPULATE calls so far */
};

/* The test's settings (fake-arm64.h). */
static struct {
	unsigned chunk;
	long stall;                     /* -1: none */
	uint64_t fail_ipa;
	int fail_err;                   /* 0: none */
	bool lpa2;
} cfg;

void fake_realm__reset(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.stall = -1;
}

void fake__host_realm(void)
{
	fake_realm__reset();
	fake__set_cap(KVM_CAP_ARM_RMI, 1);
	fake__set_cap(KVM_CAP_MEMORY_ATTRIBUTES, KVM_MEMORY_ATTRIBUTE_PRIVATE);
	fake__set_cap(KVM_CAP_ARM_VM_IPA_SIZE, 48);
}

void fake_realm__host_lpa2(bool on)
{
	cfg.lpa2 = on;
	fake__set_cap(KVM_CAP_ARM_VM_IPA_SIZE, on ? LPA2_IPA_BITS : 48);
}

void fake_realm__populate_chunk(unsigned granules)
{
	cfg.chunk = granules;
}

void fake_realm__populate_stall(unsigned nth)
{
	cfg.stall = nth;
}

void fake_realm__populate_fails(uint64_t ipa, int err)
{
	cfg.fail_ipa = ipa;
	cfg.fail_err = err;
}

const struct fake_realm *fake_realm__get(void)
{
	for (unsigned i = fake.nobjs; i-- > 0;)
		if (fake.objs[i].kind == FAKE_VM && fake.objs[i].type == &fake_arm64_realm)
			return &((struct realm *)fake.objs[i].priv)->pub;
	return NULL;
}

static struct realm *realm_of(const struct obj *vm)
{
	return vm->priv;
}

static void log_call(struct realm *r, const struct fake_rmi_call *c)
{
	struct fake_realm *p = &r->pub;

	if (p->ncalls == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		p->calls = realloc(p->calls, r->cap * sizeof(*p->calls));
		if (!p->calls)
			fake__die("out of memory");
	}
	p->calls[p->ncalls++] = *c;
}

static void sha256(const void *buf, size_t len, uint8_t out[32])
{
	if (!EVP_Digest(buf, len, out, NULL, EVP_sha256(), NULL))
		fake__die("SHA-256 unavailable");
}

/* RIM = H(descriptor carrying the RIM so far). */
static void extend(struct realm *r, struct desc *d, uint64_t type)
{
	d->type = type;
	d->len = sizeof(*d);
	memcpy(d->rim, r->pub.rim, sizeof(r->pub.rim));
	sha256(d, sizeof(*d), r->pub.rim);
}

/* RMI_REALM_CREATE with the RmiRealmParams v14 KVM fills: s2sz from the VM
 * type, LPA2 from the host, algorithm 0 (SHA-256), everything else 0. */
static void realm_create(struct obj *vm, struct realm *r)
{
	uint8_t params[GRANULE] = { 0 };

	r->pub.s2sz = fake_arm64__ipa_bits(vm);
	r->pub.flags0 = cfg.lpa2 ? RMI_FLAG_LPA2 : 0;
	memcpy(params, &r->pub.flags0, 8);
	params[0x08] = (uint8_t)r->pub.s2sz;
	sha256(params, sizeof(params), r->pub.rim);
	r->pub.created = true;
	r->state = REALM_NEW;
	log_call(r, &(struct fake_rmi_call){ .op = FAKE_RMI_REALM_CREATE });
}

/* realm_ensure_created(): a realm being created, or made now. */
static long ensure_created(struct obj *vm, struct realm *r)
{
	switch (r->state) {
	case REALM_NONE:
		realm_create(vm, r);
		return 0;
	case REALM_NEW:
		return 0;
	case REALM_DEAD:
		return -ENXIO;
	default:
		return -EBUSY;          /* active: populate is for before the first run */
	}
}

static bool populated(const struct realm *r, uint64_t ipa)
{
	for (size_t i = 0; i < r->npopulated; i++)
		if (r->populated[i] == ipa)
			return true;
	return false;
}

/* RMI_DATA_CREATE of one granule from SRC: the checks of kvm_gmem_populate
 * (a guest_memfd slot, the private attribute), then the RMM's (a granule
 * not yet mapped: RMI_ERROR_RTT, which KVM turns into -ENXIO, decided). */
static long data_create(struct obj *vm, struct realm *r, uint64_t ipa, const uint8_t *src,
			bool measure)
{
	const struct kvm_userspace_memory_region2 *s = fake_vm__slot(vm, ipa);
	struct obj *gmem = s && (s->flags & KVM_MEM_GUEST_MEMFD) ? fake__obj(s->guest_memfd) : NULL;
	struct desc d = { 0 };

	if (!gmem || !(fake_vm__attributes(vm, ipa) & KVM_MEMORY_ATTRIBUTE_PRIVATE))
		return -EINVAL;
	if (cfg.fail_err && ipa == cfg.fail_ipa)
		return -cfg.fail_err;
	if (populated(r, ipa))
		return -ENXIO;
	if (r->npopulated == r->popcap) {
		r->popcap = r->popcap ? 2 * r->popcap : 64;
		r->populated = realloc(r->populated, r->popcap * sizeof(*r->populated));
		if (!r->populated)
			fake__die("out of memory");
	}
	r->populated[r->npopulated++] = ipa;
	memcpy(gmem->view + s->guest_memfd_offset + (ipa - s->guest_phys_addr), src, GRANULE);
	d.u.data.ipa = ipa;
	d.u.data.flags = measure;
	if (measure)
		sha256(src, GRANULE, d.u.data.content);
	extend(r, &d, 0);
	log_call(r, &(struct fake_rmi_call){ .op = FAKE_RMI_DATA_CREATE, .ipa = ipa,
					     .measured = measure });
	return 0;
}

/* kvm_arm_rmi_populate(): the arguments, the realm, then kvm_gmem_populate
 * granule by granule, which returns what it did if it did anything. */
static long populate(struct obj *vm, struct kvm_arm_rmi_populate *a)
{
	struct realm *r = realm_of(vm);
	uint64_t n, done = 0;
	long ret;

	if (a->reserved || (a->flags & ~KVM_ARM_RMI_POPULATE_FLAGS_MEASURE) ||
	    (a->base | a->size | a->source_uaddr) % GRANULE || a->base + a->size < a->base)
		return -EINVAL;
	if ((ret = ensure_created(vm, r)) < 0)
		return ret;
	if (cfg.stall >= 0 && r->calls++ == (unsigned long)cfg.stall) {
		r->pub.populates++;
		return 0;
	}
	n = a->size / GRANULE;
	if (cfg.chunk && n > cfg.chunk)
		n = cfg.chunk;
	for (; done < n; done++) {
		ret = data_create(vm, r, a->base + done * GRANULE,
				  (const uint8_t *)(uintptr_t)(a->source_uaddr + done * GRANULE),
				  a->flags & KVM_ARM_RMI_POPULATE_FLAGS_MEASURE);
		if (ret < 0 && !done)
			return ret;
		if (ret < 0)
			break;
	}
	a->base += done * GRANULE;
	a->size -= done * GRANULE;
	a->source_uaddr += done * GRANULE;
	r->pub.populates++;
	return 0;
}

/* RMI_REC_CREATE from the vCPU's registers; only vCPU 0 is runnable. */
static long rec_create(struct realm *r, const struct obj *vcpu)
{
	const struct fake_vcpu *v = &fake.vcpus[vcpu->id];
	uint8_t params[GRANULE] = { 0 };
	uint64_t flags = vcpu->id == 0;
	struct desc d = { 0 };

	if (!(v->features & (1u << KVM_ARM_VCPU_PSCI_0_2)))
		return -EINVAL;         /* kvm_create_rec() */
	if (flags) {
		memcpy(params, &flags, 8);
		memcpy(params + 0x200, &v->regs.regs.pc, 8);
		memcpy(params + 0x300, v->regs.regs.regs, 8 * 8);
		sha256(params, sizeof(params), d.u.rec.content);
		extend(r, &d, 1);
	}
	log_call(r, &(struct fake_rmi_call){ .op = FAKE_RMI_REC_CREATE, .vcpu = vcpu->id,
					     .measured = flags, .pc = v->regs.regs.pc,
					     .x0 = v->regs.regs.regs[0] });
	return 0;
}

/* kvm_activate_realm(), on the first KVM_RUN of any vCPU: an in-kernel
 * vGIC (which the run then initializes), the realm, a REC per vCPU in
 * creation order, RIPAS RAM over each guest_memfd slot (RMM 2.0: not
 * measured), REALM_ACTIVATE.  A failure leaves the realm dead. */
static long activate(struct obj *vm, struct realm *r)
{
	long ret;

	if (!vm->irqchip)
		return -EOPNOTSUPP;
	if ((ret = ensure_created(vm, r)) < 0)
		return ret;
	r->state = REALM_DEAD;
	for (unsigned i = 0; i < fake.nobjs; i++)
		if (fake.objs[i].kind == FAKE_VCPU && fake.objs[i].vm == vm &&
		    (ret = rec_create(r, &fake.objs[i])) < 0)
			return ret;
	for (unsigned i = 0; i < MAX_SLOTS; i++) {
		const struct kvm_userspace_memory_region2 *s = &vm->slots[i];

		if (s->memory_size && (s->flags & KVM_MEM_GUEST_MEMFD))
			log_call(r, &(struct fake_rmi_call){ .op = FAKE_RMI_INIT_RIPAS,
							     .ipa = s->guest_phys_addr,
							     .top = s->guest_phys_addr +
								    s->memory_size });
	}
	vm->gic |= FAKE_GIC_INIT;
	r->state = REALM_ACTIVE;
	r->pub.active = true;
	log_call(r, &(struct fake_rmi_call){ .op = FAKE_RMI_REALM_ACTIVATE });
	return 0;
}

static bool realm_run(struct obj *vcpu, struct fake_vcpu *v, long *ret)
{
	struct realm *r = realm_of(vcpu->vm);

	if (fake_arm64__run(vcpu, v, ret))
		return true;
	if (r->state == REALM_ACTIVE)
		return false;
	*ret = r->state == REALM_DEAD ? -ENXIO : activate(vcpu->vm, r);
	return *ret < 0;
}

static long realm_vm_ioctl(struct obj *vm, unsigned long req, void *arg)
{
	if (req == KVM_ARM_RMI_POPULATE)
		return populate(vm, arg);
	return fake_arm64__vm_ioctl(vm, req, arg);
}

/* Decided: once the RECs exist their registers are the RMM's. */
static long realm_vcpu_ioctl(struct obj *vcpu, unsigned long req, void *arg)
{
	if (req == KVM_SET_ONE_REG && realm_of(vcpu->vm)->state == REALM_ACTIVE)
		return -EPERM;
	return fake_arm64__vcpu_ioctl(vcpu, req, arg);
}

/* Decided: no vCPU after activation (its REC could not be created). */
static long realm_create_vcpu(struct obj *vm, unsigned long id)
{
	if (realm_of(vm)->state == REALM_ACTIVE)
		return -EBUSY;
	return fake_arm64__create_vcpu(vm, id);
}

static void realm_init(struct obj *vm)
{
	vm->priv = calloc(1, sizeof(struct realm));
	if (!vm->priv)
		fake__die("out of memory");
}

static void realm_free(struct obj *vm)
{
	struct realm *r = realm_of(vm);

	free(r->pub.calls);
	free(r->populated);
	free(r);
	vm->priv = NULL;
}

const struct fake_vm_type fake_arm64_realm = {
	.type = KVM_VM_TYPE_ARM_REALM, .name = "realm",
	.private_mem = true, .protected_state = true,
	.vm_ioctl = realm_vm_ioctl, .vcpu_ioctl = realm_vcpu_ioctl,
	.device_ioctl = fake_arm64__device_ioctl, .vcpu_reset = fake_arm64__reset_vcpu,
	.vm_init = realm_init, .vm_free = realm_free, .create_vcpu = realm_create_vcpu,
	.run = realm_run,
};

/* The fake kernel's TDX VM type and the fake TDX module behind it: the
 * launch commands of KERNEL-RULES 6.0-6.7 with their checks in the 7.3
 * kernel's order, vCPU creation (6.3) and the register ioctls a TD refuses
 * (2.10).  The module keeps MRTD from what it is given, independently of
 * measure/: PAGE.ADD and MR.EXTEND records into a SHA-384 of its own.  The
 * running TD is fake-tdx-run.c's. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "tests/unit/fake/fake-tdx-int.h"

#define SEPT_VE_DISABLE	(1ull << 28)
#define XFAM_FIXED1	0x3ull		/* x87, SSE */
#define X2APIC		(1u << 21)
#define NO_CPUID	(~0u)

struct fake_tdx_host tdx_host;

/* The module's configurable CPUID: which bits of which leaves the host may
 * set (KVM reports 0x80000008 EAX[23:16] as 0xff and clears TSX/WAITPKG).
 * Ten leaves: more than a first guess of 8, so E2BIG is exercised. */
static const struct kvm_cpuid_entry2 configurable[] = {
	{ .function = 0x1, .eax = 0x0fff3fff, .ebx = 0xffff0000, .ecx = 0x31fe3ffb,
	  .edx = 0xb87fbbff },
	{ .function = 0x4, .index = 0, .eax = 0xffffc3ff },
	{ .function = 0x6, .eax = 0x4 },
	{ .function = 0x7, .index = 0, .ebx = 0xfffff7ef, .ecx = 0xffffffdf,
	  .edx = 0xfc1c5c10 },
	{ .function = 0x7, .index = 1, .eax = 0x00000030 },
	{ .function = 0xb, .index = 0, .eax = 0x1f, .ebx = 0xffff, .ecx = 0xff00 },
	{ .function = 0xd, .index = 0, .eax = 0x2e7 },
	{ .function = 0xd, .index = 1, .eax = 0xf },
	{ .function = 0x80000001, .ecx = 0x121, .edx = 0x2c100800 },
	{ .function = 0x80000008, .eax = 0x00ff00ff },
};
#define NCONFIG (sizeof(configurable) / sizeof(configurable[0]))

void fake__host_tdx(void)
{
	fake__set_cap(KVM_CAP_VM_TYPES, 1 << KVM_X86_DEFAULT_VM | 1 << KVM_X86_TDX_VM);
	fake__set_cap(KVM_CAP_MEMORY_ATTRIBUTES, KVM_MEMORY_ATTRIBUTE_PRIVATE);
	memset(&tdx_host, 0, sizeof(tdx_host));
	tdx_host.attrs = SEPT_VE_DISABLE;
	tdx_host.xfam = 0x2e7;
	tdx_host.signal_page = UINT64_MAX;
}

void fake_tdx__caps(uint64_t attrs, uint64_t xfam)
{
	tdx_host.attrs = attrs;
	tdx_host.xfam = xfam;
}

void fake_tdx__ept5(bool on)
{
	tdx_host.ept5 = on;
}

void fake_tdx__init_vm_fails(int err, uint64_t hw_error, unsigned times)
{
	tdx_host.init_err = err;
	tdx_host.init_hw = hw_error;
	tdx_host.init_fails = times;
}

void fake_tdx__finalize_fails(uint64_t hw_error)
{
	tdx_host.finalize_hw = hw_error;
}

void fake_tdx__signal_at_page(uint64_t page)
{
	tdx_host.signal_page = page;
}

const struct fake_tdx_td *fake_tdx__td(void)
{
	return tdx_host.last ? &tdx_host.last->pub : NULL;
}

/* ---- The VM's life ------------------------------------------------------- */

static void td_init(struct obj *vm)
{
	struct td *td = calloc(1, sizeof(*td));

	if (!td)
		fake__die("out of memory");
	vm->priv = td;
	tdx_host.last = td;
}

static void td_free(struct obj *vm)
{
	struct td *td = vm->priv;

	if (!td)
		return;
	EVP_MD_CTX_free(td->mrtd);
	free(td->added);
	if (tdx_host.last == td)
		tdx_host.last = NULL;
	free(td);
	vm->priv = NULL;
}

/* 6.3: vCPUs only between INIT_VM and FINALIZE, on a split irqchip. */
static long td_create_vcpu(struct obj *vm, unsigned long id)
{
	struct td *td = vm->priv;

	if (td->pub.state != TD_INITIALIZED)
		return -EIO;
	(void)id;
	return vm->split_irqchip ? 0 : -EINVAL;
}

/* ---- The module's MRTD ---------------------------------------------------- */

static void mrtd_record(struct td *td, const char *op, uint64_t gpa, const uint8_t *chunk)
{
	uint8_t r[128 + 256] = { 0 };

	memcpy(r, op, strlen(op));
	for (int i = 0; i < 8; i++)
		r[16 + i] = (uint8_t)(gpa >> (8 * i));
	if (chunk)
		memcpy(r + 128, chunk, 256);
	EVP_DigestUpdate(td->mrtd, r, chunk ? sizeof(r) : 128);
}

/* ---- VM-scope commands ---------------------------------------------------- */

/* 6.1: no lock, no state; E2BIG writes nothing, not even nent. */
static long capabilities(const struct kvm_tdx_cmd *c)
{
	struct kvm_tdx_capabilities *caps = (void *)(uintptr_t)c->data;

	if (c->flags)
		return -EINVAL;
	if (!caps)
		return -EFAULT;
	if (caps->cpuid.nent < NCONFIG)
		return -E2BIG;
	if (!tdx_host.attrs || !tdx_host.xfam)
		return -EIO;
	memset(caps, 0, sizeof(*caps));
	caps->supported_attrs = tdx_host.attrs;
	caps->supported_xfam = tdx_host.xfam;
	caps->user_tdvmcallinfo_1_r11 = 2;      /* SetupEventNotifyInterrupt */
	caps->cpuid.nent = NCONFIG;
	memcpy(caps->cpuid.entries, configurable, sizeof(configurable));
	return 0;
}

static const struct kvm_cpuid_entry2 *user_entry(const struct kvm_cpuid2 *c, uint32_t fn,
						 uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == index)
			return &c->entries[i];
	return NULL;
}

/* 6.2 steps 11-12: the GPA width, and every entry one configurable leaf. */
static long check_cpuid(struct td *td, const struct kvm_cpuid2 *c)
{
	const struct kvm_cpuid_entry2 *x = user_entry(c, 0x80000008, 0), *e;
	unsigned gpaw, matched = 0;

	if (!x)
		return -EINVAL;
	gpaw = (x->eax >> 16) & 0xff;
	if (gpaw != 48 && !(gpaw == 52 && tdx_host.ept5))
		return -EINVAL;
	for (size_t i = 0; i < NCONFIG; i++) {
		e = user_entry(c, configurable[i].function, configurable[i].index);
		if (!e)
			continue;
		if (e->function == 7 && e->index == 0 && ((e->ebx & 0x810) || (e->ecx & 0x20)))
			return -EINVAL;
		matched++;
	}
	if (matched != c->nent)
		return -EINVAL;
	td->pub.gpaw = gpaw;
	td->shared = 1ull << (gpaw - 1);
	return 0;
}

static long init_vm(struct obj *vm, struct td *td, struct kvm_tdx_cmd *c)
{
	const struct kvm_tdx_init_vm *iv = (const void *)(uintptr_t)c->data;
	long r;

	if (td->pub.state != TD_CREATED || c->flags)
		return -EINVAL;
	if (!iv)
		return -EFAULT;
	if (iv->cpuid.nent > 256)
		return -E2BIG;
	for (int i = 0; i < 12; i++)
		if (iv->reserved[i])
			return -EINVAL;
	if (iv->cpuid.padding)
		return -EINVAL;
	if (vm->nvcpus)
		return -EBUSY;
	if (iv->attributes & ~tdx_host.attrs || iv->xfam & ~tdx_host.xfam)
		return -EINVAL;
	r = check_cpuid(td, &iv->cpuid);
	if (r < 0)
		return r;
	if (tdx_host.init_fails) {
		tdx_host.init_fails--;
		c->hw_error = tdx_host.init_hw;
		return -tdx_host.init_err;
	}
	td->pub.attributes = iv->attributes;
	td->pub.xfam = iv->xfam | XFAM_FIXED1;
	memcpy(td->pub.mrconfigid, iv->mrconfigid, 48);
	memcpy(td->pub.mrowner, iv->mrowner, 48);
	memcpy(td->pub.mrownerconfig, iv->mrownerconfig, 48);
	td->ncpuid = iv->cpuid.nent;
	memcpy(td->cpuid, iv->cpuid.entries, iv->cpuid.nent * sizeof(td->cpuid[0]));
	td->mrtd = EVP_MD_CTX_new();
	if (!td->mrtd || !EVP_DigestInit_ex(td->mrtd, EVP_sha384(), NULL))
		fake__die("SHA-384 unavailable");
	td->pub.state = TD_INITIALIZED;
	return 0;
}

/* 6.7: hw_error is written back whatever happens. */
static long finalize(struct td *td, struct kvm_tdx_cmd *c)
{
	if (td->pub.state != TD_INITIALIZED)
		return -EINVAL;
	c->hw_error = tdx_host.finalize_hw;
	if (tdx_host.finalize_hw) {
		tdx_host.finalize_hw = 0;
		return c->hw_error == TDX_OPERAND_BUSY ? -EBUSY : -EIO;
	}
	EVP_DigestFinal_ex(td->mrtd, td->pub.mrtd, NULL);
	td->pub.state = TD_RUNNABLE;
	return 0;
}

static long vm_encrypt_op(struct obj *vm, struct kvm_tdx_cmd *c)
{
	struct td *td = vm->priv;

	if (c->id == KVM_TDX_CAPABILITIES)
		return c->hw_error ? -EINVAL : capabilities(c);
	if (c->hw_error)
		return -EINVAL;
	switch (c->id) {
	case KVM_TDX_INIT_VM:
		return init_vm(vm, td, c);
	case KVM_TDX_FINALIZE_VM:
		return finalize(td, c);
	default:
		return -EINVAL;
	}
}

static long td_vm_ioctl(struct obj *vm, unsigned long req, void *arg)
{
	struct td *td = vm->priv;
	long r;

	switch (req) {
	case KVM_MEMORY_ENCRYPT_OP:
		return vm_encrypt_op(vm, arg);
	case KVM_SIGNAL_MSI:
		r = fake_x86__vm_ioctl(vm, req, arg);
		if (r > 0) {
			const struct kvm_msi *m = arg;

			td->pub.msis++;
			td->pub.msi_vector = m->data & 0xff;
			td->pub.msi_dest = (m->address_lo >> 12 & 0xff) | (m->address_hi & ~0xffu);
			pthread_cond_broadcast(&tdx_msi);
		}
		return r;
	default:
		return fake_x86__vm_ioctl(vm, req, arg);
	}
}

/* ---- vCPU-scope commands -------------------------------------------------- */

/* 6.4: SET_CPUID2 must have given the vCPU x2APIC (ERRATA row 15). */
static long init_vcpu(struct obj *o, struct td *td, const struct kvm_tdx_cmd *c)
{
	struct td_vcpu *v = &td->vcpus[o->id];

	if (td->pub.state != TD_INITIALIZED || c->flags || v->init || !v->x2apic)
		return -EINVAL;
	v->init = true;
	td->pub.vcpu_init[o->id] = true;
	td->pub.vcpu_rcx[o->id] = c->data;
	return 0;
}

static bool added(const struct td *td, uint64_t gpa)
{
	for (unsigned i = 0; i < td->nadded; i++)
		if (gpa >= td->added[i].start && gpa < td->added[i].end)
			return true;
	return false;
}

static void mark_added(struct td *td, uint64_t gpa)
{
	if (td->nadded && td->added[td->nadded - 1].end == gpa) {
		td->added[td->nadded - 1].end += PAGE;
		return;
	}
	if (td->nadded % 64 == 0) {
		void *n = realloc(td->added, (td->nadded + 64) * sizeof(*td->added));

		if (!n)
			fake__die("out of memory");
		td->added = n;
	}
	td->added[td->nadded].start = gpa;
	td->added[td->nadded++].end = gpa + PAGE;
}

/* kvm_gmem_populate() and the TDX callback for one page (2.6, 6.6). */
static long add_page(struct obj *vm, struct td *td, uint64_t gpa, uint64_t src, bool measure)
{
	const struct kvm_userspace_memory_region2 *s = fake_vm__slot(vm, gpa);
	const struct obj *gmem;
	uint8_t page[PAGE];
	struct iovec local = { page, PAGE }, remote = { (void *)(uintptr_t)src, PAGE };

	if (!s || !(s->flags & KVM_MEM_GUEST_MEMFD))
		return -EINVAL;
	gmem = fake__obj(s->guest_memfd);
	if (!gmem)
		return -EFAULT;
	/* GUP of the source: a bad address faults here, not in the test. */
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)PAGE)
		return -EFAULT;
	if (!(fake_vm__attributes(vm, gpa) & KVM_MEMORY_ATTRIBUTE_PRIVATE))
		return -EINVAL;
	if (added(td, gpa))
		return -EIO;            /* the spurious-SPTE path */
	memcpy(gmem->view + s->guest_memfd_offset + (gpa - s->guest_phys_addr), page, PAGE);
	mrtd_record(td, "MEM.PAGE.ADD", gpa, NULL);
	if (measure)
		for (int k = 0; k < (int)(PAGE / 256); k++)
			mrtd_record(td, "MR.EXTEND", gpa + 256 * k, page + 256 * k);
	mark_added(td, gpa);
	td->pub.pages_added++;
	td->pub.pages_extended += measure;
	return 0;
}

static long init_mem_region(struct obj *o, struct td *td, const struct kvm_tdx_cmd *c)
{
	struct kvm_tdx_init_mem_region *r = (void *)(uintptr_t)c->data;
	struct fake_tdx_region *log = NULL;
	uint64_t last;
	long err = 0;

	if (td->pub.state != TD_INITIALIZED || !td->vcpus[o->id].init || c->flags & ~1u)
		return -EINVAL;
	if (!r)
		return -EFAULT;
	last = r->gpa + (r->nr_pages - 1) * PAGE;
	if (!r->source_addr || (r->source_addr | r->gpa) & (PAGE - 1) || !r->nr_pages ||
	    r->nr_pages > (UINT64_MAX - r->gpa) / PAGE || (r->gpa & td->shared) ||
	    (last & td->shared))
		return -EINVAL;
	if (td->pub.nregions < FAKE_TDX_MAX_REGIONS) {
		log = &td->pub.regions[td->pub.nregions++];
		*log = (struct fake_tdx_region){ o->id, r->gpa, r->nr_pages, c->flags & 1 };
	}
	while (r->nr_pages) {
		if (tdx_host.pages_seen == tdx_host.signal_page) {
			tdx_host.signal_page = UINT64_MAX;      /* one signal */
			err = -EINTR;
			break;
		}
		err = add_page(o->vm, td, r->gpa, r->source_addr, c->flags & 1);
		if (err)
			break;
		tdx_host.pages_seen++;
		r->source_addr += PAGE;
		r->gpa += PAGE;
		r->nr_pages--;
		if (log)
			log->pages_done++;
	}
	if (log)
		log->err = (int)-err;
	return err;
}

static long vcpu_encrypt_op(struct obj *o, struct kvm_tdx_cmd *c)
{
	struct td *td = o->vm->priv;

	if (c->hw_error)
		return -EINVAL;
	switch (c->id) {
	case KVM_TDX_INIT_VCPU:
		return init_vcpu(o, td, c);
	case KVM_TDX_INIT_MEM_REGION:
		return init_mem_region(o, td, c);
	default:
		return -EINVAL;
	}
}

/* 2.10: a TD's registers are the module's; KVM_SET_CPUID2 is what KVM
 * itself keeps (the x2APIC bit INIT_VCPU needs). */
static long td_vcpu_ioctl(struct obj *o, unsigned long req, void *arg)
{
	struct td *td = o->vm->priv;
	const struct kvm_cpuid2 *c = arg;
	const struct kvm_cpuid_entry2 *one;

	switch (req) {
	case KVM_MEMORY_ENCRYPT_OP:
		return vcpu_encrypt_op(o, arg);
	case KVM_SET_CPUID2:
		if (c->nent > MAX_CPUID)
			return -E2BIG;
		one = user_entry(c, 1, 0);
		td->vcpus[o->id].x2apic = one && (one->ecx & X2APIC);
		return 0;
	default:
		return -EINVAL;
	}
}

const struct fake_vm_type fake_x86_tdx = {
	.type = KVM_X86_TDX_VM, .name = "tdx", .private_mem = true, .protected_state = true,
	.vm_ioctl = td_vm_ioctl, .vcpu_ioctl = td_vcpu_ioctl,
	.vcpu_reset = fake_x86__reset_vcpu, .vm_init = td_init, .vm_free = td_free,
	.create_vcpu = td_create_vcpu, .run = fake_tdx__run,
};

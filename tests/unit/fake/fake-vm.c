/* The fake kernel's VM rules shared by every VM type (KERNEL-RULES.md
 * section 2): creation by type, VM-scoped capabilities, vCPUs,
 * guest_memfd, memslots, memory attributes and the hypercall-exit cap, in
 * the order the kernel checks them.  A type's own file answers what is
 * left (fake.h: struct fake_vm_type). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fake/fake.h"

long fake_vm__create(unsigned long type)
{
	const struct fake_vm_type *t = fake_vm__type(type);
	struct obj *o;
	long fd;

	if (!t)
		return -EINVAL;
	fd = fake__new_obj(FAKE_VM, NULL, 0, &o);
	if (fd >= 0) {
		o->type = t;
		o->vm_type = type;
		if (t->vm_init)
			t->vm_init(o);
	}
	return fd;
}

/* KERNEL-RULES 2.2: some answers depend on the VM's type. */
static long vm_cap(const struct obj *vm, long cap)
{
	long v = fake__cap(cap);

	switch (cap) {
	case KVM_CAP_MEMORY_ATTRIBUTES:
		return vm->type->private_mem ? v : 0;
	case KVM_CAP_GUEST_MEMFD_FLAGS:
		return vm->type->private_mem ? (long)(v & GUEST_MEMFD_FLAG_MMAP) : v;
	case KVM_CAP_READONLY_MEM:
		return v && !vm->type->protected_state;
	default:
		return v;
	}
}

static long create_vcpu(struct obj *vm, unsigned long id)
{
	struct obj *o;
	long fd;

	if (id >= (unsigned long)fake__cap(KVM_CAP_MAX_VCPUS) ||
	    vm->nvcpus >= (unsigned long)fake__cap(KVM_CAP_MAX_VCPUS))
		return -EINVAL;
	if (id >= FAKE_MAX_VCPUS)
		return -ENOSPC;         /* the fake's limit, not KVM's */
	if (vm->type->create_vcpu && (fd = vm->type->create_vcpu(vm, id)) < 0)
		return fd;
	for (unsigned i = 0; i < fake.nobjs; i++)
		if (fake.objs[i].kind == FAKE_VCPU && fake.objs[i].vm == vm && fake.objs[i].id == id)
			return -EEXIST;
	fd = fake__new_obj(FAKE_VCPU, vm, FAKE_RUN_SIZE, &o);
	if (fd < 0)
		return fd;
	o->id = id;
	vm->nvcpus++;
	vm->type->vcpu_reset(&fake.vcpus[id], id);
	return fd;
}

/* guest_memfd.c 592-604: flags the VM type accepts, a page-aligned size. */
static long create_gmem(struct obj *vm, const struct kvm_create_guest_memfd *g)
{
	struct obj *o;
	long fd;

	if (!fake__cap(KVM_CAP_GUEST_MEMFD))
		return -ENOTTY;
	if (g->flags & ~(uint64_t)vm_cap(vm, KVM_CAP_GUEST_MEMFD_FLAGS))
		return -EINVAL;
	if (!g->size || (int64_t)g->size < 0 || g->size % PAGE)
		return -EINVAL;
	fd = fake__new_obj(FAKE_GMEM, vm, g->size, &o);
	if (fd < 0)
		return fd;
	o->size = g->size;
	o->flags = g->flags;
	fake.last_gmem = o;
	return fd;
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* The gmem binding (guest_memfd.c 606-667). */
static long bind_gmem(const struct obj *vm, const struct kvm_userspace_memory_region2 *r)
{
	const struct obj *g = fake__obj(r->guest_memfd);

	if (!g)
		return -EBADF;
	if (g->kind != FAKE_GMEM || g->vm != vm || r->guest_memfd_offset % PAGE ||
	    r->guest_memfd_offset > g->size || r->memory_size > g->size - r->guest_memfd_offset)
		return -EINVAL;
	for (unsigned i = 0; i < MAX_SLOTS; i++) {
		const struct kvm_userspace_memory_region2 *s = &vm->slots[i];

		if (s->memory_size && (s->flags & KVM_MEM_GUEST_MEMFD) &&
		    s->guest_memfd == r->guest_memfd &&
		    overlap(s->guest_memfd_offset, s->memory_size, r->guest_memfd_offset,
			    r->memory_size))
			return -EEXIST;
	}
	return 0;
}

/* kvm_set_memory_region() (KERNEL-RULES 2.4), in the kernel's order. */
static long set_region(struct obj *vm, const void *arg, bool v2)
{
	const uint32_t gmem = KVM_MEM_GUEST_MEMFD;
	struct kvm_userspace_memory_region2 r = { 0 }, *old;
	uint32_t valid = KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY;
	long err;

	if (v2 && !fake__cap(KVM_CAP_USER_MEMORY2))
		return -ENOTTY;
	memcpy(&r, arg, v2 ? sizeof(r) : sizeof(struct kvm_userspace_memory_region));
	if ((r.slot & 0xffff) >= MAX_SLOTS)
		return -EINVAL;
	if (v2 && fake__cap(KVM_CAP_GUEST_MEMFD))
		valid |= gmem;
	if (vm->type->protected_state)
		valid &= ~(uint32_t)KVM_MEM_READONLY;
	if (r.flags & gmem)
		valid &= ~(uint32_t)(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY);
	if (r.flags & ~valid)
		return -EINVAL;
	if ((r.memory_size | r.guest_phys_addr | r.userspace_addr) % PAGE)
		return -EINVAL;
	if ((r.flags & gmem) && (r.guest_memfd_offset % PAGE ||
				 r.guest_memfd_offset + r.memory_size < r.guest_memfd_offset))
		return -EINVAL;
	/* One address space for VMs with private memory, two otherwise; the
	 * fake keeps slots of address space 0 only. */
	if ((r.slot >> 16) >= (vm->type->private_mem ? 1u : 2u) || (r.slot >> 16))
		return -EINVAL;
	if (r.guest_phys_addr + r.memory_size < r.guest_phys_addr)
		return -EINVAL;
	old = &vm->slots[r.slot];
	if (!r.memory_size) {
		if (!old->memory_size)
			return -EINVAL;
		memset(old, 0, sizeof(*old));
		return 0;
	}
	if (old->memory_size)   /* the VMM never moves or resizes a slot */
		return memcmp(old, &r, sizeof(r)) ? -EINVAL : 0;
	for (unsigned i = 0; i < MAX_SLOTS; i++)
		if (vm->slots[i].memory_size &&
		    overlap(vm->slots[i].guest_phys_addr, vm->slots[i].memory_size,
			    r.guest_phys_addr, r.memory_size))
			return -EEXIST;
	if ((r.flags & gmem) && (err = bind_gmem(vm, &r)) < 0)
		return err;
	*old = r;
	return 0;
}

/* ---- Memory attributes (KERNEL-RULES 2.5) ------------------------------- */

uint64_t fake_vm__attributes(const struct obj *vm, uint64_t gpa)
{
	for (unsigned i = 0; i < vm->nattrs; i++)
		if (gpa >= vm->attrs[i].start && gpa < vm->attrs[i].end)
			return vm->attrs[i].attrs;
	return 0;
}

uint64_t fake__attributes(uint64_t gpa)
{
	const struct obj *vm = NULL;

	for (unsigned i = 0; i < fake.nobjs; i++)
		if (fake.objs[i].kind == FAKE_VM)
			vm = &fake.objs[i];
	return vm ? fake_vm__attributes(vm, gpa) : 0;
}

const struct kvm_userspace_memory_region2 *fake_vm__slot(const struct obj *vm, uint64_t gpa)
{
	for (unsigned i = 0; i < MAX_SLOTS; i++) {
		const struct kvm_userspace_memory_region2 *s = &vm->slots[i];

		if (s->memory_size && gpa >= s->guest_phys_addr &&
		    gpa - s->guest_phys_addr < s->memory_size)
			return s;
	}
	return NULL;
}

/* Whether all of [start, end) has ATTRS. */
static bool attrs_are(const struct obj *vm, uint64_t start, uint64_t end, uint64_t attrs)
{
	uint64_t at = start;

	for (unsigned i = 0; i < vm->nattrs && at < end; i++) {
		const struct attr_range *a = &vm->attrs[i];

		if (a->end <= at)
			continue;
		if (a->start > at) {            /* a gap: attributes 0 */
			if (attrs)
				return false;
			at = a->start < end ? a->start : end;
			if (at == end)
				break;
		}
		if (a->attrs != attrs)
			return false;
		at = a->end;
	}
	return at >= end || !attrs;
}

/* Rewrites the sorted range list with [start, end) set to ATTRS. */
static long store_attrs(struct obj *vm, uint64_t start, uint64_t end, uint64_t attrs)
{
	static struct attr_range out[MAX_ATTR_RANGES];
	const struct attr_range set = { start, end, attrs };
	bool placed = false;
	unsigned n = 0;

#define PUSH(r) do { if (n == MAX_ATTR_RANGES) return -ENOMEM; out[n++] = (r); } while (0)
	for (unsigned i = 0; i < vm->nattrs; i++) {
		const struct attr_range a = vm->attrs[i];

		if (a.end <= start) {
			PUSH(a);
			continue;
		}
		if (a.start < start)
			PUSH(((struct attr_range){ a.start, start, a.attrs }));
		if (!placed) {
			if (attrs)
				PUSH(set);
			placed = true;
		}
		if (a.start >= end)
			PUSH(a);
		else if (a.end > end)
			PUSH(((struct attr_range){ end, a.end, a.attrs }));
	}
	if (!placed && attrs)
		PUSH(set);
#undef PUSH
	if (!vm->attrs && !(vm->attrs = malloc(MAX_ATTR_RANGES * sizeof(*vm->attrs))))
		return -ENOMEM;
	memcpy(vm->attrs, out, n * sizeof(*out));
	vm->nattrs = n;
	return 0;
}

static long set_attributes(struct obj *vm, const struct kvm_memory_attributes *a)
{
	uint64_t supported = vm->type->private_mem ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0;

	if (!fake__cap(KVM_CAP_MEMORY_ATTRIBUTES))
		return -ENOTTY;
	if (a->flags || (a->attributes & ~supported))
		return -EINVAL;
	if (!a->size || a->address + a->size < a->address)
		return -EINVAL;
	if ((a->address | a->size) % PAGE)
		return -EINVAL;
	if (attrs_are(vm, a->address, a->address + a->size, a->attributes))
		return 0;
	return store_attrs(vm, a->address, a->address + a->size, a->attributes);
}

/* The generic caps; the architecture's are its type's (-ENOIOCTLCMD). */
static long enable_cap(struct obj *vm, const struct kvm_enable_cap *c)
{
	if (c->flags)
		return -EINVAL;
	if (c->cap != KVM_CAP_EXIT_HYPERCALL)
		return -ENOIOCTLCMD;
	if (c->args[0] & ~(uint64_t)fake__cap(KVM_CAP_EXIT_HYPERCALL))
		return -EINVAL;
	vm->hypercall_exits = c->args[0];
	return 0;
}

long fake_vm__ioctl(struct obj *vm, unsigned long req, void *arg)
{
	long r;

	switch (req) {
	case KVM_CHECK_EXTENSION:
		return vm_cap(vm, (long)arg);
	case KVM_CREATE_VCPU:
		return create_vcpu(vm, (unsigned long)arg);
	case KVM_CREATE_GUEST_MEMFD:
		return create_gmem(vm, arg);
	case KVM_SET_USER_MEMORY_REGION:
		return set_region(vm, arg, false);
	case KVM_SET_USER_MEMORY_REGION2:
		return set_region(vm, arg, true);
	case KVM_SET_MEMORY_ATTRIBUTES:
		return set_attributes(vm, arg);
	case KVM_ENABLE_CAP:
		r = enable_cap(vm, arg);
		if (r != -ENOIOCTLCMD)
			return r;
		r = vm->type->vm_ioctl ? vm->type->vm_ioctl(vm, req, arg) : -ENOIOCTLCMD;
		return r == -ENOIOCTLCMD ? -EINVAL : r;
	}
	r = vm->type->vm_ioctl ? vm->type->vm_ioctl(vm, req, arg) : -ENOIOCTLCMD;
	return r == -ENOIOCTLCMD ? -ENOTTY : r;
}

/* guest_memfd.c 266-287: only PUNCH_HOLE|KEEP_SIZE or KEEP_SIZE, aligned;
 * a hole past EOF is not refused.  The hole really drops the fake's view. */
long fake_vm__fallocate(struct obj *g, int mode, off_t off, off_t len)
{
	if (!(mode & FALLOC_FL_KEEP_SIZE) || (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)))
		return -EOPNOTSUPP;
	if (off < 0 || len <= 0 || (off | len) % (off_t)PAGE)
		return -EINVAL;
	if (!(mode & FALLOC_FL_PUNCH_HOLE))
		return (uint64_t)off + (uint64_t)len > g->size ? -EINVAL : 0;
	if ((uint64_t)off >= g->size)
		return 0;
	if ((uint64_t)len > g->size - (uint64_t)off)
		len = g->size - off;
	return fallocate(g->fd, mode, off, len) < 0 ? -errno : 0;
}

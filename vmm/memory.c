#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loader/error.h"
#include "vmm/kvm-abi.h"
#include "vmm/kvm.h"
#include "vmm/memory.h"
#include "vmm/sys.h"

#define GMEM_FLAGS (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)

bool guest__gmem_usable(const struct kvm *k)
{
	return k->caps.guest_memfd && k->caps.user_memory2 &&
	       (k->caps.gmem_flags & GMEM_FLAGS) == GMEM_FLAGS;
}

static int map_gmem(struct guest_mem *m, struct kvm *k)
{
	struct kvm_create_guest_memfd g = { .size = m->size, .flags = GMEM_FLAGS };
	void *p;

	m->gmem_fd = sys__ioctl(k->vm_fd, KVM_CREATE_GUEST_MEMFD, &g);
	if (m->gmem_fd < 0)
		return err__set_status(CVM_EXIT_NOHOST, "KVM_CREATE_GUEST_MEMFD(%llu bytes): %s",
				       (unsigned long long)m->size, strerror(errno));
	/* Shared: KVM's emulator and our device models reach guest memory
	 * through this mapping, and the loader writes the images into it. */
	p = sys->mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED, m->gmem_fd, 0);
	if (p == MAP_FAILED)
		return err__set_status(CVM_EXIT_NOHOST, "sys->mmap(guest_memfd): %s", strerror(errno));
	m->base = p;
	return 0;
}

static int map_anon(struct guest_mem *m)
{
	void *p = sys->mmap(NULL, m->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return err__set_status(CVM_EXIT_FAIL, "sys->mmap(%llu bytes of guest RAM): %s",
				       (unsigned long long)m->size, strerror(errno));
	madvise(p, m->size, MADV_MERGEABLE);
	m->base = p;
	return 0;
}

static int set_slot(struct guest_mem *m, struct kvm *k, int i, uint64_t off)
{
	struct guest_slot *s = &m->slots[i];
	struct kvm_userspace_memory_region2 r = {
		.slot = i,
		.guest_phys_addr = s->gpa,
		.memory_size = s->size,
		.userspace_addr = (uintptr_t)s->hva,
	};
	unsigned long req = KVM_SET_USER_MEMORY_REGION2;

	if (m->backend == MEM_GUEST_MEMFD) {
		r.flags = KVM_MEM_GUEST_MEMFD;
		r.guest_memfd = m->gmem_fd;
		r.guest_memfd_offset = off;
	} else if (!k->caps.user_memory2) {
		/* The v1 struct is the first 32 bytes of v2. */
		req = KVM_SET_USER_MEMORY_REGION;
	}
	if (sys__ioctl(k->vm_fd, req, &r) < 0)
		return err__set_status(CVM_EXIT_FAIL, "memslot %d [%#llx, +%#llx): %s", i,
				       (unsigned long long)s->gpa, (unsigned long long)s->size,
				       strerror(errno));
	return 0;
}

int guest__init(struct guest_mem *m, struct kvm *k, enum mem_backend backend, bool strict,
		const struct guest_range *ranges, int nranges)
{
	uint64_t off = 0;
	int i;

	memset(m, 0, sizeof(*m));
	m->gmem_fd = -1;
	if (nranges > GUEST_MAX_SLOTS)
		return err__set_status(CVM_EXIT_FAIL, "too many RAM ranges (%d)", nranges);
	for (i = 0; i < nranges; i++)
		m->size += ranges[i].size;
	if (backend == MEM_GUEST_MEMFD && !guest__gmem_usable(k)) {
		if (strict)
			return err__set_status(CVM_EXIT_NOHOST, "--memory-backend guest-memfd: this "
					       "KVM has no guest_memfd with MMAP|INIT_SHARED (cap 244 = %#llx)",
					       (unsigned long long)k->caps.gmem_flags);
		fprintf(stderr, "cvm-run: no mmap-able guest_memfd on this host; "
			"guest RAM is anonymous memory\n");
		backend = MEM_ANON;
	}
	m->backend = backend;
	if ((backend == MEM_GUEST_MEMFD ? map_gmem(m, k) : map_anon(m)) < 0) {
		guest__exit(m);
		return -1;
	}
	for (i = 0; i < nranges; i++) {
		m->slots[i] = (struct guest_slot){ ranges[i].gpa, ranges[i].size, m->base + off };
		m->nslots = i + 1;
		if (set_slot(m, k, i, off) < 0) {
			guest__exit(m);
			return -1;
		}
		off += ranges[i].size;
	}
	return 0;
}

void guest__exit(struct guest_mem *m)
{
	if (m->base)
		sys->munmap(m->base, m->size);
	if (m->gmem_fd >= 0)
		sys->close(m->gmem_fd);
	m->base = NULL;
	m->gmem_fd = -1;
}

void *guest__ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	for (int i = 0; i < m->nslots; i++) {
		const struct guest_slot *s = &m->slots[i];

		if (gpa >= s->gpa && len <= s->size && gpa - s->gpa <= s->size - len)
			return s->hva + (gpa - s->gpa);
	}
	return NULL;
}

int guest__load_plan(const struct guest_mem *m, const struct plan *p)
{
	for (size_t i = 0; i < p->nops; i++) {
		const struct plan_op *op = &p->ops[i];
		uint8_t *dst;

		if (op->kind != PLAN_LOAD)
			return err__set_status(CVM_EXIT_FAIL, "%s: a %s op needs a TEE backend",
					       op->what, plan__kind_name(op->kind));
		dst = guest__ptr(m, op->gpa, op->len);
		if (!dst)
			return err__set("%s: [%#llx, +%#llx) is not inside guest RAM", op->what,
					(unsigned long long)op->gpa, (unsigned long long)op->len);
		/* Fresh RAM is zero already: only bytes are copied. */
		if (op->data)
			memcpy(dst, op->data, op->data_len);
	}
	return 0;
}

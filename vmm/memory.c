#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "loader/error.h"
#include "vmm/arch.h"
#include "vmm/fault-guard.h"
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

static int create_gmem(struct guest_mem *m, struct kvm *k, uint64_t flags)
{
	struct kvm_create_guest_memfd g = { .size = m->size, .flags = flags };

	m->gmem_fd = sys__ioctl(k->vm_fd, KVM_CREATE_GUEST_MEMFD, &g);
	if (m->gmem_fd < 0)
		return err__set_status(CVM_EXIT_NOHOST, "KVM_CREATE_GUEST_MEMFD(%llu bytes, flags %#llx): %s",
				       (unsigned long long)m->size, (unsigned long long)flags,
				       strerror(errno));
	return 0;
}

static int map_shared(struct guest_mem *m, int fd, const char *what)
{
	void *p = sys->mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return err__set_status(CVM_EXIT_FAIL, "mmap(%s, %llu bytes): %s", what,
				       (unsigned long long)m->size, strerror(errno));
	m->base = p;
	return 0;
}

/* KVM's emulator and our device models reach guest memory through this
 * mapping, and the loader writes the images into it. */
static int map_gmem(struct guest_mem *m, struct kvm *k)
{
	if (create_gmem(m, k, GMEM_FLAGS) < 0)
		return -1;
	return map_shared(m, m->gmem_fd, "guest_memfd");
}

static int map_anon(struct guest_mem *m)
{
	void *p = sys->mmap(NULL, m->size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return err__set_status(CVM_EXIT_FAIL, "mmap(%llu bytes of guest RAM): %s",
				       (unsigned long long)m->size, strerror(errno));
	madvise(p, m->size, MADV_MERGEABLE);
	m->base = p;
	return 0;
}

/* A memfd cvm-run maps: the shared side of private memory, or all of an
 * SEV guest's. */
static int map_memfd(struct guest_mem *m)
{
	m->shared_fd = memfd_create("cvm-shared-ram", MFD_CLOEXEC);
	if (m->shared_fd < 0)
		return err__set_status(CVM_EXIT_FAIL, "memfd_create: %s", strerror(errno));
	if (ftruncate(m->shared_fd, (off_t)m->size) < 0)
		return err__set_status(CVM_EXIT_FAIL, "memfd of %llu bytes: %s",
				       (unsigned long long)m->size, strerror(errno));
	return map_shared(m, m->shared_fd, "shared RAM memfd");
}

/* Private pages live in a guest_memfd of flags 0 (with MMAP the slot would
 * be gmem-only and the shared side ignored: ERRATA row 2); shared pages in
 * a memfd, so that a page going private can be given back (hole punch). */
static int map_private(struct guest_mem *m, struct kvm *k)
{
	return create_gmem(m, k, 0) < 0 ? -1 : map_memfd(m);
}

#define CAP_IPC_LOCK 14

/* Whether this process may lock memory beyond RLIMIT_MEMLOCK. */
static bool may_lock_any(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	unsigned long long eff = 0;
	char line[128];

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f) && sscanf(line, "CapEff: %llx", &eff) != 1)
		;
	fclose(f);
	return eff >> CAP_IPC_LOCK & 1;
}

/* The kernel pins each page a protected guest touches and counts it
 * against RLIMIT_MEMLOCK: a limit below the RAM would stop the guest
 * half-way, so it is raised now, or the launch refused with the reason. */
static int raise_memlock(uint64_t need)
{
	struct rlimit r, want;

	if (getrlimit(RLIMIT_MEMLOCK, &r) < 0 || r.rlim_cur == RLIM_INFINITY ||
	    r.rlim_cur >= need || may_lock_any())
		return 0;
	want.rlim_cur = need;
	want.rlim_max = r.rlim_max == RLIM_INFINITY || r.rlim_max >= need ? r.rlim_max : need;
	if (setrlimit(RLIMIT_MEMLOCK, &want) == 0)
		return 0;
	return err__set_status(CVM_EXIT_NOHOST, "RLIMIT_MEMLOCK is %llu bytes (at most %llu): "
			       "a protected VM pins its %llu bytes of RAM as the guest touches "
			       "them; raise the limit (ulimit -l) or give cvm-run CAP_IPC_LOCK",
			       (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max,
			       (unsigned long long)need);
}

/* A protected VM's RAM: a memfd in plain memslots, as SEV's. */
static int map_shmem(struct guest_mem *m)
{
	return raise_memlock(m->size) < 0 ? -1 : map_memfd(m);
}

static int set_slot(struct guest_mem *m, struct kvm *k, int i)
{
	struct guest_slot *s = &m->slots[i];
	bool own = s->own_map;
	struct kvm_userspace_memory_region2 r = {
		.slot = i,
		.guest_phys_addr = s->gpa,
		.memory_size = s->size,
		.userspace_addr = (uintptr_t)s->hva,
	};
	unsigned long req = KVM_SET_USER_MEMORY_REGION2;

	if (own) {
		r.flags = KVM_MEM_READONLY;
	} else if (m->gmem_fd >= 0) {
		r.flags = KVM_MEM_GUEST_MEMFD;
		r.guest_memfd = m->gmem_fd;
		r.guest_memfd_offset = s->off;
	}
	if (!k->caps.user_memory2 && !(r.flags & KVM_MEM_GUEST_MEMFD)) {
		/* The v1 struct is the first 32 bytes of v2. */
		req = KVM_SET_USER_MEMORY_REGION;
	}
	if (sys__ioctl(k->vm_fd, req, &r) < 0)
		return err__set_status(CVM_EXIT_FAIL, "memslot %d [%#llx, +%#llx): %s", i,
				       (unsigned long long)s->gpa, (unsigned long long)s->size,
				       strerror(errno));
	return 0;
}

/* MEM_SHARED: guest_memfd as asked, or anonymous memory when the host has
 * none (a notice, or status 3 when asked for by name). */
static int back_shared(struct guest_mem *m, struct kvm *k, const struct guest_mem_cfg *cfg)
{
	m->backend = cfg->backend;
	if (m->backend == MEM_GUEST_MEMFD && !guest__gmem_usable(k)) {
		if (cfg->strict)
			return err__set_status(CVM_EXIT_NOHOST, "--memory-backend guest-memfd: this "
					       "KVM has no guest_memfd with MMAP|INIT_SHARED (cap 244 = %#llx)",
					       (unsigned long long)k->caps.gmem_flags);
		fprintf(stderr, "cvm-run: no mmap-able guest_memfd on this host; "
			"guest RAM is anonymous memory\n");
		m->backend = MEM_ANON;
	}
	return m->backend == MEM_GUEST_MEMFD ? map_gmem(m, k) : map_anon(m);
}

/* A MEM_SHARED ROM range: anonymous memory of its own, mapped read-only
 * into the guest. */
static int map_rom(struct guest_slot *s)
{
	void *p = sys->mmap(NULL, s->size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return err__set_status(CVM_EXIT_FAIL, "mmap(%llu bytes of firmware ROM): %s",
				       (unsigned long long)s->size, strerror(errno));
	s->hva = p;
	s->own_map = true;
	return 0;
}

int guest__check_ram(uint64_t mem)
{
	struct guest_range r[GUEST_MAX_SLOTS];
	size_t n = arch__ram_ranges(mem, r);

	for (size_t i = 0; i < n; i++)
		if (r[i].size / 4096 > CVM_KVM_MEM_MAX_NR_PAGES)
			return err__set("memory: %#llx bytes put %#llx in one memslot, more than "
					"KVM's limit of %#llx pages", (unsigned long long)mem,
					(unsigned long long)r[i].size, CVM_KVM_MEM_MAX_NR_PAGES);
	return 0;
}

int guest__init(struct guest_mem *m, struct kvm *k, const struct guest_mem_cfg *cfg)
{
	uint64_t off = 0;
	int i, r;

	memset(m, 0, sizeof(*m));
	m->gmem_fd = m->shared_fd = -1;
	m->model = cfg->model;
	pthread_rwlock_init(&m->lock, NULL);
	range_set__init(&m->private);
	m->ready = true;
	if (cfg->nranges > GUEST_MAX_SLOTS)
		return err__set_status(CVM_EXIT_FAIL, "too many RAM ranges (%d)", cfg->nranges);
	for (i = 0; i < cfg->nranges; i++)
		if (!cfg->ranges[i].rom || m->model != MEM_SHARED)
			m->size += cfg->ranges[i].size;
	r = m->model == MEM_PRIVATE ? map_private(m, k) :
	    m->model == MEM_ENCRYPTED ? map_memfd(m) :
	    m->model == MEM_SHMEM ? map_shmem(m) : back_shared(m, k, cfg);
	for (i = 0; r == 0 && i < cfg->nranges; i++) {
		struct guest_slot *s = &m->slots[i];

		*s = (struct guest_slot){ cfg->ranges[i].gpa, cfg->ranges[i].size, m->base + off, off };
		m->nslots = i + 1;
		if (cfg->ranges[i].rom && m->model == MEM_SHARED)
			r = map_rom(s);
		else
			off += s->size;
		if (r == 0)
			r = set_slot(m, k, i);
	}
	return r;
}

void guest__exit(struct guest_mem *m)
{
	if (!m->ready)
		return;
	for (int i = 0; i < m->nslots; i++)
		if (m->slots[i].own_map)
			sys->munmap(m->slots[i].hva, m->slots[i].size);
	if (m->base)
		sys->munmap(m->base, m->size);
	if (m->gmem_fd >= 0)
		sys->close(m->gmem_fd);
	if (m->shared_fd >= 0)
		close(m->shared_fd);
	range_set__exit(&m->private);
	pthread_rwlock_destroy(&m->lock);
	m->base = NULL;
	m->gmem_fd = m->shared_fd = -1;
	m->ready = false;
}

const struct guest_slot *guest__slot(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	for (int i = 0; i < m->nslots; i++) {
		const struct guest_slot *s = &m->slots[i];

		if (gpa >= s->gpa && len <= s->size && gpa - s->gpa <= s->size - len)
			return s;
	}
	return NULL;
}

/* guest__ptr, and with ROM the VMM's own way into a MEM_SHARED guest's
 * read-only firmware: loading it, reading it for a report. */
static void *slot_ptr(struct guest_mem *m, uint64_t gpa, uint64_t len, bool rom)
{
	const struct guest_slot *s = guest__slot(m, gpa, len);
	bool shared = true;

	if (!s || m->sealed || (s->own_map && !rom))
		return NULL;
	/* A page converted right after this check is only reached through
	 * the shared mapping, never the private side: at worst the memfd gets
	 * a page back until the next conversion releases it. */
	if (m->model == MEM_PRIVATE || m->model == MEM_ENCRYPTED) {
		pthread_rwlock_rdlock(&m->lock);
		shared = range_set__disjoint(&m->private, gpa, gpa + len);
		pthread_rwlock_unlock(&m->lock);
	}
	return shared ? s->hva + (gpa - s->gpa) : NULL;
}

void *guest__ptr(struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	return slot_ptr(m, gpa, len, false);
}

void guest__seal(struct guest_mem *m)
{
	m->sealed = true;
}

int guest__read(struct guest_mem *m, uint64_t gpa, void *buf, uint64_t len)
{
	const struct guest_slot *s = guest__slot(m, gpa, len);
	const void *src;

	if (!s)
		return err__set_status(CVM_EXIT_FAIL, "%#llx+%#llx is not guest RAM",
				       (unsigned long long)gpa, (unsigned long long)len);
	/* Sealed RAM (a protected guest's) is read only through the guard. */
	if (m->sealed) {
		if (guard__copy(buf, s->hva + (gpa - s->gpa), len) < 0)
			return err__set_status(CVM_EXIT_FAIL, "%#llx was not shared by the guest "
					       "(the host's read faulted)", (unsigned long long)gpa);
		return 0;
	}
	src = slot_ptr(m, gpa, len, true);
	if (!src)
		return err__set_status(CVM_EXIT_FAIL, "%#llx is private to the guest",
				       (unsigned long long)gpa);
	memcpy(buf, src, len);
	return 0;
}

int guest__load_op(struct guest_mem *m, const struct plan_op *op)
{
	uint8_t *dst;

	if (op->kind != PLAN_LOAD)
		return err__set_status(CVM_EXIT_FAIL, "%s: a %s op needs a TEE backend", op->what,
				       plan__kind_name(op->kind));
	dst = slot_ptr(m, op->gpa, op->len, true);
	if (!dst)
		return err__set("%s: [%#llx, +%#llx) is not inside guest RAM", op->what,
				(unsigned long long)op->gpa, (unsigned long long)op->len);
	/* Fresh RAM is zero already: only bytes are copied. */
	if (op->data)
		memcpy(dst, op->data, op->data_len);
	return 0;
}

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/fake-kvm.h"

#define PAGE		4096ull
#define MAX_OBJS	64
#define MAX_SLOTS	16	/* per VM, address space 0 only: what a plain VM needs */
#define MAX_ANSWERS	8
#define MAX_CAPS	32
#define MAX_CPUID	256	/* KVM_MAX_CPUID_ENTRIES */
#define MAX_MSRS	255	/* KVM refuses nmsrs >= MAX_IO_MSRS (256) */
#define MAX_ROUTES	4096	/* KVM_MAX_IRQ_ROUTES */

#define EXIT_UNION_LEN	(offsetof(struct kvm_run, kvm_valid_regs) - KVM_RUN_EXIT_UNION_OFFSET)

#define CR0_PE	0x1ull
#define CR0_NW	0x20000000ull
#define CR0_CD	0x40000000ull
#define CR0_PG	0x80000000ull
#define CR4_PAE	0x20ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

/* A kernel object behind a fake fd. */
struct obj {
	enum fake_kind kind;
	int fd;
	bool open;
	struct obj *vm;                 /* VCPU, GMEM: the VM it belongs to */
	unsigned id;                    /* VCPU */
	uint64_t size, flags;           /* GMEM */
	uint8_t *view;                  /* VCPU: the run area; GMEM: the file */
	size_t view_len;
	void *vmm_map;                  /* VCPU: where the VMM mapped the run area */
	/* VM */
	struct kvm_userspace_memory_region2 slots[MAX_SLOTS];  /* size 0: unused */
	bool irqchip, pit;
	unsigned nvcpus;
};

struct vcpu {
	struct fake_step *steps[FAKE_MAX_STEPS];
	unsigned nsteps, next;
	struct fake_step *unanswered;   /* played; its reply not taken yet */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	struct kvm_lapic_state lapic;
	bool has_xlate;
	struct kvm_translation xlate;
};

struct answer {
	unsigned long req;
	unsigned skip;
	long ret;
	int err;
};

struct cap {
	long cap, value;
};

static struct {
	pthread_mutex_t lock;
	struct obj objs[MAX_OBJS];
	unsigned nobjs;
	struct vcpu vcpus[FAKE_MAX_VCPUS];
	struct cap caps[MAX_CAPS];
	unsigned ncaps;
	struct answer answers[MAX_ANSWERS];
	unsigned nanswers;
	int open_err;
	struct kvm_cpuid_entry2 cpuid[MAX_CPUID];
	unsigned ncpuid;
	struct fake_call *log;
	size_t nlog, logcap;
	struct obj *last_gmem;
	unsigned running;               /* threads inside KVM_RUN */
} fake = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* This project's target host (KVM-UAPI.md section 7). */
static const struct cap default_caps[] = {
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
};

#define SIGNIFICANT KVM_CPUID_FLAG_SIGNIFCANT_INDEX

/* An Intel host, trimmed: vendor, features, caches, topology sub-leaf 0
 * only (the VMM adds sub-leaf 1), XSAVE, KVM's own leaves, extended leaves. */
static const struct kvm_cpuid_entry2 default_cpuid[] = {
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

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fake-kvm: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* ---- Set-up -------------------------------------------------------------- */

void fake__install(void)
{
	pthread_mutex_lock(&fake.lock);
	memset(fake.objs, 0, sizeof(fake.objs));
	memset(fake.vcpus, 0, sizeof(fake.vcpus));
	memcpy(fake.caps, default_caps, sizeof(default_caps));
	fake.ncaps = sizeof(default_caps) / sizeof(default_caps[0]);
	memcpy(fake.cpuid, default_cpuid, sizeof(default_cpuid));
	fake.ncpuid = sizeof(default_cpuid) / sizeof(default_cpuid[0]);
	fake.nobjs = fake.nanswers = 0;
	fake.open_err = 0;
	fake.log = NULL;
	fake.nlog = fake.logcap = 0;
	fake.last_gmem = NULL;
	fake.running = 0;
	pthread_mutex_unlock(&fake.lock);
	sys = &fake_ops;
}

void fake__uninstall(void)
{
	sys = &sys_libc;
	pthread_mutex_lock(&fake.lock);
	for (unsigned i = 0; i < fake.nobjs; i++) {
		struct obj *o = &fake.objs[i];

		if (o->open)
			close(o->fd);
		if (o->view)
			munmap(o->view, o->view_len);
	}
	fake.nobjs = 0;
	fake.last_gmem = NULL;
	for (unsigned v = 0; v < FAKE_MAX_VCPUS; v++)
		for (unsigned s = 0; s < fake.vcpus[v].nsteps; s++) {
			free(fake.vcpus[v].steps[s]->reply);
			free(fake.vcpus[v].steps[s]);
		}
	memset(fake.vcpus, 0, sizeof(fake.vcpus));
	for (size_t i = 0; i < fake.nlog; i++)
		free(fake.log[i].data);
	free(fake.log);
	fake.log = NULL;
	fake.nlog = fake.logcap = 0;
	pthread_mutex_unlock(&fake.lock);
}

void fake__set_cap(long cap, long value)
{
	for (unsigned i = 0; i < fake.ncaps; i++)
		if (fake.caps[i].cap == cap) {
			fake.caps[i].value = value;
			return;
		}
	if (fake.ncaps == MAX_CAPS)
		die("too many capabilities");
	fake.caps[fake.ncaps++] = (struct cap){ cap, value };
}

void fake__open_fails(int err)
{
	fake.open_err = err;
}

void fake__answer(unsigned long req, unsigned skip, long ret, int err)
{
	if (fake.nanswers == MAX_ANSWERS)
		die("too many answers");
	fake.answers[fake.nanswers++] = (struct answer){ req, skip, ret, err };
}

void fake__set_supported_cpuid(const struct kvm_cpuid_entry2 *e, unsigned n)
{
	if (n > MAX_CPUID)
		die("%u CPUID entries, KVM has at most %d", n, MAX_CPUID);
	memcpy(fake.cpuid, e, n * sizeof(*e));
	fake.ncpuid = n;
}

/* ---- Scripts ------------------------------------------------------------- */

struct fake_step *fake__step(unsigned vcpu, uint32_t exit_reason)
{
	struct vcpu *v;
	struct fake_step *s;

	if (vcpu >= FAKE_MAX_VCPUS)
		die("vCPU %u: the fake has %d", vcpu, FAKE_MAX_VCPUS);
	v = &fake.vcpus[vcpu];
	if (v->nsteps == FAKE_MAX_STEPS)
		die("vCPU %u: script full", vcpu);
	s = calloc(1, sizeof(*s));
	if (!s)
		die("out of memory");
	s->run.exit_reason = exit_reason;
	v->steps[v->nsteps++] = s;
	return s;
}

struct fake_step *fake__io(unsigned vcpu, bool out, uint16_t port, uint8_t size,
			   uint32_t count, const void *data)
{
	struct fake_step *s = fake__step(vcpu, KVM_EXIT_IO);

	s->run.io.direction = out ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN;
	s->run.io.size = size;
	s->run.io.port = port;
	s->run.io.count = count;
	s->run.io.data_offset = FAKE_PIO_OFFSET;
	if (data) {
		if ((uint64_t)size * count > FAKE_IO_MAX)
			die("IO step of %u x %u bytes", size, count);
		s->data_len = size * count;
		memcpy(s->data, data, s->data_len);
	}
	return s;
}

struct fake_step *fake__out(unsigned vcpu, uint16_t port, uint8_t value)
{
	return fake__io(vcpu, true, port, 1, 1, &value);
}

struct fake_step *fake__mmio(unsigned vcpu, uint64_t gpa, bool write, const void *data,
			     uint32_t len)
{
	struct fake_step *s = fake__step(vcpu, KVM_EXIT_MMIO);

	if (len > sizeof(s->run.mmio.data))
		die("MMIO step of %u bytes", len);
	s->run.mmio.phys_addr = gpa;
	s->run.mmio.len = len;
	s->run.mmio.is_write = write;
	if (write)
		memcpy(s->run.mmio.data, data, len);
	return s;
}

struct fake_step *fake__error(unsigned vcpu, int err, uint32_t exit_reason)
{
	struct fake_step *s = fake__step(vcpu, exit_reason);

	s->err = err;
	return s;
}

struct fake_step *fake__block(unsigned vcpu)
{
	struct fake_step *s = fake__step(vcpu, 0);

	s->block = true;
	return s;
}

/* ---- The log ------------------------------------------------------------- */

/* With the lock held. */
static void record(const struct fake_call *c, const void *data, size_t len)
{
	struct fake_call *l;

	if (fake.nlog == fake.logcap) {
		size_t cap = fake.logcap ? 2 * fake.logcap : 256;
		struct fake_call *n = realloc(fake.log, cap * sizeof(*n));

		if (!n)
			die("out of memory");
		fake.log = n;
		fake.logcap = cap;
	}
	l = &fake.log[fake.nlog++];
	*l = *c;
	l->data = NULL;
	l->len = 0;
	if (data && len) {
		l->data = malloc(len);
		if (!l->data)
			die("out of memory");
		memcpy(l->data, data, len);
		l->len = len;
	}
}

const struct fake_call *fake__calls(size_t *n)
{
	*n = fake.nlog;
	return fake.log;
}

const struct fake_call *fake__find(int vcpu, unsigned long req, unsigned nth)
{
	for (size_t i = 0; i < fake.nlog; i++) {
		const struct fake_call *c = &fake.log[i];

		if (c->op == FAKE_IOCTL && c->req == req && (vcpu == FAKE_ANY || c->vcpu == vcpu) &&
		    nth-- == 0)
			return c;
	}
	return NULL;
}

unsigned fake__count(int vcpu, unsigned long req)
{
	unsigned n = 0;

	while (fake__find(vcpu, req, n))
		n++;
	return n;
}

unsigned fake__played(unsigned vcpu)
{
	return vcpu < FAKE_MAX_VCPUS ? fake.vcpus[vcpu].next : 0;
}

unsigned fake__running(void)
{
	return __atomic_load_n(&fake.running, __ATOMIC_SEQ_CST);
}

unsigned fake__open_fds(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fake.nobjs; i++)
		n += fake.objs[i].open;
	return n;
}

const uint8_t *fake__guest_memory(uint64_t *size)
{
	*size = fake.last_gmem ? fake.last_gmem->size : 0;
	return fake.last_gmem ? fake.last_gmem->view : NULL;
}

/* ---- Objects ------------------------------------------------------------- */

static struct obj *find(int fd)
{
	for (unsigned i = 0; i < fake.nobjs; i++)
		if (fake.objs[i].open && fake.objs[i].fd == fd)
			return &fake.objs[i];
	return NULL;
}

static long cap_value(long cap)
{
	for (unsigned i = 0; i < fake.ncaps; i++)
		if (fake.caps[i].cap == cap)
			return fake.caps[i].value;
	return 0;
}

/* A new object on a memfd of SIZE bytes that the fake also maps when SIZE
 * is not 0; *O = it.  Returns the fd or -errno. */
static long new_obj(enum fake_kind kind, struct obj *vm, uint64_t size, struct obj **o)
{
	struct obj *n;
	int fd;

	if (fake.nobjs == MAX_OBJS)
		return -ENFILE;
	fd = memfd_create("fake-kvm", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = &fake.objs[fake.nobjs];
	memset(n, 0, sizeof(*n));
	if (size) {
		if (ftruncate(fd, size) < 0)
			goto fail;
		n->view = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (n->view == MAP_FAILED) {
			n->view = NULL;
			goto fail;
		}
		n->view_len = size;
	}
	n->kind = kind;
	n->fd = fd;
	n->open = true;
	n->vm = vm;
	fake.nobjs++;
	*o = n;
	return fd;
fail:
	close(fd);
	return -ENOMEM;
}

/* ---- /dev/kvm ------------------------------------------------------------ */

static long create_vm(unsigned long type)
{
	uint64_t types = cap_value(KVM_CAP_VM_TYPES);
	struct obj *o;

	if (!types)
		types = 1ull << KVM_X86_DEFAULT_VM;
	if (type >= 64 || !(types & (1ull << type)))
		return -EINVAL;
	return new_obj(FAKE_VM, NULL, 0, &o);
}

static long get_supported_cpuid(struct kvm_cpuid2 *c)
{
	if (c->nent < fake.ncpuid)
		return -E2BIG;
	memcpy(c->entries, fake.cpuid, fake.ncpuid * sizeof(fake.cpuid[0]));
	c->nent = fake.ncpuid;
	return 0;
}

static long kvm_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case KVM_GET_API_VERSION:
		return arg ? -EINVAL : KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return cap_value((long)arg);
	case KVM_CREATE_VM:
		return create_vm((unsigned long)arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : FAKE_RUN_SIZE;
	case KVM_GET_SUPPORTED_CPUID:
		return get_supported_cpuid(arg);
	default:
		return -EINVAL;
	}
}

/* ---- VM ------------------------------------------------------------------ */

/* Power-on state (the LINT0-reenabled quirk off: every LVT masked, so what
 * the VMM programs is what a test sees). */
static void reset_vcpu(struct vcpu *v, unsigned id)
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

static long create_vcpu(struct obj *vm, unsigned long id)
{
	struct obj *o;
	long fd;

	if (id >= (unsigned long)cap_value(KVM_CAP_MAX_VCPUS) ||
	    vm->nvcpus >= (unsigned long)cap_value(KVM_CAP_MAX_VCPUS))
		return -EINVAL;
	if (id >= FAKE_MAX_VCPUS)
		return -ENOSPC;         /* the fake's limit, not KVM's */
	for (unsigned i = 0; i < fake.nobjs; i++)
		if (fake.objs[i].kind == FAKE_VCPU && fake.objs[i].vm == vm && fake.objs[i].id == id)
			return -EEXIST;
	fd = new_obj(FAKE_VCPU, vm, FAKE_RUN_SIZE, &o);
	if (fd < 0)
		return fd;
	o->id = id;
	vm->nvcpus++;
	reset_vcpu(&fake.vcpus[id], id);
	return fd;
}

/* guest_memfd.c: flags the VM accepts, a non-zero page-aligned size. */
static long create_gmem(struct obj *vm, const struct kvm_create_guest_memfd *g)
{
	struct obj *o;
	long fd;

	if (!cap_value(KVM_CAP_GUEST_MEMFD))
		return -ENOTTY;
	if (g->flags & ~(uint64_t)cap_value(KVM_CAP_GUEST_MEMFD_FLAGS))
		return -EINVAL;
	if (!g->size || (int64_t)g->size < 0 || g->size % PAGE)
		return -EINVAL;
	fd = new_obj(FAKE_GMEM, vm, g->size, &o);
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

/* kvm_set_memory_region(): flags, alignment, wrap, the gmem binding, and
 * no overlap with other slots (by GPA, or by range of one gmem file). */
static long set_region(struct obj *vm, const void *arg, bool v2)
{
	const uint32_t gmem = KVM_MEM_GUEST_MEMFD;
	struct kvm_userspace_memory_region2 r = { 0 }, *old;
	uint32_t valid = KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY;
	struct obj *g;

	if (v2 && !cap_value(KVM_CAP_USER_MEMORY2))
		return -ENOTTY;
	memcpy(&r, arg, v2 ? sizeof(r) : sizeof(struct kvm_userspace_memory_region));
	if (v2 && cap_value(KVM_CAP_GUEST_MEMFD))
		valid |= gmem;
	if ((r.flags & ~valid) || (r.slot >> 16) || (r.slot & 0xffff) >= MAX_SLOTS)
		return -EINVAL;
	if ((r.memory_size | r.guest_phys_addr | r.userspace_addr) % PAGE ||
	    r.guest_phys_addr + r.memory_size < r.guest_phys_addr)
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
	if (r.flags & gmem) {
		g = find(r.guest_memfd);
		if (!g || g->kind != FAKE_GMEM || g->vm != vm || (r.flags & KVM_MEM_LOG_DIRTY_PAGES) ||
		    r.guest_memfd_offset % PAGE || r.guest_memfd_offset > g->size ||
		    r.memory_size > g->size - r.guest_memfd_offset)
			return -EINVAL;
	}
	for (unsigned i = 0; i < MAX_SLOTS; i++) {
		const struct kvm_userspace_memory_region2 *s = &vm->slots[i];

		if (!s->memory_size)
			continue;
		if (overlap(s->guest_phys_addr, s->memory_size, r.guest_phys_addr, r.memory_size))
			return -EEXIST;
		if ((r.flags & gmem) && (s->flags & gmem) && s->guest_memfd == r.guest_memfd &&
		    overlap(s->guest_memfd_offset, s->memory_size, r.guest_memfd_offset,
			    r.memory_size))
			return -EINVAL;
	}
	*old = r;
	return 0;
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

static long enable_cap(const struct kvm_enable_cap *c)
{
	if (c->flags)
		return -EINVAL;
	switch (c->cap) {
	case KVM_CAP_EXIT_HYPERCALL:
		return c->args[0] & ~(uint64_t)cap_value(KVM_CAP_EXIT_HYPERCALL) ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

static long vm_ioctl(struct obj *vm, unsigned long req, void *arg)
{
	switch (req) {
	case KVM_CHECK_EXTENSION:
		return cap_value((long)arg);
	case KVM_CREATE_VCPU:
		return create_vcpu(vm, (unsigned long)arg);
	case KVM_CREATE_GUEST_MEMFD:
		return create_gmem(vm, arg);
	case KVM_SET_USER_MEMORY_REGION:
		return set_region(vm, arg, false);
	case KVM_SET_USER_MEMORY_REGION2:
		return set_region(vm, arg, true);
	case KVM_SET_TSS_ADDR:
		return 0;
	case KVM_SET_IDENTITY_MAP_ADDR:
		return vm->nvcpus ? -EEXIST : 0;
	case KVM_CREATE_IRQCHIP:
		if (vm->irqchip)
			return -EEXIST;
		if (vm->nvcpus || !cap_value(KVM_CAP_IRQCHIP))
			return -EINVAL;
		vm->irqchip = true;
		return 0;
	case KVM_CREATE_PIT2:
		if (vm->pit)
			return -EEXIST;
		vm->pit = true;
		return 0;
	case KVM_IRQ_LINE:
		return vm->irqchip ? 0 : -ENXIO;
	case KVM_SET_GSI_ROUTING:
		return set_gsi_routing(vm, arg);
	case KVM_ENABLE_CAP:
		return enable_cap(arg);
	default:
		return -ENOTTY;
	}
}

/* ---- vCPU ---------------------------------------------------------------- */

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

static long translate(struct vcpu *v, struct kvm_translation *t)
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

static long vcpu_ioctl(struct obj *o, unsigned long req, void *arg)
{
	struct vcpu *v = &fake.vcpus[o->id];

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

/* With the lock held: the VMM is done with the last exit it was given. */
static void take_reply(struct vcpu *v, const struct obj *o)
{
	struct fake_step *s = v->unanswered;

	v->unanswered = NULL;
	if (!s || s->reply)
		return;
	s->reply = malloc(FAKE_RUN_SIZE);
	if (!s->reply)
		die("out of memory");
	memcpy(s->reply, o->view, FAKE_RUN_SIZE);
}

/* With the lock held: the guest ran until step S. */
static void play(struct vcpu *v, struct obj *o, struct fake_step *s)
{
	struct kvm_run *r = (struct kvm_run *)o->view;
	uint64_t off = s->run.io.data_offset;

	r->exit_reason = s->run.exit_reason;
	memcpy((uint8_t *)r + KVM_RUN_EXIT_UNION_OFFSET,
	       (const uint8_t *)&s->run + KVM_RUN_EXIT_UNION_OFFSET, EXIT_UNION_LEN);
	if (s->run.exit_reason == KVM_EXIT_IO && s->data_len && off <= FAKE_RUN_SIZE &&
	    s->data_len <= FAKE_RUN_SIZE - off)
		memcpy(o->view + off, s->data, s->data_len);
	if (s->has_regs)
		v->regs = s->regs;
	if (s->has_sregs)
		v->sregs = s->sregs;
	if (s->has_xlate) {
		v->xlate = s->xlate;
		v->has_xlate = true;
	}
	v->unanswered = s;
}

/* A guest that does not exit: until a signal interrupts KVM_RUN, or at once
 * when immediate_exit is set.  All signals are blocked while immediate_exit
 * is read, so a kick sent after the read is still pending at sigsuspend. */
static void wait_for_signal(const struct kvm_run *r)
{
	sigset_t all, old;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (!__atomic_load_n(&r->immediate_exit, __ATOMIC_SEQ_CST))
		sigsuspend(&old);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Until N threads are inside KVM_RUN; a VMM that never gets there is
 * caught by the test's own timeout. */
static void wait_running(unsigned n)
{
	const struct timespec ms = { 0, 1000000 };

	while (__atomic_load_n(&fake.running, __ATOMIC_SEQ_CST) < n)
		nanosleep(&ms, NULL);
}

/* With the lock held: a scripted answer for REQ, if one applies. */
static bool answered(unsigned long req, long *ret)
{
	for (unsigned i = 0; i < fake.nanswers; i++) {
		struct answer *a = &fake.answers[i];

		if (a->req != req)
			continue;
		if (a->skip) {
			a->skip--;
			return false;
		}
		*ret = a->err ? -a->err : a->ret;
		return true;
	}
	return false;
}

static int run(struct obj *o, void *arg)
{
	struct fake_call c = { .op = FAKE_IOCTL, .fd = o->fd, .kind = FAKE_VCPU, .vcpu = o->id,
			       .req = KVM_RUN, .arg = (uintptr_t)arg };
	struct vcpu *v = &fake.vcpus[o->id];
	const struct kvm_run *r = (const struct kvm_run *)o->view;
	bool block = false;
	long ret = 0;

	__atomic_add_fetch(&fake.running, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&fake.lock);
	take_reply(v, o);
	if (answered(KVM_RUN, &ret)) {
		/* as scripted */
	} else if (arg) {
		ret = -EINVAL;
	} else if (__atomic_load_n(&r->immediate_exit, __ATOMIC_SEQ_CST)) {
		ret = -EINTR;
	} else if (v->next == v->nsteps || v->steps[v->next]->block) {
		v->next += v->next < v->nsteps;
		block = true;
	} else {
		struct fake_step *s = v->steps[v->next++];

		if (s->wait_running) {
			pthread_mutex_unlock(&fake.lock);
			wait_running(s->wait_running);
			pthread_mutex_lock(&fake.lock);
		}
		play(v, o, s);
		ret = -s->err;
	}
	pthread_mutex_unlock(&fake.lock);
	if (block) {
		wait_for_signal(r);
		ret = -EINTR;
	}
	c.ret = ret < 0 ? -1 : ret;
	c.err = ret < 0 ? -ret : 0;
	pthread_mutex_lock(&fake.lock);
	record(&c, NULL, 0);
	pthread_mutex_unlock(&fake.lock);
	__atomic_sub_fetch(&fake.running, 1, __ATOMIC_SEQ_CST);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}

/* ---- The sys_ops --------------------------------------------------------- */

/* Bytes of the struct ARG points to: variable-length ones by their count,
 * read only when the call succeeded (KVM reads no entries otherwise). */
static size_t arg_len(unsigned long req, const void *arg, long ret)
{
	if (!arg || _IOC_DIR(req) == _IOC_NONE)
		return 0;
	if (ret >= 0 && (req == KVM_SET_CPUID2 || req == KVM_GET_SUPPORTED_CPUID))
		return sizeof(struct kvm_cpuid2) +
		       ((const struct kvm_cpuid2 *)arg)->nent * sizeof(struct kvm_cpuid_entry2);
	if (ret >= 0 && req == KVM_SET_GSI_ROUTING)
		return sizeof(struct kvm_irq_routing) + ((const struct kvm_irq_routing *)arg)->nr *
		       sizeof(struct kvm_irq_routing_entry);
	if (ret >= 0 && req == KVM_SET_MSRS)
		return sizeof(struct kvm_msrs) +
		       ((const struct kvm_msrs *)arg)->nmsrs * sizeof(struct kvm_msr_entry);
	return _IOC_SIZE(req);
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	struct fake_call c = { .op = FAKE_IOCTL, .fd = fd, .vcpu = -1, .req = req,
			       .arg = (uintptr_t)arg };
	struct obj *o;
	long ret;

	pthread_mutex_lock(&fake.lock);
	o = find(fd);
	pthread_mutex_unlock(&fake.lock);
	if (o && o->kind == FAKE_VCPU && req == KVM_RUN)
		return run(o, arg);
	if (!o) {
		ret = ioctl(fd, req, arg);
		if (ret < 0)
			ret = -errno;
	}
	pthread_mutex_lock(&fake.lock);
	if (!o) {
		/* the real call's result */
	} else if (answered(req, &ret)) {
		c.kind = o->kind;
	} else {
		c.kind = o->kind;
		if (o->kind == FAKE_VCPU)
			c.vcpu = o->id;
		if (_IOC_DIR(req) != _IOC_NONE && !arg)
			ret = -EFAULT;
		else if (o->kind == FAKE_KVM)
			ret = kvm_ioctl(req, arg);
		else if (o->kind == FAKE_VM)
			ret = vm_ioctl(o, req, arg);
		else if (o->kind == FAKE_VCPU)
			ret = vcpu_ioctl(o, req, arg);
		else
			ret = -ENOTTY;
	}
	c.ret = ret < 0 ? -1 : ret;
	c.err = ret < 0 ? -ret : 0;
	record(&c, arg, arg_len(req, arg, ret));
	pthread_mutex_unlock(&fake.lock);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}

static int fake_open(const char *path, int flags)
{
	struct fake_call c = { .op = FAKE_OPEN, .vcpu = -1, .flags = flags };
	bool kvm = !strcmp(path, "/dev/kvm");
	long ret = kvm ? 0 : open(path, flags);
	struct obj *o;

	if (ret < 0)
		ret = -errno;
	pthread_mutex_lock(&fake.lock);
	if (kvm) {
		c.kind = FAKE_KVM;
		ret = fake.open_err ? -fake.open_err : new_obj(FAKE_KVM, NULL, 0, &o);
	}
	c.fd = ret;
	c.ret = ret < 0 ? -1 : ret;
	c.err = ret < 0 ? -ret : 0;
	record(&c, path, strlen(path) + 1);
	pthread_mutex_unlock(&fake.lock);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}

static void *fake_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct fake_call c = { .op = FAKE_MMAP, .fd = fd, .vcpu = -1, .arg = len, .prot = prot,
			       .flags = flags };
	struct obj *o;
	void *p = MAP_FAILED;
	int err = 0;

	pthread_mutex_lock(&fake.lock);
	o = (flags & MAP_ANONYMOUS) ? NULL : find(fd);
	if (o) {
		c.kind = o->kind;
		c.vcpu = o->kind == FAKE_VCPU ? (int)o->id : -1;
	}
	if (o && (o->kind == FAKE_KVM || o->kind == FAKE_VM))
		err = ENODEV;
	else if (o && o->kind == FAKE_VCPU && (off || len > FAKE_RUN_SIZE))
		err = EINVAL;
	else if (o && o->kind == FAKE_GMEM && !(o->flags & GUEST_MEMFD_FLAG_MMAP))
		err = ENODEV;
	else if (o && o->kind == FAKE_GMEM && !(flags & MAP_SHARED))
		err = EINVAL;
	else if ((p = mmap(addr, len, prot, flags, fd, off)) == MAP_FAILED)
		err = errno;
	else if (o && o->kind == FAKE_VCPU)
		o->vmm_map = p;
	c.addr = (uintptr_t)p;
	c.ret = p == MAP_FAILED ? -1 : 0;
	c.err = err;
	record(&c, NULL, 0);
	pthread_mutex_unlock(&fake.lock);
	if (err)
		errno = err;
	return p;
}

static int fake_munmap(void *addr, size_t len)
{
	struct fake_call c = { .op = FAKE_MUNMAP, .fd = -1, .vcpu = -1, .arg = len,
			       .addr = (uintptr_t)addr };
	int r;

	pthread_mutex_lock(&fake.lock);
	for (unsigned i = 0; i < fake.nobjs; i++) {
		struct obj *o = &fake.objs[i];

		if (o->kind == FAKE_VCPU && o->vmm_map == addr) {
			take_reply(&fake.vcpus[o->id], o);
			o->vmm_map = NULL;
			c.kind = FAKE_VCPU;
			c.vcpu = o->id;
		}
	}
	r = munmap(addr, len);
	c.ret = r;
	c.err = r < 0 ? errno : 0;
	record(&c, NULL, 0);
	pthread_mutex_unlock(&fake.lock);
	if (r < 0)
		errno = c.err;
	return r;
}

static int fake_close(int fd)
{
	struct fake_call c = { .op = FAKE_CLOSE, .fd = fd, .vcpu = -1 };
	struct obj *o;
	int r;

	pthread_mutex_lock(&fake.lock);
	o = find(fd);
	if (o) {
		c.kind = o->kind;
		c.vcpu = o->kind == FAKE_VCPU ? (int)o->id : -1;
		o->open = false;
	}
	r = close(fd);
	c.ret = r;
	c.err = r < 0 ? errno : 0;
	record(&c, NULL, 0);
	pthread_mutex_unlock(&fake.lock);
	if (r < 0)
		errno = c.err;
	return r;
}

const struct sys_ops fake_ops = {
	.open = fake_open,
	.ioctl = fake_ioctl,
	.mmap = fake_mmap,
	.munmap = fake_munmap,
	.close = fake_close,
};

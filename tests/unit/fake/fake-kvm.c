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

#include "tests/unit/fake/fake.h"

#define EXIT_UNION_LEN	(offsetof(struct kvm_run, kvm_valid_regs) - KVM_RUN_EXIT_UNION_OFFSET)

struct answer {
	unsigned long req;
	unsigned skip;
	long ret;
	int err;
};

struct fake_state fake = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* What only the core keeps. */
static struct {
	struct answer answers[MAX_ANSWERS];
	unsigned nanswers;
	int open_err;
	struct fake_call *log;
	size_t nlog, logcap;
	unsigned running;               /* threads inside KVM_RUN */
} core;

void fake__die(const char *fmt, ...)
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
	fake_arch__reset();
	fake.nobjs = core.nanswers = 0;
	core.open_err = 0;
	core.log = NULL;
	core.nlog = core.logcap = 0;
	fake.last_gmem = NULL;
	core.running = 0;
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
		if (o->kind == FAKE_VM && o->type->vm_free)
			o->type->vm_free(o);
		free(o->attrs);
	}
	fake.nobjs = 0;
	fake.last_gmem = NULL;
	for (unsigned v = 0; v < FAKE_MAX_VCPUS; v++)
		for (unsigned s = 0; s < fake.vcpus[v].nsteps; s++) {
			free(fake.vcpus[v].steps[s]->reply);
			free(fake.vcpus[v].steps[s]->peeked);
			free(fake.vcpus[v].steps[s]);
		}
	memset(fake.vcpus, 0, sizeof(fake.vcpus));
	for (size_t i = 0; i < core.nlog; i++)
		free(core.log[i].data);
	free(core.log);
	core.log = NULL;
	core.nlog = core.logcap = 0;
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
		fake__die("too many capabilities");
	fake.caps[fake.ncaps++] = (struct fake_cap){ cap, value };
}

void fake__open_fails(int err)
{
	core.open_err = err;
}

void fake__answer(unsigned long req, unsigned skip, long ret, int err)
{
	if (core.nanswers == MAX_ANSWERS)
		fake__die("too many answers");
	core.answers[core.nanswers++] = (struct answer){ req, skip, ret, err };
}

/* ---- Scripts ------------------------------------------------------------- */

struct fake_step *fake__step(unsigned vcpu, uint32_t exit_reason)
{
	struct fake_vcpu *v;
	struct fake_step *s;

	if (vcpu >= FAKE_MAX_VCPUS)
		fake__die("vCPU %u: the fake has %d", vcpu, FAKE_MAX_VCPUS);
	v = &fake.vcpus[vcpu];
	if (v->nsteps == FAKE_MAX_STEPS)
		fake__die("vCPU %u: script full", vcpu);
	s = calloc(1, sizeof(*s));
	if (!s)
		fake__die("out of memory");
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
			fake__die("IO step of %u x %u bytes", size, count);
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
		fake__die("MMIO step of %u bytes", len);
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

	if (core.nlog == core.logcap) {
		size_t cap = core.logcap ? 2 * core.logcap : 256;
		struct fake_call *n = realloc(core.log, cap * sizeof(*n));

		if (!n)
			fake__die("out of memory");
		core.log = n;
		core.logcap = cap;
	}
	l = &core.log[core.nlog++];
	*l = *c;
	l->data = NULL;
	l->len = 0;
	if (data && len) {
		l->data = malloc(len);
		if (!l->data)
			fake__die("out of memory");
		memcpy(l->data, data, len);
		l->len = len;
	}
}

const struct fake_call *fake__calls(size_t *n)
{
	*n = core.nlog;
	return core.log;
}

const struct fake_call *fake__find(int vcpu, unsigned long req, unsigned nth)
{
	for (size_t i = 0; i < core.nlog; i++) {
		const struct fake_call *c = &core.log[i];

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
	return __atomic_load_n(&core.running, __ATOMIC_SEQ_CST);
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

struct obj *fake__obj(int fd)
{
	for (unsigned i = 0; i < fake.nobjs; i++)
		if (fake.objs[i].open && fake.objs[i].fd == fd)
			return &fake.objs[i];
	return NULL;
}

long fake__cap(long cap)
{
	for (unsigned i = 0; i < fake.ncaps; i++)
		if (fake.caps[i].cap == cap)
			return fake.caps[i].value;
	return 0;
}

long fake__new_obj(enum fake_kind kind, struct obj *vm, uint64_t size, struct obj **o)
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

static long kvm_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case KVM_GET_API_VERSION:
		return arg ? -EINVAL : KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return fake__cap((long)arg);
	case KVM_CREATE_VM:
		return fake_vm__create((unsigned long)arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : FAKE_RUN_SIZE;
	default:
		return fake_arch__kvm_ioctl(req, arg);
	}
}

/* Guest memory at [GPA, +LEN) as the VMM maps it (a slot's
 * userspace_addr), or NULL. */
static uint8_t *shared_hva(const struct obj *vm, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < MAX_SLOTS; i++) {
		const struct kvm_userspace_memory_region2 *s = &vm->slots[i];

		if (s->memory_size && gpa >= s->guest_phys_addr && len <= s->memory_size &&
		    gpa - s->guest_phys_addr <= s->memory_size - len)
			return (uint8_t *)(uintptr_t)(s->userspace_addr + gpa - s->guest_phys_addr);
	}
	return NULL;
}

/* With the lock held: the VMM is done with the last exit it was given. */
static void take_reply(struct fake_vcpu *v, const struct obj *o)
{
	struct fake_step *s = v->unanswered;
	const uint8_t *peek;

	v->unanswered = NULL;
	if (!s || s->reply)
		return;
	s->reply = malloc(FAKE_RUN_SIZE);
	if (!s->reply)
		fake__die("out of memory");
	memcpy(s->reply, o->view, FAKE_RUN_SIZE);
	if (s->peek_len && (peek = shared_hva(o->vm, s->peek_gpa, s->peek_len))) {
		s->peeked = malloc(s->peek_len);
		if (!s->peeked)
			fake__die("out of memory");
		memcpy(s->peeked, peek, s->peek_len);
	}
}

/* With the lock held: the guest ran until step S. */
static void play(struct fake_vcpu *v, struct obj *o, struct fake_step *s)
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
	if (s->poke_len) {
		uint8_t *hva = shared_hva(o->vm, s->poke_gpa, s->poke_len);

		if (!hva)
			fake__die("poke at %#llx: no slot", (unsigned long long)s->poke_gpa);
		memcpy(hva, s->poke, s->poke_len);
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

	while (__atomic_load_n(&core.running, __ATOMIC_SEQ_CST) < n)
		nanosleep(&ms, NULL);
}

/* With the lock held: a scripted answer for REQ, if one applies. */
static bool answered(unsigned long req, long *ret)
{
	for (unsigned i = 0; i < core.nanswers; i++) {
		struct answer *a = &core.answers[i];

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
	struct fake_vcpu *v = &fake.vcpus[o->id];
	const struct kvm_run *r = (const struct kvm_run *)o->view;
	bool block = false;
	long ret = 0;

	__atomic_add_fetch(&core.running, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&fake.lock);
	take_reply(v, o);
	if (answered(KVM_RUN, &ret)) {
		/* as scripted */
	} else if (arg) {
		ret = -EINVAL;
	} else if (__atomic_load_n(&r->immediate_exit, __ATOMIC_SEQ_CST)) {
		ret = -EINTR;
	} else if (o->vm->type->run && o->vm->type->run(o, v, &ret)) {
		/* the VM type's own exit or refusal */
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
	__atomic_sub_fetch(&core.running, 1, __ATOMIC_SEQ_CST);
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
	size_t n;

	if (!arg || _IOC_DIR(req) == _IOC_NONE)
		return 0;
	n = fake_arch__arg_len(req, arg, ret);
	return n ? n : _IOC_SIZE(req);
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	struct fake_call c = { .op = FAKE_IOCTL, .fd = fd, .vcpu = -1, .req = req,
			       .arg = (uintptr_t)arg };
	struct obj *o;
	long ret;

	pthread_mutex_lock(&fake.lock);
	o = fake__obj(fd);
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
			ret = fake_vm__ioctl(o, req, arg);
		else if (o->kind == FAKE_VCPU)
			ret = o->vm->type->vcpu_ioctl(o, req, arg);
		else if (o->kind == FAKE_DEVICE && o->vm->type->device_ioctl)
			ret = o->vm->type->device_ioctl(o, req, arg);
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
	enum fake_kind kind = !strcmp(path, "/dev/kvm") ? FAKE_KVM : fake_arch__open(path);
	long ret = kind != FAKE_REAL ? 0 : open(path, flags);
	struct obj *o;

	if (ret < 0)
		ret = -errno;
	pthread_mutex_lock(&fake.lock);
	if (kind == FAKE_KVM)
		ret = core.open_err ? -core.open_err : fake__new_obj(FAKE_KVM, NULL, 0, &o);
	else if (kind != FAKE_REAL)
		ret = fake__new_obj(kind, NULL, 0, &o);
	c.kind = kind;
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
	o = (flags & MAP_ANONYMOUS) ? NULL : fake__obj(fd);
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

/* Records the result R of a libc call made with the lock held (errno set on
 * failure), drops the lock and gives R back with that errno. */
static int record_libc(struct fake_call *c, int r)
{
	c->ret = r;
	c->err = r < 0 ? errno : 0;
	record(c, NULL, 0);
	pthread_mutex_unlock(&fake.lock);
	if (r < 0)
		errno = c->err;
	return r;
}

static int fake_munmap(void *addr, size_t len)
{
	struct fake_call c = { .op = FAKE_MUNMAP, .fd = -1, .vcpu = -1, .arg = len,
			       .addr = (uintptr_t)addr };

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
	return record_libc(&c, munmap(addr, len));
}

static int fake_close(int fd)
{
	struct fake_call c = { .op = FAKE_CLOSE, .fd = fd, .vcpu = -1 };
	struct obj *o;

	pthread_mutex_lock(&fake.lock);
	o = fake__obj(fd);
	if (o) {
		c.kind = o->kind;
		c.vcpu = o->kind == FAKE_VCPU ? (int)o->id : -1;
		o->open = false;
	}
	return record_libc(&c, close(fd));
}

/* Hole punches in a guest_memfd follow its rules; other fds are real. */
static int fake_fallocate(int fd, int mode, off_t off, off_t len)
{
	struct fake_call c = { .op = FAKE_FALLOCATE, .fd = fd, .vcpu = -1, .arg = (uint64_t)off,
			       .addr = (uint64_t)len, .flags = mode };
	struct obj *o;
	long ret;

	pthread_mutex_lock(&fake.lock);
	o = fake__obj(fd);
	if (o && o->kind == FAKE_GMEM) {
		c.kind = FAKE_GMEM;
		ret = fake_vm__fallocate(o, mode, off, len);
	} else if (o) {
		c.kind = o->kind;
		ret = -ENODEV;
	} else {
		ret = fallocate(fd, mode, off, len) < 0 ? -errno : 0;
	}
	c.ret = ret < 0 ? -1 : 0;
	c.err = ret < 0 ? -ret : 0;
	record(&c, NULL, 0);
	pthread_mutex_unlock(&fake.lock);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return 0;
}

const struct sys_ops fake_ops = {
	.open = fake_open,
	.ioctl = fake_ioctl,
	.mmap = fake_mmap,
	.munmap = fake_munmap,
	.close = fake_close,
	.fallocate = fake_fallocate,
};

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loader/error.h"
#include "vmm/arch.h"
#include "vmm/kvm-abi.h"
#include "vmm/vcpu.h"
#include "vmm/sys.h"

/* SIGUSR1 only interrupts KVM_RUN; immediate_exit closes the race where it
 * arrives just before the vCPU enters the guest. */
#define VCPU_KICK SIGUSR1

static void kick_handler(int sig)
{
	(void)sig;
}

int vcpu__create(struct vm *vm, struct vcpu *v, unsigned id)
{
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->id = id;
	v->fd = sys__ioctl(vm->kvm.vm_fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0)
		return err__set_status(CVM_EXIT_FAIL, "KVM_CREATE_VCPU(%u): %s", id, strerror(errno));
	v->run = sys->mmap(NULL, vm->kvm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		int e = errno;

		/* Not counted in vm->nvcpus yet: teardown would not close it. */
		sys->close(v->fd);
		v->run = NULL;
		v->fd = -1;
		return err__set_status(CVM_EXIT_FAIL, "sys->mmap(vCPU %u): %s", id, strerror(e));
	}
	return 0;
}

void vcpu__destroy(struct vcpu *v)
{
	if (v->run)
		sys->munmap(v->run, v->vm->kvm.run_size);
	if (v->fd > 0)
		sys->close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

static void do_io(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	uint64_t bytes = (uint64_t)r->io.size * r->io.count;
	uint8_t *p = (uint8_t *)r + r->io.data_offset;

	if (r->io.size == 0 || r->io.data_offset > (uint64_t)v->vm->kvm.run_size ||
	    bytes > v->vm->kvm.run_size - r->io.data_offset)
		return;
	for (uint32_t i = 0; i < r->io.count; i++, p += r->io.size)
		arch__io(v->vm, r->io.port, r->io.direction == KVM_EXIT_IO_OUT, p, r->io.size);
}

static void do_mmio(struct vcpu *v)
{
	/* No MMIO devices yet: writes vanish, reads float high. */
	if (!v->run->mmio.is_write)
		memset(v->run->mmio.data, 0xff, sizeof(v->run->mmio.data));
}

static void do_hypercall(struct vcpu *v)
{
	struct kvm_run *r = v->run;

	/* A plain VM has no private memory to convert to; a guest asking
	 * for MAP_GPA_RANGE here gets an error, not a crash. */
	r->hypercall.ret = -KVM_ENOSYS;
	if (r->hypercall.nr == KVM_HC_MAP_GPA_RANGE && v->vm->kvm.caps.mem_attributes)
		r->hypercall.ret = -KVM_EINVAL;
}

static void do_system_event(struct vcpu *v)
{
	struct kvm_run *r = v->run;

	switch (r->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm__exit(v->vm, 0);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm__stop(v->vm, 0, "guest reset");
		break;
	case KVM_SYSTEM_EVENT_SEV_TERM:
		vm__stop(v->vm, CVM_EXIT_FAIL, "SEV guest terminated (GHCB %#llx)",
			 (unsigned long long)r->system_event.data[0]);
		break;
	case KVM_SYSTEM_EVENT_TDX_FATAL:
		vm__stop(v->vm, CVM_EXIT_FAIL, "TDX guest reported a fatal error %#llx",
			 (unsigned long long)r->system_event.data[0]);
		break;
	default:
		vm__stop(v->vm, CVM_EXIT_FAIL, "guest system event %u (crash)",
			 r->system_event.type);
	}
}

static void stop_at(struct vcpu *v, const char *what)
{
	char where[160];

	arch__vcpu_where(v, where, sizeof(where));
	vm__stop(v->vm, CVM_EXIT_FAIL, "vCPU %u: %s at %s", v->id, what, where);
}

static void run_failed(struct vcpu *v, int err)
{
	const struct cvm_memory_fault_exit *mf = kvm_run__memory_fault(v->run);
	char what[128];

	if ((err == EFAULT || err == EHWPOISON) && v->run->exit_reason == KVM_EXIT_MEMORY_FAULT) {
		/* Only a TEE backend could convert; on a plain VM it is fatal. */
		snprintf(what, sizeof(what), "memory fault on gpa %#llx size %#llx (%s access)",
			 (unsigned long long)mf->gpa, (unsigned long long)mf->size,
			 mf->flags & KVM_MEMORY_EXIT_FLAG_PRIVATE ? "private" : "shared");
		stop_at(v, what);
		return;
	}
	snprintf(what, sizeof(what), "KVM_RUN: %s", strerror(err));
	stop_at(v, what);
}

/* Handles one exit; false when this vCPU should run no more. */
static bool handle_exit(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	char what[96];

	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		do_io(v);
		return true;
	case KVM_EXIT_MMIO:
		do_mmio(v);
		return true;
	case KVM_EXIT_HYPERCALL:
		do_hypercall(v);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC: nothing can wake it. */
		vm__stop(v->vm, 0, "vCPU %u halted", v->id);
		return false;
	case KVM_EXIT_SHUTDOWN:
		vm__stop(v->vm, 0, "guest reset (triple fault on vCPU %u)", v->id);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		do_system_event(v);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what), "entry failed, hardware reason %#llx",
			 (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
		stop_at(v, what);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(what, sizeof(what), "KVM internal error, suberror %u",
			 r->internal.suberror);
		stop_at(v, what);
		return false;
	default:
		snprintf(what, sizeof(what), "unhandled exit reason %u", r->exit_reason);
		stop_at(v, what);
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	while (!vm__stopping(v->vm)) {
		if (sys__ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_RELAXED);
				continue;
			}
			run_failed(v, errno);
			break;
		}
		if (!handle_exit(v))
			break;
	}
	return NULL;
}

int vcpu__start(struct vcpu *v)
{
	static const struct sigaction sa = { .sa_handler = kick_handler };
	sigset_t set;
	int r;

	sigaction(VCPU_KICK, &sa, NULL);
	/* Threads inherit the mask: only vCPU threads take the kick. */
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	r = pthread_create(&v->thread, NULL, vcpu_thread, v);
	if (r)
		return err__set_status(CVM_EXIT_FAIL, "vCPU %u thread: %s", v->id, strerror(r));
	v->started = true;
	return 0;
}

void vcpu__join(struct vcpu *v)
{
	if (!v->started)
		return;
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELAXED);
	pthread_kill(v->thread, VCPU_KICK);
	pthread_join(v->thread, NULL);
	v->started = false;
}

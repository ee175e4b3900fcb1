#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loader/error.h"
#include "vmm/arch.h"
#include "vmm/kvm-abi.h"
#include "vmm/private-mem.h"
#include "vmm/sys.h"
#include "vmm/tee.h"
#include "vmm/vcpu.h"

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

	if (r->io.size == 0 || r->io.size > 8 || r->io.data_offset > (uint64_t)v->vm->kvm.run_size ||
	    bytes > v->vm->kvm.run_size - r->io.data_offset)
		return;
	for (uint32_t i = 0; i < r->io.count; i++, p += r->io.size)
		io__access(&v->vm->io, IO_PIO, r->io.port, r->io.direction == KVM_EXIT_IO_OUT, p,
			   r->io.size);
}

static void do_mmio(struct vcpu *v)
{
	struct kvm_run *r = v->run;

	if (r->mmio.len == 0 || r->mmio.len > sizeof(r->mmio.data))
		return;
	io__access(&v->vm->io, IO_MMIO, r->mmio.phys_addr, r->mmio.is_write, r->mmio.data,
		   r->mmio.len);
}

static void do_system_event(struct vcpu *v)
{
	struct kvm_run *r = v->run;

	switch (r->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm__guest_ended(v->vm, "guest powered off");
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm__guest_ended(v->vm, "guest reset");
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

/* KVM_RUN failed with ERR: a memory fault goes to the conversion engine,
 * anything else ends the VM.  False when the vCPU should not run on. */
static bool run_failed(struct vcpu *v, int err)
{
	const struct cvm_memory_fault_exit *mf = kvm_run__memory_fault(v->run);
	char what[64];

	if ((err == EFAULT || err == EHWPOISON) && v->run->exit_reason == KVM_EXIT_MEMORY_FAULT)
		return private_mem__fault(v->vm, v->id, mf->gpa, mf->size,
					  mf->flags & KVM_MEMORY_EXIT_FLAG_PRIVATE);
	snprintf(what, sizeof(what), "KVM_RUN: %s", strerror(err));
	stop_at(v, what);
	return false;
}

/* Handles one exit; false when this vCPU should run no more. */
static bool handle_exit(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	char what[96];
	bool more = true;

	if (v->vm->tee->handle_exit && v->vm->tee->handle_exit(v, &more))
		return more;
	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		do_io(v);
		return true;
	case KVM_EXIT_MMIO:
		do_mmio(v);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC: nothing can wake it. */
		snprintf(what, sizeof(what), "vCPU %u halted", v->id);
		vm__guest_ended(v->vm, what);
		return false;
	case KVM_EXIT_SHUTDOWN:
		snprintf(what, sizeof(what), "guest reset (triple fault on vCPU %u)", v->id);
		vm__guest_ended(v->vm, what);
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
	}
	if (arch__handle_exit(v, &more))
		return more;
	snprintf(what, sizeof(what), "unhandled exit reason %u", r->exit_reason);
	stop_at(v, what);
	return false;
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
			if (run_failed(v, errno))
				continue;
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

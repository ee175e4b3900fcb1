#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loader/error.h"
#include "vmm/arch.h"
#include "vmm/private-mem.h"
#include "vmm/seccomp.h"
#include "vmm/tee.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

static void end(struct vm *vm, int status, const char *why)
{
	pthread_mutex_lock(&vm->lock);
	if (!vm->stopping) {
		vm->stopping = true;
		vm->status = status;
		snprintf(vm->why, sizeof(vm->why), "%s", why);
		pthread_cond_broadcast(&vm->ended);
	}
	pthread_mutex_unlock(&vm->lock);
}

void vm__stop(struct vm *vm, int status, const char *fmt, ...)
{
	char why[sizeof(vm->why)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	end(vm, status, why);
}

void vm__exit(struct vm *vm, int status)
{
	end(vm, status, "");
}

bool vm__stopping(struct vm *vm)
{
	bool s;

	pthread_mutex_lock(&vm->lock);
	s = vm->stopping;
	pthread_mutex_unlock(&vm->lock);
	return s;
}

void vm__guest_ended(struct vm *vm, const char *why)
{
	/* A smoke test must not pass a guest that died before its marker:
	 * after a match the VM is already stopping and this is a no-op. */
	if (vm->cfg->expect)
		vm__stop(vm, CVM_EXIT_NOMATCH, "%s before --expect matched", why);
	else
		vm__stop(vm, 0, "%s", why);
}

/* The console's end: --expect matched (0), or its output failed. */
static void on_console(void *ctx, int err)
{
	struct vm *vm = ctx;

	if (!err)
		vm__exit(vm, 0);
	else
		vm__stop(vm, CVM_EXIT_FAIL, "console: writing to %s: %s", vm->console.out_name,
			 strerror(err));
}

/* Terminal input to the console device until the VM stops; the stop pipe
 * wakes it at once, so cvm-run's exit never waits on a poll timeout. */
static void *input_thread(void *arg)
{
	struct vm *vm = arg;
	struct pollfd pfd[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = vm->input_stop[0], .events = POLLIN },
	};
	uint8_t c;

	while (!vm__stopping(vm)) {
		if (poll(pfd, 2, -1) <= 0)
			continue;
		if (pfd[1].revents)
			break;
		if (read(STDIN_FILENO, &c, 1) != 1)
			break;
		while (!vm->console_in(vm->console_in_ctx, c) && !vm__stopping(vm))
			usleep(1000);
	}
	return NULL;
}

/* Waits for the VM to end, or for the timeout. */
static void wait_end(struct vm *vm)
{
	struct timespec dl;

	clock_gettime(CLOCK_REALTIME, &dl);
	if (vm->cfg->timeout > 0) {
		double t = vm->cfg->timeout;

		dl.tv_sec += (time_t)t;
		dl.tv_nsec += (long)((t - (time_t)t) * 1e9);
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&vm->lock);
	while (!vm->stopping) {
		if (vm->cfg->timeout <= 0) {
			pthread_cond_wait(&vm->ended, &vm->lock);
		} else if (pthread_cond_timedwait(&vm->ended, &vm->lock, &dl) == ETIMEDOUT) {
			vm->stopping = true;
			vm->status = CVM_EXIT_TIMEOUT;
			snprintf(vm->why, sizeof(vm->why), "timeout after %g s", vm->cfg->timeout);
		}
	}
	pthread_mutex_unlock(&vm->lock);
}

static int load_plan(struct vm *vm)
{
	for (size_t i = 0; i < vm->plan.nops; i++) {
		const struct plan_op *op = &vm->plan.ops[i];

		if ((vm->tee->load ? vm->tee->load(vm, op) : guest__load_op(&vm->mem, op)) < 0)
			return -1;
	}
	return 0;
}

/* Boot as one linear sequence (vmm/tee.h has the backend's part in it). */
static int setup(struct vm *vm)
{
	const struct tee_ops *tee = vm->tee;
	const struct vm_config *c = vm->cfg;
	struct guest_range ranges[GUEST_MAX_SLOTS];
	struct guest_mem_cfg mem = {
		.model = tee->memory,
		.backend = c->backend,
		.strict = c->backend_explicit,
		.ranges = ranges,
	};
	char note[160];

	if (kvm__open(&vm->kvm) < 0)
		return -1;
	if (tee->check && tee->check(&vm->kvm, note, sizeof(note)) < 0)
		return -1;
	if (kvm__create_vm(&vm->kvm, tee->vm_type(vm)) < 0)
		return -1;
	if ((uint64_t)c->cpus > (uint64_t)vm->kvm.caps.max_vcpus)
		return err__set_status(CVM_EXIT_NOHOST, "--cpus %u: this KVM allows at most %d",
				       c->cpus, vm->kvm.caps.max_vcpus);
	if (tee->vm_init && tee->vm_init(vm) < 0)
		return -1;
	mem.nranges = arch__ram_ranges(c->mem, ranges);
	if (vm->plan.fw_size)
		ranges[mem.nranges++] = (struct guest_range){ vm->plan.fw_gpa, vm->plan.fw_size,
							      .rom = true };
	/* The interrupt controllers before guest RAM: with KVM_CREATE_IRQCHIP's
	 * SRCU updates first and the memslots' last, process exit tears the
	 * VM down in about 1 ms here, against 8-12 ms the other way round
	 * (README, "Benchmarks"). */
	if (arch__vm_init(vm) < 0 || guest__init(&vm->mem, &vm->kvm, &mem) < 0 ||
	    (tee->mem_init && tee->mem_init(vm) < 0))
		return -1;
	vm->vcpus = calloc(c->cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	for (unsigned i = 0; i < c->cpus; i++) {
		if (vcpu__create(vm, &vm->vcpus[i], i) < 0)
			return -1;
		vm->nvcpus = i + 1;
		if (arch__vcpu_init(&vm->vcpus[i]) < 0 ||
		    (tee->vcpu_init && tee->vcpu_init(&vm->vcpus[i]) < 0))
			return -1;
	}
	if ((tee->private_before_load && private_mem__make_private(vm) < 0) ||
	    load_plan(vm) < 0 || (tee->finalize && tee->finalize(vm) < 0))
		return -1;
	vm->tee_ready = true;
	return arch__vm_ready(vm) < 0 ? -1 : console__open(&vm->console, c->console_file);
}

static void teardown(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu__destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	if (vm->tee && vm->tee->exit)
		vm->tee->exit(vm);
	arch__vm_exit(vm);
	guest__exit(&vm->mem);
	kvm__close(&vm->kvm);
	for (int i = 0; i < 2; i++)
		if (vm->input_stop[i] >= 0)
			close(vm->input_stop[i]);
	console__exit(&vm->console);
	plan__exit(&vm->plan);
	pthread_cond_destroy(&vm->ended);
	pthread_mutex_destroy(&vm->lock);
}

/* --peek, after the vCPUs stopped and before RAM goes: guest__read shows
 * only what the guest shares, and says why not otherwise. */
static void peek(struct vm *vm)
{
	uint8_t b[16];

	for (unsigned i = 0; i < vm->cfg->npeek; i++) {
		uint64_t gpa = vm->cfg->peek[i];

		fprintf(stderr, "cvm-run: peek %#llx:", (unsigned long long)gpa);
		if (guest__read(&vm->mem, gpa, b, sizeof(b)) < 0) {
			fprintf(stderr, " %s\n", err__msg());
			continue;
		}
		for (size_t j = 0; j < sizeof(b); j++)
			fprintf(stderr, " %02x", b[j]);
		fprintf(stderr, "  |");
		for (size_t j = 0; j < sizeof(b); j++)
			fputc(b[j] >= 0x20 && b[j] < 0x7f ? b[j] : '.', stderr);
		fprintf(stderr, "|\n");
	}
}

static void print_plan(const struct plan *p)
{
	for (size_t i = 0; i < p->nops; i++)
		printf("%#018llx %#12llx %-14s %s\n", (unsigned long long)p->ops[i].gpa,
		       (unsigned long long)p->ops[i].len, plan__kind_name(p->ops[i].kind),
		       p->ops[i].what);
	for (size_t i = 0; i < p->fw_cfg.n; i++) {
		const struct fw_cfg_item *it = &p->fw_cfg.items[i];

		/* In the ops' columns: no address, the size, key or file. */
		if (it->key)
			printf("%-18s %#12zx %-14s %#06x\n", "fw_cfg", it->len, "key", it->key);
		else
			printf("%-18s %#12zx %-14s %s\n", "fw_cfg", it->len, "file", it->name);
	}
	printf("entry: %s at %#llx, arg %#llx\n", plan__entry_name(p->entry.mode),
	       (unsigned long long)p->entry.pc, (unsigned long long)p->entry.arg);
}

static int run(const struct vm_config *cfg, bool leave)
{
	struct vm vm = { .cfg = cfg, .kvm = { .sys_fd = -1, .vm_fd = -1 },
			 .input_stop = { -1, -1 } };
	pthread_t input;
	bool have_input = false;
	int status;

	pthread_mutex_init(&vm.lock, NULL);
	pthread_cond_init(&vm.ended, NULL);
	plan__init(&vm.plan);
	vm.tee = tee__find(cfg->tee);
	if (!vm.tee || guest__check_ram(cfg->mem) < 0 ||
	    (vm.tee->plan ? vm.tee->plan(&vm) : arch__prepare(&vm)) < 0 ||
	    plan__validate(&vm.plan) < 0)
		goto fail;
	if (cfg->dry_run) {
		print_plan(&vm.plan);
		if (vm.tee->dry_run && vm.tee->dry_run(&vm) < 0)
			goto fail;
		teardown(&vm);
		return 0;
	}
	if (console__init(&vm.console, cfg->expect, on_console, &vm) < 0 || setup(&vm) < 0 ||
	    (!cfg->no_seccomp && seccomp__install() < 0))
		goto fail;
	if (vm.console_in && console__want_input(&vm.console) &&
	    pipe2(vm.input_stop, O_CLOEXEC) == 0)
		have_input = pthread_create(&input, NULL, input_thread, &vm) == 0;
	for (unsigned i = 0; vm.tee_ready && i < vm.nvcpus; i++)
		if (vcpu__start(&vm.vcpus[i]) < 0)
			vm__stop(&vm, err__status(), "%s", err__msg());
	wait_end(&vm);
	for (unsigned i = 0; i < vm.nvcpus; i++)
		vcpu__join(&vm.vcpus[i]);
	if (have_input) {
		/* A pipe with room never refuses one byte. */
		ssize_t w = write(vm.input_stop[1], "", 1);

		(void)w;
		pthread_join(input, NULL);
	}
	status = vm.status;
	if (vm.why[0])
		fprintf(stderr, "cvm-run: %s\n", vm.why);
	peek(&vm);
	/* The terminal as it was, whichever way out (teardown does it again:
	 * a no-op). */
	console__exit(&vm.console);
	/* Exit from this frame: what the VM holds stays reachable, not lost. */
	if (leave)
		exit(status);
	teardown(&vm);
	return status;
fail:
	status = err__status();
	fprintf(stderr, "cvm-run: %s\n", err__msg());
	teardown(&vm);
	return status;
}

int vm__run(const struct vm_config *cfg)
{
	return run(cfg, false);
}

/* Unmapping guest RAM while the VM lives makes KVM invalidate the whole
 * range (a walk over every page on shadow-paging hosts: 5 ms at 64 GiB),
 * which process exit avoids: it releases KVM's MMU notifier before it
 * unmaps anything.  The rest of the teardown is work exit does anyway. */
void vm__run_and_exit(const struct vm_config *cfg)
{
	exit(run(cfg, true));
}

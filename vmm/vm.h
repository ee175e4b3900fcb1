/* A running VM: memory, vCPU threads, devices, and how it ends. */
#ifndef CVM_VM_H
#define CVM_VM_H

#include <pthread.h>
#include <stdbool.h>

#include "loader/plan.h"
#include "vm-arch.h"
#include "vmm/config.h"
#include "vmm/console.h"
#include "vmm/io.h"
#include "vmm/kvm.h"
#include "vmm/memory.h"

struct kvm_run;
struct tee_ops;

struct vcpu {
	struct vm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
};

struct vm {
	const struct vm_config *cfg;
	const struct tee_ops *tee;
	void *tee_state;                /* the backend's own */
	bool tee_ready;                 /* finalize ran: vCPUs may start */
	struct kvm kvm;
	struct guest_mem mem;
	struct plan plan;
	struct vcpu *vcpus;
	unsigned nvcpus;
	struct io_map io;
	struct console console;
	/* Host input for the guest's console device (the arch's UART). */
	bool (*console_in)(void *ctx, uint8_t byte);
	void *console_in_ctx;
	struct vm_arch arch;
	int input_stop[2];              /* pipe: wakes the terminal input thread */

	pthread_mutex_t lock;           /* guards the end state below */
	pthread_cond_t ended;
	bool stopping;
	int status;                     /* the process exit status */
	char why[256];                  /* printed on stderr when not empty */
};

/* Builds, runs and tears down the VM CFG describes; returns the exit status. */
int vm__run(const struct vm_config *cfg);
/* The same for a program, which then exits with that status: a VM that ran
 * is left to process exit, which tears it down for less. */
_Noreturn void vm__run_and_exit(const struct vm_config *cfg);
/* Ends the VM with STATUS and a reason for stderr; the first caller wins. */
void vm__stop(struct vm *vm, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ends the VM with STATUS, nothing to report (the guest asked for it). */
void vm__exit(struct vm *vm, int status);
/* The guest shut down, reset or powered off (WHY, for stderr): status 0,
 * unless --expect has not matched yet, which makes it a failure. */
void vm__guest_ended(struct vm *vm, const char *why);
bool vm__stopping(struct vm *vm);

#endif

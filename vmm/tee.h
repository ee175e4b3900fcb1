/* Confidential-launch backends: QEMU's confidential-guest-support class
 * without QOM.  A backend is a small table of hooks that vm__run calls in
 * one fixed sequence (vmm/vm.c):
 *
 *   plan -> check -> KVM_CREATE_VM(vm_type) -> vm_init -> arch VM set-up
 *   -> guest RAM -> mem_init -> vCPUs (arch set-up, vcpu_init) -> load
 *   each plan op -> finalize -> vCPUs run; every exit goes to handle_exit
 *   first.  --dry-run stops after plan (and dry_run).
 *
 * NULL hooks do the plain thing.  Generic code asks a backend's properties
 * (its memory model, whether a fault converts), never its identity.  A
 * backend this build lacks is refused with exit status 3: a requested
 * security feature is never silently dropped. */
#ifndef CVM_TEE_H
#define CVM_TEE_H

#include <stdbool.h>
#include <stddef.h>

#include "loader/plan.h"
#include "vmm/memory.h"

struct kvm;
struct vcpu;
struct vm;

struct tee_ops {
	const char *name;               /* the --tee value */
	const char *desc;               /* "software-protected VM", for messages */
	enum mem_model memory;          /* where guest RAM lives (vmm/memory.h) */
	bool convert_on_fault;          /* a memory-fault exit converts the page (SNP, TDX) */
	/* All guest RAM private before the first plan op is loaded (TDX,
	 * realms): their payload is added into private memory, which KVM
	 * refuses for shared pages, and the guest accepts the rest in place
	 * (a shared page would cost a memory-fault exit per 4 KiB). */
	bool private_before_load;
	/* vCPU registers belong to the TEE: the architecture sets up CPUID
	 * and nothing else (TDX refuses register, MSR and LAPIC ioctls). */
	bool protected_regs;
	/* Interrupt controllers: only the local APIC in KVM, no PIC, IOAPIC
	 * or PIT (x86 split irqchip, which TDX needs before any vCPU), and the
	 * APIC timer's bus period in ns (0: KVM's default). */
	bool split_irqchip;
	unsigned apic_bus_ns;

	/* The KVM_CREATE_VM argument. */
	unsigned long (*vm_type)(const struct vm *vm);
	/* Can this host launch it?  0 with a short note of what was found
	 * (VM-scoped capabilities asked on a VM of the backend's type), or -1
	 * with the reason (status 3).  Runs on an opened /dev/kvm. */
	int (*check)(struct kvm *k, char *note, size_t len);
	/* Builds vm->plan from the user's inputs; NULL: arch__prepare. */
	int (*plan)(struct vm *vm);
	/* --dry-run, after the plan is printed: what the launch measures. */
	int (*dry_run)(struct vm *vm);
	/* After KVM_CREATE_VM, before memory (SEV_INIT2, TDX_INIT_VM ...). */
	int (*vm_init)(struct vm *vm);
	/* Once guest RAM exists (KVM_MEMORY_ENCRYPT_REG_REGION ...). */
	int (*mem_init)(struct vm *vm);
	/* After the architecture's own vCPU set-up (TDX_INIT_VCPU ...). */
	int (*vcpu_init)(struct vcpu *v);
	/* Puts one plan op into the guest; NULL: PLAN_LOAD ops are copied into
	 * shared RAM, any other kind is refused. */
	int (*load)(struct vm *vm, const struct plan_op *op);
	/* After the last op (LAUNCH_FINISH, FINALIZE_VM ...). */
	int (*finalize)(struct vm *vm);
	/* Any exit, before the generic loop sees it: true if handled, with
	 * *more false when this vCPU should stop. */
	bool (*handle_exit)(struct vcpu *v, bool *more);
	void (*exit)(struct vm *vm);
};

/* Every --tee value cvm knows, built here or not ("none sw-protected ..."). */
extern const char *const tee_names[];
/* Whether NAME is one of tee_names. */
bool tee__known(const char *name);
/* The backend NAME of this build, or NULL with status 3 and a line saying
 * what this build has instead. */
const struct tee_ops *tee__find(const char *name);
/* The backends this build has, "none" first, NULL-terminated. */
const struct tee_ops *const *tee__list(void);

/* The plain VM: the architecture's default VM type, RAM as the user chose. */
extern const struct tee_ops tee_none;
/* This architecture's backends, NULL-terminated (arch/<arch>/kvm-tee.c). */
extern const struct tee_ops *const arch__tees[];

#endif

/* vCPU threads and the exit loop. */
#ifndef CVM_VCPU_H
#define CVM_VCPU_H

#include "vmm/vm.h"

/* Creates vCPU ID (fd + kvm_run mapping). */
int vcpu__create(struct vm *vm, struct vcpu *v, unsigned id);
void vcpu__destroy(struct vcpu *v);
/* Starts the thread that runs V until the VM stops. */
int vcpu__start(struct vcpu *v);
/* Kicks V out of KVM_RUN (the VM is stopping) and joins its thread. */
void vcpu__join(struct vcpu *v);

#endif

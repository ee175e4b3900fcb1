/* pKVM protected VMs on the mainline ABI (Linux 7.1+): KVM_CREATE_VM with
 * KVM_VM_TYPE_ARM_PROTECTED, on a host booted with kvm-arm.mode=protected.
 *
 * The hypervisor at EL2 takes each page the guest touches away from the
 * host until the guest shares it (MEM_SHARE, handled at EL2: cvm-run never
 * sees it).  So RAM is ordinary shared memory (MEM_SHMEM: guest_memfd
 * cannot back a protected VM), the payload is copied in before the first
 * KVM_RUN, and once the plan is loaded cvm-run seals its view of RAM: its
 * devices read nothing from guest memory, and the one reader left
 * (guest__read) copies through a fault guard.  Mainline has no launch
 * measurement and no firmware loaded by the hypervisor (pvmfw), so the
 * plan is the plain VM's. */
#include <stdio.h>

#include "arch/arm64/kvm-abi.h"
#include "arch/arm64/kvm-tee.h"
#include "loader/error.h"
#include "vmm/arch.h"
#include "vmm/kvm.h"
#include "vmm/vm.h"

static unsigned long pkvm_type(const struct vm *vm)
{
	return KVM_VM_TYPE_ARM_PROTECTED | arch__vm_type(vm);
}

/* No capability announces protected VMs: creating one is the question
 * (KVM answers EINVAL unless the host runs pKVM). */
static int pkvm_check(struct kvm *k, char *note, size_t len)
{
	struct kvm_caps c;
	char why[160];

	if (kvm__probe_vm(k, pkvm_type(NULL), &c) < 0) {
		snprintf(why, sizeof(why), "%s", err__msg());
		return err__set_status(CVM_EXIT_NOHOST, "--tee pkvm: no protected VM here (%s); "
				       "pKVM needs a host booted with kvm-arm.mode=protected", why);
	}
	snprintf(note, len, "a protected VM was created (VM type %#lx)", pkvm_type(NULL));
	return 0;
}

static int pkvm_finalize(struct vm *vm)
{
	guest__seal(&vm->mem);
	return 0;
}

const struct tee_ops tee_pkvm = {
	.name = "pkvm",
	.desc = "pKVM protected VM",
	.memory = MEM_SHMEM,
	.vm_type = pkvm_type,
	.check = pkvm_check,
	.finalize = pkvm_finalize,
};

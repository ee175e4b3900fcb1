/* x86's confidential backends, and the software-protected VM: private
 * memory without hardware (KVM_X86_SW_PROTECTED_VM).  Memory starts
 * shared, the boot payload is copied there like a plain VM's, and the guest
 * converts what it wants private through MAP_GPA_RANGE; no launch
 * measurement exists.  It runs the conversion engine on a real kernel. */
#include <stdio.h>

#include "arch/x86/kvm-abi.h"
#include "arch/x86/kvm-sev.h"
#include "arch/x86/kvm-tee.h"
#include "loader/error.h"
#include "vmm/kvm.h"
#include "vmm/tee.h"

static unsigned long sw_protected_type(const struct vm *vm)
{
	(void)vm;
	return KVM_X86_SW_PROTECTED_VM;
}

/* Asked on a VM of the type: attributes and gmem flags differ per type. */
int x86__check_private_vm(struct kvm *k, unsigned long type, const char *tee,
			  struct kvm_caps *c, char *note, size_t len)
{
	if (kvm__probe_vm(k, type, c) < 0)
		return -1;
	if (!(c->mem_attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE))
		return err__set_status(CVM_EXIT_NOHOST, "--tee %s: its VMs have no private memory "
				       "attribute here (KVM_CAP_MEMORY_ATTRIBUTES = %#llx)", tee,
				       (unsigned long long)c->mem_attributes);
	if (!c->guest_memfd || !c->user_memory2)
		return err__set_status(CVM_EXIT_NOHOST, "--tee %s: no guest_memfd memslots here", tee);
	if (!(c->exit_hypercall & (1ull << KVM_HC_MAP_GPA_RANGE)))
		return err__set_status(CVM_EXIT_NOHOST, "--tee %s: KVM does not forward "
				       "MAP_GPA_RANGE here (KVM_CAP_EXIT_HYPERCALL = %#llx)", tee,
				       (unsigned long long)c->exit_hypercall);
	snprintf(note, len, "VM type %lu, attributes %#llx, guest_memfd flags %#llx", type,
		 (unsigned long long)c->mem_attributes, (unsigned long long)c->gmem_flags);
	return 0;
}

static int sw_protected_check(struct kvm *k, char *note, size_t len)
{
	struct kvm_caps c;

	return x86__check_private_vm(k, KVM_X86_SW_PROTECTED_VM, "sw-protected", &c, note, len);
}

static const struct tee_ops tee_sw_protected = {
	.name = "sw-protected",
	.desc = "software-protected VM",
	.memory = MEM_PRIVATE,
	.vm_type = sw_protected_type,
	.check = sw_protected_check,
};

const struct tee_ops *const arch__tees[] = {
	&tee_sw_protected, &tee_sev, &tee_sev_es, &tee_snp, &tee_tdx, NULL,
};

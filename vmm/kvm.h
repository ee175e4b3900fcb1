/* /dev/kvm and the VM: capability probing and the objects every backend
 * shares. */
#ifndef CVM_KVM_H
#define CVM_KVM_H

#include <stdbool.h>
#include <stdint.h>

struct kvm_caps {
	int api_version;
	uint64_t vm_types;          /* KVM_CAP_VM_TYPES bitmask (x86; 0 if absent) */
	bool user_memory2;
	bool guest_memfd;
	uint64_t gmem_flags;        /* KVM_CAP_GUEST_MEMFD_FLAGS */
	uint64_t mem_attributes;    /* KVM_CAP_MEMORY_ATTRIBUTES */
	bool pre_fault;
	uint64_t exit_hypercall;    /* KVM_CAP_EXIT_HYPERCALL bitmask */
	bool memory_fault_info;
	bool irqchip;
	int max_vcpus;
};

struct kvm {
	int sys_fd;                 /* /dev/kvm */
	int vm_fd;
	int run_size;               /* KVM_GET_VCPU_MMAP_SIZE */
	struct kvm_caps caps;
};

/* Opens /dev/kvm and probes it; -1 with status 3 and the reason otherwise. */
int kvm__open(struct kvm *k);
/* Creates a VM of TYPE (arch-encoded; refused with status 3 where the
 * arch says this host cannot); probes VM-scope caps. */
int kvm__create_vm(struct kvm *k, unsigned long type);
/* The capabilities of a VM of TYPE, asked on a throw-away VM of that type
 * (some answers, like memory attributes, are per VM type). */
int kvm__probe_vm(const struct kvm *k, unsigned long type, struct kvm_caps *caps);
void kvm__close(struct kvm *k);
/* KVM_CHECK_EXTENSION on the VM when there is one, else on /dev/kvm; <0 = 0. */
long kvm__cap(const struct kvm *k, long cap);

#endif

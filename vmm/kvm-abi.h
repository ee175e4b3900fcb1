/* KVM uAPI newer than the installed <linux/kvm.h> (Linux 6.1), the parts
 * every architecture shares: guest_memfd, memory attributes, pre-fault,
 * memory-fault exits.  x86 (VM types, SEV, TDX, hypercalls) is in
 * arch/x86/kvm-abi.h, arm64 (pKVM, CCA) in arch/arm64/kvm-abi.h, as the
 * kernel splits linux/kvm.h from asm/kvm.h.  Names and values are
 * upstream's (see shared/reference/KVM-UAPI.md).  Every macro and struct is
 * guarded so a newer <linux/kvm.h>, included first, wins without a clash;
 * the layout asserts hold for either. */
#ifndef CVM_KVM_ABI_H
#define CVM_KVM_ABI_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- Capabilities ---------------------------------------------------- */

#ifndef KVM_CAP_ARM_VM_IPA_SIZE
#define KVM_CAP_ARM_VM_IPA_SIZE		165
#endif
#ifndef KVM_CAP_EXIT_HYPERCALL
#define KVM_CAP_EXIT_HYPERCALL		201
#endif
#ifndef KVM_CAP_SYS_ATTRIBUTES
#define KVM_CAP_SYS_ATTRIBUTES		209
#endif
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2		231
#endif
#ifndef KVM_CAP_MEMORY_FAULT_INFO
#define KVM_CAP_MEMORY_FAULT_INFO	232
#endif
#ifndef KVM_CAP_MEMORY_ATTRIBUTES
#define KVM_CAP_MEMORY_ATTRIBUTES	233
#endif
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD		234
#endif
#ifndef KVM_CAP_VM_TYPES
#define KVM_CAP_VM_TYPES		235
#endif
#ifndef KVM_CAP_PRE_FAULT_MEMORY
#define KVM_CAP_PRE_FAULT_MEMORY	236
#endif
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
#define KVM_CAP_GUEST_MEMFD_FLAGS	244
#endif

/* ---- Memslots backed by guest_memfd ---------------------------------- */

/* The most pages one memslot may hold: KVM_SET_USER_MEMORY_REGION* fails
 * with EINVAL past it (include/linux/kvm_host.h, every version). */
#define CVM_KVM_MEM_MAX_NR_PAGES	((1ull << 31) - 1)

#ifndef KVM_MEM_GUEST_MEMFD
#define KVM_MEM_GUEST_MEMFD		(1UL << 2)
#endif

#ifndef KVM_SET_USER_MEMORY_REGION2
struct kvm_userspace_memory_region2 {
	__u32 slot;			/* bits 31:16 = address space */
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;		/* shared side */
	__u64 guest_memfd_offset;
	__u32 guest_memfd;		/* private side (or gmem-only slot) */
	__u32 pad1;
	__u64 pad2[14];
};
#define KVM_SET_USER_MEMORY_REGION2 \
	_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#endif

#ifndef KVM_CREATE_GUEST_MEMFD
struct kvm_create_guest_memfd {
	__u64 size;
	__u64 flags;
	__u64 reserved[6];
};
#define KVM_CREATE_GUEST_MEMFD	_IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)
#endif
#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP		(1ULL << 0)
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
#define GUEST_MEMFD_FLAG_INIT_SHARED	(1ULL << 1)
#endif

#ifndef KVM_SET_MEMORY_ATTRIBUTES
struct kvm_memory_attributes {
	__u64 address;
	__u64 size;
	__u64 attributes;
	__u64 flags;
};
#define KVM_SET_MEMORY_ATTRIBUTES _IOW(KVMIO, 0xd2, struct kvm_memory_attributes)
#endif
#ifndef KVM_MEMORY_ATTRIBUTE_PRIVATE
#define KVM_MEMORY_ATTRIBUTE_PRIVATE	(1ULL << 3)
#endif

#ifndef KVM_PRE_FAULT_MEMORY
struct kvm_pre_fault_memory {
	__u64 gpa;		/* advanced by the kernel as it makes progress */
	__u64 size;		/* shrunk likewise: loop until 0 */
	__u64 flags;
	__u64 padding[5];
};
#define KVM_PRE_FAULT_MEMORY	_IOWR(KVMIO, 0xd5, struct kvm_pre_fault_memory)
#endif

/* ---- Exits ------------------------------------------------------------ */

#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT		39
#endif
#ifndef KVM_MEMORY_EXIT_FLAG_PRIVATE
#define KVM_MEMORY_EXIT_FLAG_PRIVATE	(1ULL << 3)
#endif

/* The 6.1 struct kvm_run has no member for this payload; it lives in the
 * exit union.  may_alias: the same bytes are also read through struct
 * kvm_run's own members. */
struct __attribute__((may_alias)) cvm_memory_fault_exit {
	__u64 flags;		/* KVM_MEMORY_EXIT_FLAG_PRIVATE: guest wanted private */
	__u64 gpa;
	__u64 size;
};

#define KVM_RUN_EXIT_UNION_OFFSET	offsetof(struct kvm_run, hypercall)

static inline struct cvm_memory_fault_exit *kvm_run__memory_fault(struct kvm_run *run)
{
	return (struct cvm_memory_fault_exit *)((char *)run + KVM_RUN_EXIT_UNION_OFFSET);
}

/* ---- Layout self-check (KVM-UAPI.md section 8) ------------------------ */

#define KVM_ABI_SIZE(type, n) \
	_Static_assert(sizeof(struct type) == (n), #type " size")
#define KVM_ABI_OFF(type, field, n) \
	_Static_assert(offsetof(struct type, field) == (n), #type "." #field " offset")

KVM_ABI_SIZE(kvm_userspace_memory_region2, 160);
KVM_ABI_OFF(kvm_userspace_memory_region2, guest_memfd_offset, 32);
KVM_ABI_OFF(kvm_userspace_memory_region2, guest_memfd, 40);
KVM_ABI_OFF(kvm_userspace_memory_region2, pad2, 48);
KVM_ABI_SIZE(kvm_memory_attributes, 32);
KVM_ABI_OFF(kvm_memory_attributes, attributes, 16);
KVM_ABI_SIZE(kvm_create_guest_memfd, 64);
KVM_ABI_SIZE(kvm_pre_fault_memory, 64);
KVM_ABI_SIZE(kvm_enable_cap, 104);
KVM_ABI_SIZE(kvm_device_attr, 24);
KVM_ABI_SIZE(cvm_memory_fault_exit, 24);
KVM_ABI_OFF(kvm_run, exit_reason, 8);
KVM_ABI_OFF(kvm_run, hypercall, 32);
KVM_ABI_OFF(kvm_run, system_event.data, 40);

#undef KVM_ABI_SIZE
#undef KVM_ABI_OFF

#endif

/* KVM uAPI newer than the installed <linux/kvm.h> (Linux 6.1): guest_memfd,
 * memory attributes, SEV-SNP and TDX launch, the exits they produce, arm64
 * protected VM types.  Names and values are upstream's (6.18/7.1 headers,
 * see shared/reference/KVM-UAPI.md).  Every macro and struct is guarded so a
 * newer <linux/kvm.h>, included first, wins without a clash; the layout
 * asserts at the end hold for either. */
#ifndef CVM_KVM_ABI_H
#define CVM_KVM_ABI_H

#include <linux/kvm.h>
#include <linux/kvm_para.h>
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
#ifndef KVM_CAP_X86_APIC_BUS_CYCLES_NS
#define KVM_CAP_X86_APIC_BUS_CYCLES_NS	237
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

/* ---- VM types (KVM_CREATE_VM argument) -------------------------------- */

#ifndef KVM_X86_DEFAULT_VM
#define KVM_X86_DEFAULT_VM	0
#endif
#ifndef KVM_X86_SW_PROTECTED_VM
#define KVM_X86_SW_PROTECTED_VM	1
#endif
#ifndef KVM_X86_SEV_VM
#define KVM_X86_SEV_VM		2
#endif
#ifndef KVM_X86_SEV_ES_VM
#define KVM_X86_SEV_ES_VM	3
#endif
#ifndef KVM_X86_SNP_VM
#define KVM_X86_SNP_VM		4
#endif
#ifndef KVM_X86_TDX_VM
#define KVM_X86_TDX_VM		5
#endif

/* arm64 (values only: this tree builds no arm64 backend).  Bits 7:0 are
 * the IPA size; 0 = the legacy 40-bit default.  PROTECTED is pKVM (7.1). */
#ifndef KVM_VM_TYPE_ARM_IPA_SIZE_MASK
#define KVM_VM_TYPE_ARM_IPA_SIZE_MASK	0xffULL
#endif
#ifndef KVM_VM_TYPE_ARM_PROTECTED
#define KVM_VM_TYPE_ARM_PROTECTED	(1UL << 31)
#endif

/* Arm CCA: from the UNMERGED "arm64: Support for Arm CCA in KVM" series,
 * v14 (2026-05-13).  Numbers have moved between versions; the populate
 * ioctl sits in the contested 0xd7 slot, so its number is left out until
 * the series is merged.  REALM together with PROTECTED is refused. */
#ifndef KVM_VM_TYPE_ARM_REALM
#define KVM_VM_TYPE_ARM_REALM		(1UL << 30)
#endif
#ifndef KVM_ARM_RMI_POPULATE_FLAGS_MEASURE
#define KVM_ARM_RMI_POPULATE_FLAGS_MEASURE	(1U << 0)
struct kvm_arm_rmi_populate {
	__u64 base;		/* the kernel advances base/source_uaddr */
	__u64 size;		/* and shrinks size: loop until 0 */
	__u64 source_uaddr;
	__u32 flags;
	__u32 reserved;
};
#endif

/* ---- Exits ------------------------------------------------------------ */

#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT		39
#endif
#ifndef KVM_EXIT_TDX
#define KVM_EXIT_TDX			40
#endif
#ifndef KVM_EXIT_SNP_REQ_CERTS
#define KVM_EXIT_SNP_REQ_CERTS		43
#endif
#ifndef KVM_MEMORY_EXIT_FLAG_PRIVATE
#define KVM_MEMORY_EXIT_FLAG_PRIVATE	(1ULL << 3)
#endif
#ifndef KVM_SYSTEM_EVENT_SEV_TERM
#define KVM_SYSTEM_EVENT_SEV_TERM	6
#endif
#ifndef KVM_SYSTEM_EVENT_TDX_FATAL
#define KVM_SYSTEM_EVENT_TDX_FATAL	7
#endif
#ifndef KVM_EXIT_HYPERCALL_LONG_MODE
#define KVM_EXIT_HYPERCALL_LONG_MODE	(1ULL << 0)
#endif

/* Hypercall 12: args[0] = gpa, args[1] = 4 KiB pages, args[2] = attrs. */
#ifndef KVM_HC_MAP_GPA_RANGE
#define KVM_HC_MAP_GPA_RANGE		12
#endif
#ifndef KVM_MAP_GPA_RANGE_PAGE_SZ_4K
#define KVM_MAP_GPA_RANGE_PAGE_SZ_4K	0
#endif
#ifndef KVM_MAP_GPA_RANGE_PAGE_SZ_2M
#define KVM_MAP_GPA_RANGE_PAGE_SZ_2M	(1 << 0)
#endif
#ifndef KVM_MAP_GPA_RANGE_PAGE_SZ_1G
#define KVM_MAP_GPA_RANGE_PAGE_SZ_1G	(1 << 1)
#endif
#ifndef KVM_MAP_GPA_RANGE_ENCRYPTED
#define KVM_MAP_GPA_RANGE_ENCRYPTED	(1 << 4)
#endif
#ifndef KVM_MAP_GPA_RANGE_DECRYPTED
#define KVM_MAP_GPA_RANGE_DECRYPTED	0
#endif

/* The 6.1 struct kvm_run has no member for these payloads; they live in
 * the exit union (offset 32).  may_alias: the same bytes are also read
 * through struct kvm_run's own members. */
struct __attribute__((may_alias)) cvm_memory_fault_exit {
	__u64 flags;		/* KVM_MEMORY_EXIT_FLAG_PRIVATE: guest wanted private */
	__u64 gpa;
	__u64 size;
};

struct __attribute__((may_alias)) cvm_tdx_exit {
	__u64 flags;
	__u64 nr;		/* TDVMCALL sub-function (r11) */
	union {
		struct {
			__u64 ret;
			__u64 data[5];
		} unknown;
		struct {
			__u64 ret;
			__u64 gpa;
			__u64 size;
		} get_quote;
		struct {
			__u64 ret;
			__u64 leaf;
			__u64 r11, r12, r13, r14;
		} get_tdvmcall_info;
		struct {
			__u64 ret;
			__u64 vector;
		} setup_event_notify;
	};
};

#define KVM_RUN_EXIT_UNION_OFFSET	offsetof(struct kvm_run, hypercall)

static inline struct cvm_memory_fault_exit *kvm_run__memory_fault(struct kvm_run *run)
{
	return (struct cvm_memory_fault_exit *)((char *)run + KVM_RUN_EXIT_UNION_OFFSET);
}

static inline struct cvm_tdx_exit *kvm_run__tdx(struct kvm_run *run)
{
	return (struct cvm_tdx_exit *)((char *)run + KVM_RUN_EXIT_UNION_OFFSET);
}

/* 6.1 splits the u64 hypercall flags into longmode + pad; newer headers
 * have a union without pad.  Read the 8 bytes whichever header is used. */
static inline __u64 kvm_run__hypercall_flags(const struct kvm_run *run)
{
	__u64 flags;

	memcpy(&flags, (const char *)run + offsetof(struct kvm_run, hypercall.longmode),
	       sizeof(flags));
	return flags;
}

/* ---- Device attributes on /dev/kvm (KVM_GET_DEVICE_ATTR) --------------- */

#ifndef KVM_X86_GRP_SYSTEM
#define KVM_X86_GRP_SYSTEM		0
#endif
#ifndef KVM_X86_XCOMP_GUEST_SUPP
#define KVM_X86_XCOMP_GUEST_SUPP	0
#endif
#ifndef KVM_X86_GRP_SEV
#define KVM_X86_GRP_SEV			1
#endif
/* struct kvm_sev_init (KVM_SEV_INIT2) arrived with this attribute (6.10). */
#ifndef KVM_X86_SEV_VMSA_FEATURES
#define KVM_X86_SEV_VMSA_FEATURES	0
struct kvm_sev_init {
	__u64 vmsa_features;	/* subset of KVM_X86_SEV_VMSA_FEATURES */
	__u32 flags;		/* must be 0 */
	__u16 ghcb_version;	/* 0 = default (2 for SEV-ES/SNP) */
	__u16 pad1;
	__u32 pad2[8];
};
#endif
#ifndef KVM_X86_SNP_POLICY_BITS
#define KVM_X86_SNP_POLICY_BITS		1
#endif
#ifndef KVM_X86_SEV_SNP_REQ_CERTS
#define KVM_X86_SEV_SNP_REQ_CERTS	2
#endif

/* ---- AMD SEV / SEV-SNP (KVM_MEMORY_ENCRYPT_OP, struct kvm_sev_cmd) ---- */

/* Upstream these are enumerators of enum sev_cmd_id, invisible to #ifdef;
 * a macro defined after the header does not clash with them. */
#define KVM_SEV_INIT2			22
#define KVM_SEV_SNP_LAUNCH_START	100
#define KVM_SEV_SNP_LAUNCH_UPDATE	101
#define KVM_SEV_SNP_LAUNCH_FINISH	102
#define KVM_SEV_SNP_ENABLE_REQ_CERTS	103

/* The SNP structs arrived with the page types (6.11). */
#ifndef KVM_SEV_SNP_PAGE_TYPE_NORMAL
#define KVM_SEV_PAGE_TYPE_INVALID		0x0
#define KVM_SEV_SNP_PAGE_TYPE_NORMAL		0x1
#define KVM_SEV_SNP_PAGE_TYPE_ZERO		0x3
#define KVM_SEV_SNP_PAGE_TYPE_UNMEASURED	0x4
#define KVM_SEV_SNP_PAGE_TYPE_SECRETS		0x5
#define KVM_SEV_SNP_PAGE_TYPE_CPUID		0x6

struct kvm_sev_snp_launch_start {
	__u64 policy;
	__u8 gosvw[16];
	__u16 flags;		/* must be 0 */
	__u8 pad0[6];
	__u64 pad1[4];
};

struct kvm_sev_snp_launch_update {
	__u64 gfn_start;	/* gfn_start/uaddr/len report partial progress */
	__u64 uaddr;
	__u64 len;
	__u8 type;		/* KVM_SEV_SNP_PAGE_TYPE_* */
	__u8 pad0;
	__u16 flags;		/* must be 0 */
	__u32 pad1;
	__u64 pad2[4];
};

#define KVM_SEV_SNP_ID_BLOCK_SIZE	96
#define KVM_SEV_SNP_ID_AUTH_SIZE	4096
#define KVM_SEV_SNP_FINISH_DATA_SIZE	32

struct kvm_sev_snp_launch_finish {
	__u64 id_block_uaddr;
	__u64 id_auth_uaddr;
	__u8 id_block_en;
	__u8 auth_key_en;
	__u8 vcek_disabled;
	__u8 host_data[KVM_SEV_SNP_FINISH_DATA_SIZE];
	__u8 pad0[3];
	__u16 flags;		/* must be 0 */
	__u64 pad1[4];
};
#endif

/* SNP guest policy (SNP firmware ABI; kernel-internal names from
 * arch/x86/kvm/svm/sev.c and include/linux/psp-sev.h). */
#ifndef SNP_POLICY_MASK_API_MINOR
#define SNP_POLICY_MASK_API_MINOR		0x00000000000000ffULL
#define SNP_POLICY_MASK_API_MAJOR		0x000000000000ff00ULL
#define SNP_POLICY_MASK_SMT			(1ULL << 16)
#define SNP_POLICY_MASK_RSVD_MBO		(1ULL << 17)
#define SNP_POLICY_MASK_MIGRATE_MA		(1ULL << 18)
#define SNP_POLICY_MASK_DEBUG			(1ULL << 19)
#define SNP_POLICY_MASK_SINGLE_SOCKET		(1ULL << 20)
#define SNP_POLICY_MASK_CXL_ALLOW		(1ULL << 21)
#define SNP_POLICY_MASK_MEM_AES_256_XTS		(1ULL << 22)
#define SNP_POLICY_MASK_RAPL_DIS		(1ULL << 23)
#define SNP_POLICY_MASK_CIPHERTEXT_HIDING_DRAM	(1ULL << 24)
#define SNP_POLICY_MASK_PAGE_SWAP_DISABLE	(1ULL << 25)
#endif

/* ---- Intel TDX (KVM_MEMORY_ENCRYPT_OP, struct kvm_tdx_cmd) ------------ */

/* KVM_TDX_MEASURE_MEMORY_REGION came with the rest of the TDX uAPI (6.16). */
#ifndef KVM_TDX_MEASURE_MEMORY_REGION
enum kvm_tdx_cmd_id {
	KVM_TDX_CAPABILITIES = 0,	/* VM fd */
	KVM_TDX_INIT_VM,		/* VM fd, before any vCPU */
	KVM_TDX_INIT_VCPU,		/* vCPU fd, data = initial RCX */
	KVM_TDX_INIT_MEM_REGION,	/* vCPU fd */
	KVM_TDX_FINALIZE_VM,		/* VM fd */
	KVM_TDX_GET_CPUID,		/* vCPU fd */
	KVM_TDX_CMD_NR_MAX,
};

struct kvm_tdx_cmd {
	__u32 id;
	__u32 flags;
	__u64 data;		/* pointer or immediate */
	__u64 hw_error;		/* TDX module status; must be 0 on input */
};

struct kvm_tdx_capabilities {
	__u64 supported_attrs;
	__u64 supported_xfam;
	__u64 kernel_tdvmcallinfo_1_r11;
	__u64 user_tdvmcallinfo_1_r11;
	__u64 kernel_tdvmcallinfo_1_r12;
	__u64 user_tdvmcallinfo_1_r12;
	__u64 reserved[250];
	struct kvm_cpuid2 cpuid;	/* caller sets nent to its room */
};

struct kvm_tdx_init_vm {
	__u64 attributes;
	__u64 xfam;
	__u64 mrconfigid[6];		/* SHA-384 values */
	__u64 mrowner[6];
	__u64 mrownerconfig[6];
	__u64 reserved[12];		/* TD_PARAMS before CPUID is 256 bytes */
	struct kvm_cpuid2 cpuid;
};

#define KVM_TDX_MEASURE_MEMORY_REGION	(1ULL << 0)

struct kvm_tdx_init_mem_region {
	__u64 source_addr;	/* all three advance on -EINTR/-EAGAIN */
	__u64 gpa;
	__u64 nr_pages;
};
#endif

/* TDVMCALL sub-functions seen in KVM_EXIT_TDX nr / hypercall exits, and the
 * status codes userspace writes to ret (GHCI; kernel-internal names from
 * arch/x86/include/asm/shared/tdx.h). */
#ifndef TDVMCALL_GET_TD_VM_CALL_INFO
#define TDVMCALL_GET_TD_VM_CALL_INFO		0x10000
#define TDVMCALL_MAP_GPA			0x10001
#define TDVMCALL_GET_QUOTE			0x10002
#define TDVMCALL_REPORT_FATAL_ERROR		0x10003
#define TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT	0x10004
#endif
#ifndef TDVMCALL_STATUS_SUCCESS
#define TDVMCALL_STATUS_SUCCESS			0x0000000000000000ULL
#define TDVMCALL_STATUS_RETRY			0x0000000000000001ULL
#define TDVMCALL_STATUS_INVALID_OPERAND		0x8000000000000000ULL
#define TDVMCALL_STATUS_GPA_INUSE		0x8000000000000001ULL	/* GHCI only */
#define TDVMCALL_STATUS_ALIGN_ERROR		0x8000000000000002ULL
#define TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED	0x8000000000000003ULL
#endif

/* ---- Layout self-check (KVM-UAPI.md section 8, gcc x86-64) ------------ */

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
KVM_ABI_SIZE(kvm_enc_region, 16);
KVM_ABI_SIZE(kvm_enable_cap, 104);
KVM_ABI_SIZE(kvm_device_attr, 24);
KVM_ABI_SIZE(kvm_sev_cmd, 24);
KVM_ABI_OFF(kvm_sev_cmd, error, 16);
KVM_ABI_OFF(kvm_sev_cmd, sev_fd, 20);
KVM_ABI_SIZE(kvm_sev_init, 48);
KVM_ABI_OFF(kvm_sev_init, flags, 8);
KVM_ABI_OFF(kvm_sev_init, ghcb_version, 12);
KVM_ABI_OFF(kvm_sev_init, pad2, 16);
KVM_ABI_SIZE(kvm_sev_snp_launch_start, 64);
KVM_ABI_OFF(kvm_sev_snp_launch_start, gosvw, 8);
KVM_ABI_OFF(kvm_sev_snp_launch_start, flags, 24);
KVM_ABI_OFF(kvm_sev_snp_launch_start, pad1, 32);
KVM_ABI_SIZE(kvm_sev_snp_launch_update, 64);
KVM_ABI_OFF(kvm_sev_snp_launch_update, type, 24);
KVM_ABI_OFF(kvm_sev_snp_launch_update, flags, 26);
KVM_ABI_OFF(kvm_sev_snp_launch_update, pad1, 28);
KVM_ABI_OFF(kvm_sev_snp_launch_update, pad2, 32);
KVM_ABI_SIZE(kvm_sev_snp_launch_finish, 88);
KVM_ABI_OFF(kvm_sev_snp_launch_finish, id_block_en, 16);
KVM_ABI_OFF(kvm_sev_snp_launch_finish, host_data, 19);
KVM_ABI_OFF(kvm_sev_snp_launch_finish, flags, 54);
KVM_ABI_OFF(kvm_sev_snp_launch_finish, pad1, 56);
KVM_ABI_SIZE(kvm_tdx_cmd, 24);
KVM_ABI_OFF(kvm_tdx_cmd, hw_error, 16);
KVM_ABI_SIZE(kvm_tdx_capabilities, 2056);
KVM_ABI_OFF(kvm_tdx_capabilities, reserved, 48);
KVM_ABI_OFF(kvm_tdx_capabilities, cpuid, 2048);
KVM_ABI_SIZE(kvm_tdx_init_vm, 264);
KVM_ABI_OFF(kvm_tdx_init_vm, mrconfigid, 16);
KVM_ABI_OFF(kvm_tdx_init_vm, mrowner, 64);
KVM_ABI_OFF(kvm_tdx_init_vm, mrownerconfig, 112);
KVM_ABI_OFF(kvm_tdx_init_vm, reserved, 160);
KVM_ABI_OFF(kvm_tdx_init_vm, cpuid, 256);
KVM_ABI_SIZE(kvm_tdx_init_mem_region, 24);
KVM_ABI_SIZE(kvm_arm_rmi_populate, 32);
KVM_ABI_SIZE(cvm_memory_fault_exit, 24);
KVM_ABI_SIZE(cvm_tdx_exit, 64);
KVM_ABI_OFF(cvm_tdx_exit, get_quote.gpa, 24);
KVM_ABI_OFF(kvm_run, exit_reason, 8);
KVM_ABI_OFF(kvm_run, hypercall, 32);
KVM_ABI_OFF(kvm_run, hypercall.ret, 88);
KVM_ABI_OFF(kvm_run, hypercall.longmode, 96);
_Static_assert(sizeof(((struct kvm_run *)0)->hypercall) == 72, "hypercall payload size");
KVM_ABI_OFF(kvm_run, system_event.data, 40);

#undef KVM_ABI_SIZE
#undef KVM_ABI_OFF

#endif

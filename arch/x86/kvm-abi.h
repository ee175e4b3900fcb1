/* x86 KVM uAPI newer than the installed 6.1 headers: VM types, the
 * MAP_GPA_RANGE hypercall, SEV/SEV-SNP and TDX launch commands and the
 * exits they produce (upstream names and values; see
 * shared/reference/KVM-UAPI.md and KVM-UAPI-ERRATA.md).  Included by x86
 * host code only: the backends, the x86 hooks and their fake kernels. */
#ifndef CVM_X86_KVM_ABI_H
#define CVM_X86_KVM_ABI_H

#include <linux/kvm_para.h>
#include <linux/psp-sev.h>

#include "arch/x86/tdx-ghci.h"
#include "measure/snp.h"
#include "vmm/kvm-abi.h"

#ifndef KVM_CAP_X86_APIC_BUS_CYCLES_NS
#define KVM_CAP_X86_APIC_BUS_CYCLES_NS	237
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

/* ---- Exits ------------------------------------------------------------ */

#ifndef KVM_EXIT_TDX
#define KVM_EXIT_TDX			40
#endif
#ifndef KVM_EXIT_SNP_REQ_CERTS
#define KVM_EXIT_SNP_REQ_CERTS		43
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

/* The TDX exit payload, in the exit union like the memory-fault one. */
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

static inline struct cvm_tdx_exit *kvm_run__tdx(struct kvm_run *run)
{
	return (struct cvm_tdx_exit *)((char *)run + KVM_RUN_EXIT_UNION_OFFSET);
}

/* KVM_EXIT_SNP_REQ_CERTS (7.0): the guest's certificate buffer, in the exit
 * union.  RET: 0, or ENOSPC (NPAGES then says how many are needed), EAGAIN,
 * EIO; anything else fails the next KVM_RUN (ERRATA row 8). */
struct __attribute__((may_alias)) cvm_snp_req_certs_exit {
	__u64 gpa;
	__u64 npages;
	__u64 ret;
};

static inline struct cvm_snp_req_certs_exit *kvm_run__snp_req_certs(struct kvm_run *run)
{
	return (struct cvm_snp_req_certs_exit *)((char *)run + KVM_RUN_EXIT_UNION_OFFSET);
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

/* SEV_FEATURES bits KVM sets or accepts (KVM_SEV_INIT2.vmsa_features). */
#define SVM_SEV_FEAT_SNP_ACTIVE		(1ULL << 0)
#define SVM_SEV_FEAT_DEBUG_SWAP		(1ULL << 5)

/* Legacy SEV guest policy (SEV API): no debugging; SEV-ES. */
#define SEV_POLICY_NODBG		(1U << 0)
#define SEV_POLICY_ES			(1U << 2)

/* Firmware status codes past the 6.1 header's SEV_RET_SECURE_DATA_INVALID
 * (SNP firmware ABI). */
#define SEV_RET_INVALID_PAGE_SIZE	0x19
#define SEV_RET_INVALID_PAGE_STATE	0x1a
#define SEV_RET_INVALID_MDATA_ENTRY	0x1b
#define SEV_RET_INVALID_PAGE_OWNER	0x1c
#define SEV_RET_AEAD_OFLOW		0x1d
#define SEV_RET_RMP_INIT_REQUIRED	0x20

/* The SNP CPUID page (SNP firmware ABI, CPUID_FUNCTION table): what the
 * firmware checks and the guest trusts instead of the CPUID instruction. */
#define SNP_CPUID_COUNT_MAX		64

struct cvm_snp_cpuid_fn {
	__u32 eax_in, ecx_in;
	__u64 xcr0_in, xss_in;
	__u32 eax, ebx, ecx, edx;
	__u64 reserved;
};

struct cvm_snp_cpuid_table {
	__u32 count;
	__u32 reserved1;
	__u64 reserved2;
	struct cvm_snp_cpuid_fn fn[SNP_CPUID_COUNT_MAX];
};

/* The GHCB (GHCB specification 2.0): the MSR-protocol termination request
 * carries its reason in the MSR value, the NAE one in SW_EXITINFO1 of the
 * GHCB page, whose save area has the VMSA's layout. */
#define GHCB_MSR_INFO_MASK		0xfffULL
#define GHCB_MSR_TERM_REQ		0x100ULL
#define GHCB_SW_EXITINFO1		0x398

/* KVM's LAUNCH_UPDATE page types are the firmware's PAGE_INFO types, which
 * measure/ hashes: one launch plan serves both. */
_Static_assert(SNP_PAGE_NORMAL == KVM_SEV_SNP_PAGE_TYPE_NORMAL, "page type");
_Static_assert(SNP_PAGE_ZERO == KVM_SEV_SNP_PAGE_TYPE_ZERO, "page type");
_Static_assert(SNP_PAGE_UNMEASURED == KVM_SEV_SNP_PAGE_TYPE_UNMEASURED, "page type");
_Static_assert(SNP_PAGE_SECRETS == KVM_SEV_SNP_PAGE_TYPE_SECRETS, "page type");
_Static_assert(SNP_PAGE_CPUID == KVM_SEV_SNP_PAGE_TYPE_CPUID, "page type");

/* The SNP guest policy bits are firmware ABI: loader/sev-opts.h. */

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

/* TD attributes: KVM accepts SEPT_VE_DISABLE alone (ERRATA row 13), and
 * Linux guests refuse to run without it. */
#define TDX_TD_ATTR_SEPT_VE_DISABLE	(1ULL << 28)
/* The TDX module's virtual APIC runs at 25 MHz: QEMU sets KVM's bus to it. */
#define TDX_APIC_BUS_CYCLES_NS		40

/* The TDVMCALL leaves and status codes: arch/x86/tdx-ghci.h (GHCI). */

/* ---- Layout self-check (KVM-UAPI.md section 8, gcc x86-64) ------------ */

#define KVM_ABI_SIZE(type, n) \
	_Static_assert(sizeof(struct type) == (n), #type " size")
#define KVM_ABI_OFF(type, field, n) \
	_Static_assert(offsetof(struct type, field) == (n), #type "." #field " offset")

KVM_ABI_SIZE(kvm_enc_region, 16);
KVM_ABI_SIZE(kvm_sev_launch_start, 40);
KVM_ABI_OFF(kvm_sev_launch_start, policy, 4);
KVM_ABI_OFF(kvm_sev_launch_start, session_uaddr, 24);
KVM_ABI_SIZE(kvm_sev_launch_update_data, 16);
KVM_ABI_SIZE(kvm_sev_launch_measure, 16);
KVM_ABI_SIZE(cvm_snp_req_certs_exit, 24);
KVM_ABI_SIZE(cvm_snp_cpuid_fn, 48);
KVM_ABI_OFF(cvm_snp_cpuid_fn, eax, 24);
KVM_ABI_SIZE(cvm_snp_cpuid_table, 16 + 64 * 48);
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
KVM_ABI_SIZE(cvm_tdx_exit, 64);
KVM_ABI_OFF(cvm_tdx_exit, get_quote.gpa, 24);
KVM_ABI_OFF(kvm_run, hypercall.ret, 88);
KVM_ABI_OFF(kvm_run, hypercall.longmode, 96);
_Static_assert(sizeof(((struct kvm_run *)0)->hypercall) == 72, "hypercall payload size");

#undef KVM_ABI_SIZE
#undef KVM_ABI_OFF

#endif

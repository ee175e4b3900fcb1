/* The launch plan: the single description of what a guest starts with.
 *
 * The loader turns inputs (kernel, initrd, cmdline, firmware, vCPUs, memory,
 * TEE options) into an ordered list of operations: bytes at a guest-physical
 * address and how those pages enter the launch measurement.  KVM backends
 * execute the list as ioctls; measure/ replays it into digests.  Nothing else
 * knows where things go, so a measurement cannot drift from what is launched.
 */
#ifndef CVM_PLAN_H
#define CVM_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "loader/blob.h"
#include "loader/fw-cfg.h"

enum plan_kind {
	PLAN_LOAD,        /* plain VM: bytes copied, no launch-measurement meaning */
	PLAN_NORMAL,      /* SEV LAUNCH_UPDATE_DATA / SNP NORMAL: contents measured */
	PLAN_ZERO,        /* SNP ZERO: zero pages, measured by type and GPA */
	PLAN_UNMEASURED,  /* SNP UNMEASURED: copied, not measured */
	PLAN_SECRETS,     /* SNP SECRETS: firmware fills the page */
	PLAN_CPUID,       /* SNP CPUID: firmware checks the table */
	PLAN_VMSA,        /* SEV-ES/SNP initial register state of vCPU op.vcpu */
	PLAN_TDX_ADD,     /* TDH.MEM.PAGE.ADD: copied, only the GPA measured */
	PLAN_TDX_EXTEND,  /* PAGE.ADD then TDH.MR.EXTEND over every 256-byte chunk */
	PLAN_TDX_AUG,     /* PAGE_AUG: accepted by the guest later, not added now */
	/* Arm CCA realms (KVM_ARM_RMI_POPULATE): 4 KiB granules, one
	 * RMI_DATA_CREATE each, the last one zero-padded. */
	PLAN_REALM_DATA,  /* DATA_CREATE with MEASURE: contents hashed into the RIM */
	PLAN_REALM_DATA_UNMEASURED, /* DATA_CREATE without MEASURE: IPA and flags only */
	PLAN_REALM_RIPAS, /* RTT_INIT_RIPAS of one RTT entry [gpa, gpa+len): RMM 1.0 measures it */
	PLAN_REALM_REC,   /* REC_CREATE of vCPU op.vcpu from op.rec (no guest address) */
	PLAN_KIND_COUNT,
};

/* RmiRecParams as measured: flags, pc, x0-x7. */
#define PLAN_REC_RUNNABLE (1ull << 0)

struct plan_realm_rec {
	uint64_t flags;         /* PLAN_REC_RUNNABLE: only runnable RECs are measured */
	uint64_t pc;
	uint64_t gprs[8];
};

struct plan_op {
	enum plan_kind kind;
	uint64_t gpa;
	uint64_t len;           /* bytes; SNP and TDX kinds use whole pages */
	const uint8_t *data;    /* data_len bytes, or NULL for zeros; owned by the plan */
	uint64_t data_len;      /* <= len; the rest of the op is zeros */
	uint32_t vcpu;          /* PLAN_VMSA and PLAN_REALM_REC */
	char what[32];          /* "firmware", "kernel", "vmsa1", "TD_HOB" ... */
	const struct plan_realm_rec *rec; /* PLAN_REALM_REC only; owned by the plan */
};

/* How the bootstrap processor starts. */
enum plan_entry_mode {
	PLAN_ENTRY_NONE,        /* firmware and TEE launches: the reset state */
	PLAN_ENTRY_X86_PVH,     /* 32-bit flat protected mode, paging off, %ebx = arg */
	PLAN_ENTRY_X86_64,      /* 64-bit long mode, identity paging, %rsi = arg */
	PLAN_ENTRY_ARM64_LINUX, /* EL1, MMU off, x0 = arg (the device tree) */
	PLAN_ENTRY_MODE_COUNT,
};

struct plan_entry {
	enum plan_entry_mode mode;
	uint64_t pc;
	uint64_t arg;           /* hvm_start_info, boot_params or DTB GPA */
	struct {
		uint64_t cr3;   /* PLAN_ENTRY_X86_64: the identity page tables */
		uint64_t gdt;   /* GDT base; selectors are fixed by arch/x86/boot.h */
		uint16_t gdt_limit;
	} x86;
};

/* Arm CCA: the RMI_REALM_CREATE parameters the RIM starts from
 * (RmiRealmParams, MEASUREMENT.md 4), and whose RMM semantics apply. */
enum plan_rmm {
	PLAN_RMM_ANY,           /* not said: only plans whose RIM is the same under both */
	PLAN_RMM_1_0,           /* RMM 1.0: RTT_INIT_RIPAS is measured */
	PLAN_RMM_2_0,           /* RMM 2.0: it is not; SHA-384 exists */
};

enum plan_realm_hash {          /* RmiHashAlgorithm */
	PLAN_REALM_SHA256 = 0,
	PLAN_REALM_SHA512 = 1,
	PLAN_REALM_SHA384 = 2,  /* RMM 2.0 only */
};

#define PLAN_REALM_LPA2 (1ull << 0)     /* flags0 */
#define PLAN_REALM_SVE  (1ull << 1)
#define PLAN_REALM_PMU  (1ull << 2)

struct plan_realm {
	enum plan_rmm rmm;
	enum plan_realm_hash hash;
	uint64_t flags0;        /* PLAN_REALM_LPA2 | _SVE | _PMU */
	uint32_t s2sz;          /* IPA bits */
	uint32_t sve_vl;        /* vector length as VQ - 1 */
	uint32_t num_bps;       /* breakpoints - 1 */
	uint32_t num_wps;       /* watchpoints - 1 */
	uint32_t pmu_num_ctrs;
};

struct plan_mem;

struct plan {
	struct plan_op *ops;
	size_t nops, cap;
	struct plan_entry entry;
	uint64_t mem_size;      /* guest RAM the plan was laid out for */
	/* Guest memory outside RAM that ops load into: the firmware image
	 * below 4 GiB.  Read-only to a plain guest, private to a TEE one. */
	uint64_t fw_gpa, fw_size;
	uint32_t vcpus;
	/* What the VMM serves through fw_cfg (firmware boots): the legacy
	 * items and the named files ("etc/acpi/tables" ...), their bytes owned
	 * by the plan.  The device serves exactly these; measure/ hashes them. */
	struct fw_cfg_list fw_cfg;
	const struct plan_realm *realm; /* realm launches only; owned by the plan */
	struct plan_mem *mem;   /* buffers and mapped files the ops point into */
	/* Set by the caller: a plan (a matrix's first entry) whose mapped
	 * files plan__map hands out again instead of mapping them anew.  It
	 * must outlive this plan. */
	const struct plan *maps_from;
};

void plan__init(struct plan *p);
void plan__exit(struct plan *p);

/* Appends an op; DATA (LEN bytes, or NULL) must stay valid for the plan's
 * life (plan__alloc or plan__map).  Returns the op, or NULL on allocation
 * failure. */
struct plan_op *plan__add(struct plan *p, enum plan_kind kind, uint64_t gpa,
			  uint64_t len, const void *data, const char *what);
/* The same when DATA covers only the first DATA_LEN bytes and zeros follow:
 * a section much larger than its bytes costs no memory.  Fewer bytes than
 * LEN only on TDX ops (the SEV and realm replays read DATA as LEN bytes):
 * NULL with err__set() when another kind asks for it. */
struct plan_op *plan__add_part(struct plan *p, enum plan_kind kind, uint64_t gpa,
			       uint64_t len, const void *data, uint64_t data_len,
			       const char *what);
/* Zeroed memory owned by the plan. */
void *plan__alloc(struct plan *p, size_t len);
/* Maps a file for the plan's life (p->maps_from's mapping of the same
 * path, when it has one: every entry of a matrix reads the same bytes,
 * faulted in once); -1 with err__set() on failure. */
int plan__map(struct plan *p, const char *path, struct blob *out);
/* The same for a file of at most MAX bytes (WHAT says whose limit). */
int plan__map_max(struct plan *p, const char *path, uint64_t max, const char *what,
		  struct blob *out);
/* Adds the fw_cfg file NAME (DATA as for plan__add) to p->fw_cfg; -1 with
 * err__set() when the name is too long or already there.  Firmware reads,
 * and may measure, these bytes. */
int plan__add_file(struct plan *p, const char *name, const void *data, size_t len);
/* The fw_cfg file NAME, or NULL. */
const struct fw_cfg_item *plan__file(const struct plan *p, const char *name);
/* Rejects ops that overlap each other or wrap (VMSAs excepted: they have no
 * guest address; so are realm RIPAS entries, which cover populated granules);
 * -1 with a message naming both ops. */
int plan__validate(const struct plan *p);

const char *plan__kind_name(enum plan_kind kind);
const char *plan__entry_name(enum plan_entry_mode mode);

#endif

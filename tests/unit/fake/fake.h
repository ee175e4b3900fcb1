/* Inside the fake kernel: the state its files share.  fake-kvm.c owns the
 * fds, the log, the scripts and KVM_RUN; fake-vm.c the rules every VM type
 * shares (KERNEL-RULES.md section 2: memslots, guest_memfd, attributes);
 * one file per architecture or VM family adds its type's rules.  The fake
 * is the kernel of the architecture it is built for: on x86, fake-x86.c
 * (the default and software-protected VMs, the irqchip and vCPU
 * registers), fake-tdx.c and fake-tdx-run.c (TDX, with a fake TDX module),
 * fake-sev.c, fake-snp.c and fake-sev-vcpu.c (SEV, SEV-ES and SNP, with a
 * fake secure processor); on arm64, fake-arm64.c (the default VM, the
 * vGICv3, vCPU init and registers) and fake-realm.c (Arm CCA realms, with a
 * fake RMM).  Everything here runs with fake.lock held. */
#ifndef CVM_TEST_FAKE_H
#define CVM_TEST_FAKE_H

#include <pthread.h>

#include "tests/unit/fake/fake-kvm.h"

#define PAGE		4096ull
#define MAX_OBJS	64
#define MAX_SLOTS	16	/* per VM and address space */
#define MAX_ANSWERS	8
#define MAX_CAPS	32
#define MAX_CPUID	256	/* KVM_MAX_CPUID_ENTRIES */
#define MAX_ATTR_RANGES	4096
/* "Not mine": a type's ioctl handler passes the request on. */
#define ENOIOCTLCMD	515

struct attr_range {
	uint64_t start, end, attrs;     /* end exclusive; only non-zero attrs are kept */
};

struct fake_vm_type;
struct fake_vcpu;

/* A kernel object behind a fake fd. */
struct obj {
	enum fake_kind kind;
	int fd;
	bool open;
	struct obj *vm;                 /* VCPU, GMEM: the VM it belongs to */
	unsigned id;                    /* VCPU */
	uint64_t size, flags;           /* GMEM */
	uint8_t *view;                  /* VCPU: the run area; GMEM: the file */
	size_t view_len;
	void *vmm_map;                  /* VCPU: where the VMM mapped the run area */
	/* VM */
	const struct fake_vm_type *type;
	unsigned long vm_type;          /* KVM_CREATE_VM's argument */
	struct kvm_userspace_memory_region2 slots[MAX_SLOTS];  /* size 0: unused */
	struct attr_range *attrs;       /* sorted, disjoint */
	unsigned nattrs;
	uint64_t hypercall_exits;       /* KVM_CAP_EXIT_HYPERCALL as enabled */
	bool irqchip, pit;              /* arm64: irqchip = a vGICv3 exists */
	bool split_irqchip;             /* KVM_CAP_SPLIT_IRQCHIP: the LAPIC only */
	unsigned gic;                   /* arm64: FAKE_GIC_* steps the vGICv3 went through */
	unsigned nvcpus;
	void *priv;                     /* the type's own state (vm_init .. vm_free) */
};

/* One VM type: its per-VM flags (KERNEL-RULES 2.1) and the handlers that
 * run after the generic rules of fake-vm.c (-ENOIOCTLCMD: not theirs). */
struct fake_vm_type {
	unsigned long type;
	const char *name;
	bool private_mem;               /* has_private_mem: attributes, gmem flags */
	bool protected_state;           /* has_protected_state: no READONLY slots */
	long (*vm_ioctl)(struct obj *vm, unsigned long req, void *arg);
	long (*vcpu_ioctl)(struct obj *vcpu, unsigned long req, void *arg);
	/* A device fd's ioctls (arm64: the vGICv3); NULL: -ENOTTY. */
	long (*device_ioctl)(struct obj *dev, unsigned long req, void *arg);
	void (*vcpu_reset)(struct fake_vcpu *v, unsigned id);
	/* Optional: the VM's own state, made at KVM_CREATE_VM and freed when
	 * the fake is uninstalled; a check before KVM_CREATE_VCPU (0 or
	 * -errno); KVM_RUN's own rules, tried before the script is played:
	 * true with *RET when the type answered (it may drop fake.lock to
	 * wait, and takes it again). */
	void (*vm_init)(struct obj *vm);
	void (*vm_free)(struct obj *vm);
	long (*create_vcpu)(struct obj *vm, unsigned long id);
	bool (*run)(struct obj *vcpu, struct fake_vcpu *v, long *ret);
};

/* The state of one vCPU id: its script and its registers. */
struct fake_vcpu {
	struct fake_step *steps[FAKE_MAX_STEPS];
	unsigned nsteps, next;
	struct fake_step *unanswered;   /* played; its reply not taken yet */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
#ifdef __x86_64__
	struct kvm_lapic_state lapic;
#else
	bool inited;                    /* KVM_ARM_VCPU_INIT ran */
	uint32_t features;              /* its features[0] */
#endif
	bool has_xlate;
	struct kvm_translation xlate;
};

struct fake_cap {
	long cap, value;
};

struct fake_state {
	pthread_mutex_t lock;
	struct obj objs[MAX_OBJS];
	unsigned nobjs;
	struct fake_vcpu vcpus[FAKE_MAX_VCPUS];
	struct fake_cap caps[MAX_CAPS];
	unsigned ncaps;
#ifdef __x86_64__
	struct kvm_cpuid_entry2 cpuid[MAX_CPUID];
	unsigned ncpuid;
#endif
	struct obj *last_gmem;
};

extern struct fake_state fake;

void fake__die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* The /dev/kvm answer to KVM_CHECK_EXTENSION(CAP). */
long fake__cap(long cap);
/* A new object on a memfd of SIZE bytes that the fake also maps when SIZE
 * is not 0; *O = it.  Returns the fd or -errno. */
long fake__new_obj(enum fake_kind kind, struct obj *vm, uint64_t size, struct obj **o);
struct obj *fake__obj(int fd);

/* The architecture's half of the core (fake-x86.c, fake-arm64.c). */
/* The host's defaults: its capabilities (x86: and its CPUID table). */
void fake_arch__reset(void);
/* The type KVM_CREATE_VM(TYPE) makes on this host, NULL if it refuses it. */
const struct fake_vm_type *fake_vm__type(unsigned long type);
/* /dev/kvm ioctls beyond the generic four. */
long fake_arch__kvm_ioctl(unsigned long req, void *arg);
/* What open(PATH) reaches besides /dev/kvm (x86: /dev/sev), else FAKE_REAL. */
enum fake_kind fake_arch__open(const char *path);
/* The length of a variable-length argument to log, 0 when _IOC_SIZE is. */
size_t fake_arch__arg_len(unsigned long req, const void *arg, long ret);

/* fake-vm.c */
long fake_vm__create(unsigned long type);
/* The generic VM ioctls, then the type's; -ENOTTY if nobody knows REQ. */
long fake_vm__ioctl(struct obj *vm, unsigned long req, void *arg);
long fake_vm__fallocate(struct obj *gmem, int mode, off_t off, off_t len);
/* The memory attributes of GPA in VM. */
uint64_t fake_vm__attributes(const struct obj *vm, uint64_t gpa);
/* The memslot of VM holding GPA, or NULL. */
const struct kvm_userspace_memory_region2 *fake_vm__slot(const struct obj *vm, uint64_t gpa);

#ifdef __x86_64__
/* fake-x86.c: the x86 types, the host's defaults, the vCPU power-on state;
 * the VM and vCPU ioctls every x86 type shares. */
extern const struct fake_vm_type fake_x86_default, fake_x86_sw_protected;
long fake_x86__vm_ioctl(struct obj *vm, unsigned long req, void *arg);
long fake_x86__vcpu_ioctl(struct obj *vcpu, unsigned long req, void *arg);
void fake_x86__reset_vcpu(struct fake_vcpu *v, unsigned id);

/* fake-tdx.c */
extern const struct fake_vm_type fake_x86_tdx;

/* fake-sev.c: the SEV, SEV-ES and SNP types (fake-sev.h). */
extern const struct fake_vm_type fake_sev_vm, fake_sev_es_vm, fake_snp_vm;
/* Whether open(PATH) reaches the fake's /dev/sev. */
bool fake_sev__is_dev(const char *path);
/* KVM_GET_DEVICE_ATTR on /dev/kvm: the KVM_X86_GRP_SEV attributes. */
long fake_sev__dev_attr(const struct kvm_device_attr *a);
extern const struct fake_cap fake_x86_caps[];
extern const unsigned fake_x86_ncaps;
extern const struct kvm_cpuid_entry2 fake_x86_cpuid[];
extern const unsigned fake_x86_ncpuid;

#else
/* fake-arm64.c: the default arm64 VM and the host's defaults; the VM,
 * vCPU and vGICv3 ioctls every arm64 type shares.  A VM type is flag bits
 * above the IPA width (KVM_VM_TYPE_ARM_IPA_SIZE_MASK). */
#define FAKE_GIC_DIST	(1u << 0)	/* the distributor's address set */
#define FAKE_GIC_REDIST	(1u << 1)	/* the redistributors' address set */
#define FAKE_GIC_INIT	(1u << 2)	/* KVM_DEV_ARM_VGIC_CTRL_INIT */
extern const struct fake_vm_type fake_arm64_default;
long fake_arm64__vm_ioctl(struct obj *vm, unsigned long req, void *arg);
long fake_arm64__vcpu_ioctl(struct obj *vcpu, unsigned long req, void *arg);
long fake_arm64__device_ioctl(struct obj *dev, unsigned long req, void *arg);
void fake_arm64__reset_vcpu(struct fake_vcpu *v, unsigned id);
/* The IPA width a VM was created with (0 in the type: KVM's 40). */
unsigned fake_arm64__ipa_bits(const struct obj *vm);
/* KVM_CREATE_VCPU's arm64 rule: none once the vGIC is initialized. */
long fake_arm64__create_vcpu(struct obj *vm, unsigned long id);
/* KVM_RUN's arm64 rule: a vCPU runs only after KVM_ARM_VCPU_INIT. */
bool fake_arm64__run(struct obj *vcpu, struct fake_vcpu *v, long *ret);

/* fake-realm.c: the realm type and its fake RMM (fake-arm64.h). */
extern const struct fake_vm_type fake_arm64_realm;
/* The RMM's test settings back to their defaults. */
void fake_realm__reset(void);
#endif
#endif

/* A scripted KVM behind vmm/sys.h, so the VMM core runs end to end on hosts
 * without /dev/kvm (fake.h says how its files divide the work).
 *
 * fake__install() puts fake_ops in SYS.  open("/dev/kvm") then returns a
 * fake fd; the VM, vCPU and guest_memfd fds descend from it.  Every fake fd
 * is a real memfd, so leaked fds show in /proc/self/fd, and a guest_memfd is
 * a memfd of its size, so the VMM's mapping of it is real memory the fake
 * keeps a view of.  ioctls on fake fds answer as KERNEL-RULES.md sections
 * 2-3 and KVM-UAPI.md section 7 describe (argument checks in the kernel's
 * order, call-order rules, per-VM-type answers, the host's capabilities);
 * KVM_RUN plays a per-vCPU script of exits.  Calls on other fds go to the
 * real system calls.  Every call is recorded.  fake_ops may be called from
 * several vCPU threads at once; the fake__ functions are for the test's
 * thread, before vm__run() or after it returned. */
#ifndef CVM_TEST_FAKE_KVM_H
#define CVM_TEST_FAKE_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __x86_64__
#include "arch/x86/kvm-abi.h"
#else
#include "arch/arm64/kvm-abi.h"
#endif
#include "vmm/sys.h"

#define FAKE_MAX_VCPUS	8
#define FAKE_MAX_STEPS	64
#define FAKE_IO_MAX	64		/* bytes of IO data a step can carry */
#define FAKE_RUN_SIZE	(3 * 4096)	/* KVM_GET_VCPU_MMAP_SIZE, as on x86 */
#define FAKE_PIO_OFFSET	4096		/* where KVM puts IO data (KVM_PIO_PAGE_OFFSET) */
#define FAKE_ANY	(-1)

extern const struct sys_ops fake_ops;

/* Fresh state with the target host's capabilities; SYS = &fake_ops. */
void fake__install(void);
/* SYS = &sys_libc; frees the scripts, the log and the views. */
void fake__uninstall(void);

/* ---- The host ---------------------------------------------------------- */

/* KVM_CHECK_EXTENSION(CAP) answers VALUE from now on (0 = absent). */
void fake__set_cap(long cap, long value);
/* open("/dev/kvm") fails with ERR. */
void fake__open_fails(int err);
/* After SKIP calls that behave normally, every ioctl REQ (on any fd) returns
 * RET without acting, or -1 with errno ERR when ERR is not 0. */
void fake__answer(unsigned long req, unsigned skip, long ret, int err);
#ifdef __x86_64__
/* KVM_GET_SUPPORTED_CPUID's table (copied); the default is a small table
 * of an Intel host. */
void fake__set_supported_cpuid(const struct kvm_cpuid_entry2 *e, unsigned n);
#endif

/* ---- The guest: what KVM_RUN returns on vCPU ID, in order --------------- */

struct fake_step {
	/* KVM_RUN returns -1 with this errno after filling the run area (the
	 * memory-fault exit), 0 = it returns 0. */
	int err;
	/* Sleep until a signal arrives, then -1/EINTR; nothing else is played. */
	bool block;
	/* Played only once this many vCPU threads are inside KVM_RUN (this one
	 * included), so that exits race with running vCPUs for real. */
	unsigned wait_running;
	/* exit_reason and the exit union are copied into the run area. */
	struct kvm_run run;
	/* IO data, put at run.io.data_offset when that lies in the area: what
	 * an OUT carries, or for an IN what the VMM has to overwrite. */
	uint8_t data[FAKE_IO_MAX];
	uint32_t data_len;
	/* The guest state at this exit: KVM_GET_REGS / GET_SREGS / TRANSLATE
	 * answer these from then on (TRANSLATE is the identity otherwise). */
	bool has_regs, has_sregs, has_xlate;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_translation xlate;
	/* Filled by the fake: the run area as the VMM left it, at its next
	 * KVM_RUN or when it unmapped the area (NULL if neither happened). */
	struct kvm_run *reply;
	/* The guest writes POKE_LEN bytes of POKE to shared memory at POKE_GPA
	 * before it exits (through the memslot's userspace_addr, as KVM
	 * reaches it). */
	uint64_t poke_gpa;
	uint8_t poke[FAKE_IO_MAX];
	uint32_t poke_len;
	/* With the reply: PEEK_LEN bytes of shared memory at PEEK_GPA, as the
	 * VMM left them (freed by the fake). */
	uint64_t peek_gpa;
	uint32_t peek_len;
	uint8_t *peeked;
};

/* Appends a step with EXIT_REASON and an empty payload for the caller to
 * fill.  A vCPU whose script is played out blocks like fake__block(): a
 * guest that runs on without exits (an AP waiting for SIPI). */
struct fake_step *fake__step(unsigned vcpu, uint32_t exit_reason);
/* KVM_EXIT_IO with COUNT items of SIZE bytes at the usual data offset;
 * DATA (size * count bytes, or NULL) goes there first. */
struct fake_step *fake__io(unsigned vcpu, bool out, uint16_t port, uint8_t size,
			   uint32_t count, const void *data);
/* OUT of one byte: the common case. */
struct fake_step *fake__out(unsigned vcpu, uint16_t port, uint8_t value);
/* KVM_EXIT_MMIO of LEN (<= 8) bytes; a write carries DATA. */
struct fake_step *fake__mmio(unsigned vcpu, uint64_t gpa, bool write, const void *data,
			     uint32_t len);
/* KVM_RUN fails with -1/ERR (EINTR: a signal; EFAULT: fill the memory
 * fault through kvm_run__memory_fault(&step->run)). */
struct fake_step *fake__error(unsigned vcpu, int err, uint32_t exit_reason);
struct fake_step *fake__block(unsigned vcpu);

/* ---- What the VMM did --------------------------------------------------- */

enum fake_op { FAKE_OPEN, FAKE_IOCTL, FAKE_MMAP, FAKE_MUNMAP, FAKE_CLOSE, FAKE_FALLOCATE };
enum fake_kind { FAKE_REAL, FAKE_KVM, FAKE_VM, FAKE_VCPU, FAKE_GMEM, FAKE_SEV, FAKE_DEVICE };

struct fake_call {
	enum fake_op op;
	int fd;                 /* OPEN: the result */
	enum fake_kind kind;    /* what FD was at the call */
	int vcpu;               /* the vCPU id for vCPU fds, else -1 */
	unsigned long req;      /* IOCTL */
	uint64_t arg;           /* IOCTL: the argument as an integer; MMAP/MUNMAP: length;
				   FALLOCATE: offset */
	void *data;             /* IOCTL: a copy of the struct ARG points to, as the call left it */
	size_t len;             /* bytes at DATA */
	uint64_t addr;          /* MMAP: the result; MUNMAP: the address; FALLOCATE: length */
	int prot, flags;        /* MMAP; OPEN: flags; FALLOCATE: mode */
	long ret;
	int err;                /* errno when RET is -1 (MMAP: MAP_FAILED) */
};

/* The whole log, in order (valid until the next call through SYS). */
const struct fake_call *fake__calls(size_t *n);
/* The NTH (from 0) ioctl REQ on vCPU VCPU, or on any fd with FAKE_ANY. */
const struct fake_call *fake__find(int vcpu, unsigned long req, unsigned nth);
unsigned fake__count(int vcpu, unsigned long req);
/* How many steps of VCPU's script KVM_RUN has played. */
unsigned fake__played(unsigned vcpu);
/* vCPU threads inside KVM_RUN now. */
unsigned fake__running(void);
/* Fake fds the VMM has not closed. */
unsigned fake__open_fds(void);
/* The memory attributes of GPA in the last VM created (KVM's view). */
uint64_t fake__attributes(uint64_t gpa);
#ifdef __x86_64__
/* A host whose KVM also offers software-protected VMs with private memory
 * (the nested 7.3 host of make check). */
void fake__host_sw_protected(void);
#endif
/* The contents of the last guest_memfd created (the file itself, kept
 * mapped after the VMM closed it); NULL if none.  *SIZE = its size. */
const uint8_t *fake__guest_memory(uint64_t *size);

#endif

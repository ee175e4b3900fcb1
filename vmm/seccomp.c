#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loader/error.h"
#include "vmm/kvm-abi.h"
#include "vmm/seccomp.h"

#if defined(__SANITIZE_ADDRESS__)
#define CVM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CVM_SANITIZED 1
#endif
#endif

/* What the threads do once the VM runs: guest exits and device models
 * (ioctl, console write, terminal read/poll, locks, kicks), starting the
 * input and vCPU threads (their wake-up pipe, clone with CLONE_THREAD,
 * stacks, signal set-up), stderr, and the teardown (close, munmap, the
 * terminal restored, a QGS relay's socket shut down). */
static const char *const allowed[] = {
	"read", "write", "writev", "close", "futex", "poll", "ppoll",
	"clock_gettime", "clock_nanosleep", "nanosleep", "gettimeofday",
	"rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "restart_syscall",
	"mmap", "munmap", "mprotect", "madvise", "brk", "mremap",
	"set_robust_list", "rseq", "exit", "exit_group",
	"getpid", "gettid", "tgkill", "sched_yield", "getrandom",
	"fstat", "newfstatat", "pipe2", "shutdown",
};

/* The ioctls made after set-up: KVM_RUN and the interrupt lines (an MSI
 * for TDX's event notification), private memory conversions
 * (vmm/private-mem.c), the TEE commands of a running SEV or TDX guest, the
 * terminal mode, the registers a failure report reads (arm64's one by one,
 * x86's with the translation of RIP). */
static const unsigned long ioctls[] = {
	KVM_RUN, KVM_IRQ_LINE, KVM_SIGNAL_MSI, KVM_SET_MEMORY_ATTRIBUTES, KVM_MEMORY_ENCRYPT_OP,
	TCGETS, TCSETS, KVM_GET_ONE_REG,
#if defined(__x86_64__)
	KVM_GET_REGS, KVM_GET_SREGS, KVM_TRANSLATE,
#endif
};

/* The TDX quote relay (--tdx-qgs) talks to a QGS over a stream socket of
 * these families, and to nothing else. */
static const int socket_families[] = { AF_UNIX, AF_VSOCK };
static const char *const socket_calls[] = { "connect", "setsockopt", "sendto", "recvfrom" };

#ifdef CVM_SANITIZED
/* ASan's reports (symbolizing reads /proc/self/maps) and LeakSanitizer at
 * exit, which clones a tracer that ptrace-stops every thread. */
static const char *const sanitizer[] = {
	"clone", "ptrace", "wait4", "waitid", "prctl", "getdents", "getdents64", "open", "openat",
	"readlink", "readlinkat", "sigaltstack", "getppid", "sched_getaffinity", "pipe",
	"pipe2", "dup", "dup2", "dup3", "mincore", "kill", "lseek", "pread64", "stat",
	"lstat", "access", "faccessat", "uname", "getrlimit", "prlimit64", "setrlimit",
	"process_vm_readv", "unlink", "fcntl", "sysinfo",
};
#endif

/* Syscall names resolved before the filter is on: the handler cannot
 * allocate. */
#define NAMES 512
static char names[NAMES][24];

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char line[160];
	int nr = si->si_syscall, n;

	(void)sig;
	(void)uc;
	n = snprintf(line, sizeof(line),
		     "cvm-run: seccomp: system call %d (%s) is not allowed once the VM runs "
		     "(--no-seccomp turns the filter off)\n",
		     nr, nr >= 0 && nr < NAMES && names[nr][0] ? names[nr] : "?");
	n = write(STDERR_FILENO, line, n);
	_exit(CVM_EXIT_FAIL);
}

static int allow(scmp_filter_ctx ctx, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	/* A name this architecture lacks (poll on arm64) is not an error. */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

static int rules(scmp_filter_ctx ctx)
{
	size_t i;
	int r = 0;

	for (i = 0; !r && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		r = allow(ctx, allowed[i]);
	for (i = 0; !r && i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, ioctls[i]));
#ifdef CVM_SANITIZED
	for (i = 0; !r && i < sizeof(sanitizer) / sizeof(sanitizer[0]); i++)
		r = allow(ctx, sanitizer[i]);
#else
	/* Threads only: a new process would escape nothing, but has no use. */
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
#endif
	for (i = 0; !r && i < sizeof(socket_families) / sizeof(socket_families[0]); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				     SCMP_A0(SCMP_CMP_EQ, socket_families[i]));
	for (i = 0; !r && i < sizeof(socket_calls) / sizeof(socket_calls[0]); i++)
		r = allow(ctx, socket_calls[i]);
	/* A conversion punches the side pages leave, and nothing else. */
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fallocate), 1,
				     SCMP_A1(SCMP_CMP_EQ, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE));
	/* clone3's flags are behind a pointer the filter cannot read: ENOSYS
	 * sends glibc back to clone. */
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	return r;
}

int seccomp__install(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	scmp_filter_ctx ctx;
	int r;

	for (int nr = 0; nr < NAMES; nr++) {
		char *s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

		if (s)
			snprintf(names[nr], sizeof(names[nr]), "%s", s);
		free(s);
	}
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return err__set_status(CVM_EXIT_FAIL, "seccomp: SIGSYS handler: %s", strerror(errno));
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return err__set_status(CVM_EXIT_FAIL, "seccomp: cannot start a filter");
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!r)
		r = rules(ctx);
	if (!r)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r)
		return err__set_status(CVM_EXIT_NOHOST, "seccomp: cannot install the filter: %s "
				       "(a kernel without CONFIG_SECCOMP_FILTER, or valgrind; "
				       "--no-seccomp runs without it)", strerror(-r));
	return 0;
}

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "vmm/fault-guard.h"

/* The copy in progress on this thread, if any.  Its loop touches only
 * the source and a destination the caller owns: a fault while it runs is
 * the source's, whatever address the kernel reports (pKVM's injected
 * aborts do not promise one). */
struct guard {
	sigjmp_buf env;
};

static __thread struct guard *volatile active;
static struct sigaction old_segv, old_bus;
static pthread_once_t installed = PTHREAD_ONCE_INIT;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	struct guard *g = active;

	(void)si;
	(void)uc;
	if (g)
		siglongjmp(g->env, 1);
	/* Not ours: put the previous handler back and let the access fault
	 * again under it. */
	sigaction(sig, sig == SIGSEGV ? &old_segv : &old_bus, NULL);
}

static void install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
}

int guard__copy(void *dst, const void *src, size_t len)
{
	struct guard g;
	const volatile uint8_t *s = src;
	uint8_t *d = dst;

	pthread_once(&installed, install);
	/* sigsetjmp with the signal mask: the handler's blocked SIGSEGV is
	 * unblocked again on the way out. */
	if (sigsetjmp(g.env, 1)) {
		active = NULL;
		return -1;
	}
	active = &g;
	/* Byte by byte through a volatile pointer: each load is one the
	 * guard covers, none is moved out of it. */
	for (size_t i = 0; i < len; i++)
		d[i] = s[i];
	active = NULL;
	return 0;
}

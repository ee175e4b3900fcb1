/* Host reads of memory that may fault under the reader.  On pKVM a page a
 * protected guest has touched belongs to it until it shares it back, and a
 * host access to it is a stage-2 fault the kernel delivers as SIGSEGV (or
 * SIGBUS).  cvm-run cannot know which pages the guest shared (MEM_SHARE is
 * handled at EL2), so it reads such memory only through guard__copy, which
 * turns that signal into an error instead of a crash.
 *
 * The handler is installed once, process-wide, for SIGSEGV and SIGBUS; a
 * fault outside a guard__copy of the faulting thread goes to the handler
 * that was there before (the default: the process dies as it would
 * have). */
#ifndef CVM_FAULT_GUARD_H
#define CVM_FAULT_GUARD_H

#include <stddef.h>

/* Copies LEN bytes from SRC to DST; 0, or -1 when a read of SRC faulted
 * (DST then holds an unspecified prefix).  No err__set(): the caller
 * knows what SRC is. */
int guard__copy(void *dst, const void *src, size_t len);

#endif

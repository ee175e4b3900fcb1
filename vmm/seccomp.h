/* The VMM's seccomp filter: once the VM is set up, every thread of cvm-run
 * (vCPUs, the device models they run, terminal input, the main thread that
 * waits and tears down) may make only the system calls of the allow-list in
 * seccomp.c.  Anything else ends the process with one line on stderr naming
 * the system call, exit status 1.  A new system call or ioctl made after
 * set-up belongs in that list, with the reason.
 *
 * Sanitizer builds (ASan, LeakSanitizer at exit) also get the calls their
 * runtimes make.  valgrind does not implement seccomp(2): there the install
 * fails (exit 3) and --no-seccomp is the way to run. */
#ifndef CVM_SECCOMP_H
#define CVM_SECCOMP_H

/* Installs the filter on every thread of the process (TSYNC).  -1 with
 * err__set_status(3, ...) when the kernel (or valgrind) refuses it. */
int seccomp__install(void);

#endif

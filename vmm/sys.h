/* The seam between cvm and the kernel: every open/ioctl/mmap on /dev/kvm and
 * its descendants goes through SYS, so tests can put a scripted kernel
 * behind the VMM (the development machines have no usable /dev/kvm) and the
 * TEE backends can be checked against the documented answers. */
#ifndef CVM_SYS_H
#define CVM_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sys_ops {
	int (*open)(const char *path, int flags);
	int (*ioctl)(int fd, unsigned long req, void *arg);
	void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd, off_t off);
	int (*munmap)(void *addr, size_t len);
	int (*close)(int fd);
	int (*fallocate)(int fd, int mode, off_t off, off_t len);   /* guest_memfd holes */
};

/* The real system calls, unless a test installed something else. */
extern const struct sys_ops *sys;
extern const struct sys_ops sys_libc;

/* ARG is a pointer or an immediate, as for ioctl(2). */
#define sys__ioctl(fd, req, arg) sys->ioctl((fd), (req), (void *)(uintptr_t)(arg))

#endif

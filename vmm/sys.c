#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/sys.h"

static int libc_open(const char *path, int flags)
{
	return open(path, flags);
}

static int libc_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

const struct sys_ops sys_libc = {
	.open = libc_open,
	.ioctl = libc_ioctl,
	.mmap = mmap,
	.munmap = munmap,
	.close = close,
	.fallocate = fallocate,
};

const struct sys_ops *sys = &sys_libc;

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "loader/error.h"
#include "vmm/arch.h"
#include "vmm/kvm-abi.h"
#include "vmm/kvm.h"
#include "vmm/sys.h"

long kvm__cap(const struct kvm *k, long cap)
{
	int fd = k->vm_fd >= 0 ? k->vm_fd : k->sys_fd;
	long r = sys__ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

static void probe(struct kvm *k)
{
	struct kvm_caps *c = &k->caps;

	c->vm_types = kvm__cap(k, KVM_CAP_VM_TYPES);
	c->user_memory2 = kvm__cap(k, KVM_CAP_USER_MEMORY2) > 0;
	c->guest_memfd = kvm__cap(k, KVM_CAP_GUEST_MEMFD) > 0;
	c->gmem_flags = kvm__cap(k, KVM_CAP_GUEST_MEMFD_FLAGS);
	c->mem_attributes = kvm__cap(k, KVM_CAP_MEMORY_ATTRIBUTES);
	c->pre_fault = kvm__cap(k, KVM_CAP_PRE_FAULT_MEMORY) > 0;
	c->exit_hypercall = kvm__cap(k, KVM_CAP_EXIT_HYPERCALL);
	c->memory_fault_info = kvm__cap(k, KVM_CAP_MEMORY_FAULT_INFO) > 0;
	c->irqchip = kvm__cap(k, KVM_CAP_IRQCHIP) > 0;
	c->max_vcpus = kvm__cap(k, KVM_CAP_MAX_VCPUS);
	if (c->max_vcpus <= 0)
		c->max_vcpus = kvm__cap(k, KVM_CAP_NR_VCPUS);
}

int kvm__open(struct kvm *k)
{
	memset(k, 0, sizeof(*k));
	k->vm_fd = -1;
	k->sys_fd = sys->open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (k->sys_fd < 0)
		return err__set_status(CVM_EXIT_NOHOST, "/dev/kvm: %s", strerror(errno));
	k->caps.api_version = sys__ioctl(k->sys_fd, KVM_GET_API_VERSION, 0);
	if (k->caps.api_version != KVM_API_VERSION) {
		int v = k->caps.api_version;

		kvm__close(k);
		return err__set_status(CVM_EXIT_NOHOST, "/dev/kvm: API version %d, need %d", v,
				       KVM_API_VERSION);
	}
	k->run_size = sys__ioctl(k->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (k->run_size < (int)sizeof(struct kvm_run)) {
		kvm__close(k);
		return err__set_status(CVM_EXIT_NOHOST, "/dev/kvm: KVM_GET_VCPU_MMAP_SIZE failed");
	}
	probe(k);
	return 0;
}

int kvm__create_vm(struct kvm *k, unsigned long type)
{
	if (arch__check_vm_type(k, type) < 0)
		return -1;
	do
		k->vm_fd = sys__ioctl(k->sys_fd, KVM_CREATE_VM, type);
	while (k->vm_fd < 0 && errno == EINTR);
	if (k->vm_fd < 0)
		return err__set_status(errno == EINVAL ? CVM_EXIT_NOHOST : CVM_EXIT_FAIL,
				       "KVM_CREATE_VM(%lu): %s", type, strerror(errno));
	/* Some answers (gmem flags, attributes) depend on the VM type. */
	probe(k);
	return 0;
}

int kvm__probe_vm(const struct kvm *k, unsigned long type, struct kvm_caps *caps)
{
	struct kvm vm = *k;

	if (kvm__create_vm(&vm, type) < 0)
		return -1;
	*caps = vm.caps;
	sys->close(vm.vm_fd);
	return 0;
}

void kvm__close(struct kvm *k)
{
	if (k->vm_fd >= 0)
		sys->close(k->vm_fd);
	if (k->sys_fd >= 0)
		sys->close(k->sys_fd);
	k->vm_fd = k->sys_fd = -1;
}

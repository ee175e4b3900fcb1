#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "loader/error.h"
#include "vmm/kvm-abi.h"
#include "vmm/private-mem.h"
#include "vmm/sys.h"
#include "vmm/tee.h"
#include "vmm/vm.h"

#define PAGE_MASK 0xfffull

static int punch(int fd, uint64_t off, uint64_t len)
{
	return sys->fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
			      (off_t)len);
}

enum convert_result private_mem__convert(struct vm *vm, uint64_t gpa, uint64_t size,
					 bool to_private)
{
	struct guest_mem *m = &vm->mem;
	const struct guest_slot *s;
	struct kvm_memory_attributes a = {
		.address = gpa,
		.size = size,
		.attributes = to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};
	enum convert_result r = CONVERT_OK;
	bool attrs_in_kvm = m->model != MEM_ENCRYPTED;
	uint64_t off;

	if (m->model == MEM_SHARED || !size || (gpa | size) & PAGE_MASK || gpa + size < gpa)
		return CONVERT_REFUSED;
	s = guest__slot(m, gpa, size);
	if (!s)
		return CONVERT_REFUSED;
	off = s->off + (gpa - s->gpa);
	pthread_rwlock_wrlock(&m->lock);
	/* Room first, so the bookkeeping cannot fail once KVM has changed. */
	if (range_set__reserve(&m->private, 1) < 0) {
		r = CONVERT_RETRY;
		goto out;
	}
	/* SEV: the guest's page tables decide and nothing moves; what it
	 * declares is only kept, so that device models stay out of it. */
	if (attrs_in_kvm && sys__ioctl(vm->kvm.vm_fd, KVM_SET_MEMORY_ATTRIBUTES, &a) < 0) {
		/* Arguments were checked above: what is left is the host
		 * running short (xarray allocation) or a signal. */
		r = errno == ENOMEM || errno == EAGAIN || errno == EINTR ? CONVERT_RETRY
									   : CONVERT_REFUSED;
		goto out;
	}
	/* The side the pages leave gives its memory back.  A failure here
	 * leaves RAM held twice but never exposes old data: the attribute
	 * decides which side the guest sees. */
	if (to_private) {
		if (attrs_in_kvm)
			punch(m->shared_fd, off, size);
		range_set__add(&m->private, gpa, gpa + size);
	} else {
		if (attrs_in_kvm)
			punch(m->gmem_fd, off, size);
		range_set__remove(&m->private, gpa, gpa + size);
	}
out:
	pthread_rwlock_unlock(&m->lock);
	return r;
}

int private_mem__make_private(struct vm *vm)
{
	for (int i = 0; i < vm->mem.nslots; i++) {
		const struct guest_slot *g = &vm->mem.slots[i];
		enum convert_result r = private_mem__convert(vm, g->gpa, g->size, true);

		if (r != CONVERT_OK)
			return err__set_status(CVM_EXIT_FAIL, "guest memory [%#llx, +%#llx) cannot be "
					       "made private: %s", (unsigned long long)g->gpa,
					       (unsigned long long)g->size,
					       r == CONVERT_RETRY ? "the host is short of memory" :
								    "KVM refused");
	}
	return 0;
}

bool private_mem__fault(struct vm *vm, unsigned vcpu, uint64_t gpa, uint64_t size, bool private)
{
	const char *dir = private ? "shared -> private" : "private -> shared";

	if (!vm->tee->convert_on_fault) {
		vm__stop(vm, CVM_EXIT_FAIL, "vCPU %u: memory fault at gpa %#llx size %#llx (%s "
			 "access): %s does not convert on faults", vcpu, (unsigned long long)gpa,
			 (unsigned long long)size, private ? "private" : "shared", vm->tee->desc);
		return false;
	}
	if (private_mem__convert(vm, gpa, size, private) != CONVERT_OK) {
		vm__stop(vm, CVM_EXIT_FAIL, "vCPU %u: memory fault at gpa %#llx size %#llx: "
			 "conversion %s refused", vcpu, (unsigned long long)gpa,
			 (unsigned long long)size, dir);
		return false;
	}
	return true;
}

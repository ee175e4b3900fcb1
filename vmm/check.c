#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "loader/error.h"
#include "vmm/arch.h"
#include "vmm/check.h"
#include "vmm/kvm-abi.h"
#include "vmm/kvm.h"
#include "vmm/memory.h"
#include "vmm/sys.h"
#include "vmm/tee.h"

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static const struct tee_ops *built(const char *name)
{
	const struct tee_ops *const *l = tee__list();

	for (size_t i = 0; l[i]; i++)
		if (!strcmp(l[i]->name, name))
			return l[i];
	return NULL;
}

/* One line per --tee backend: each asks its questions on a VM of its own
 * type, since memory attributes and gmem flags are per type (ERRATA 26). */
static void launch_paths(struct kvm *k, bool vm_ok)
{
	printf("launch paths:\n");
	printf("  %-22s %s\n", "plain, guest_memfd", vm_ok && guest__gmem_usable(k) ? "yes" :
	       vm_ok ? "no: guest_memfd without MMAP|INIT_SHARED (anon fallback)" : "no");
	printf("  %-22s %s\n", "plain, anonymous", yes(vm_ok));
	for (size_t i = 1; tee_names[i]; i++) {
		const struct tee_ops *t = built(tee_names[i]);
		char note[160] = "";

		printf("  %-22s ", tee_names[i]);
		if (!t)
			printf("no: not in this build of cvm-run\n");
		else if (!t->check || t->check(k, note, sizeof(note)) == 0)
			printf("yes%s%s\n", note[0] ? ": " : "", note);
		else
			printf("no: %s\n", err__msg());
	}
}

static void report(struct kvm *k, bool vm_ok)
{
	const struct kvm_caps *c = &k->caps;

	printf("KVM API version        %d\n", c->api_version);
	arch__check_report(k);
	printf("guest_memfd            %s, flags %#llx (%s%s)\n", yes(c->guest_memfd),
	       (unsigned long long)c->gmem_flags,
	       c->gmem_flags & GUEST_MEMFD_FLAG_MMAP ? "MMAP " : "",
	       c->gmem_flags & GUEST_MEMFD_FLAG_INIT_SHARED ? "INIT_SHARED" : "");
	printf("memslots v2            %s\n", yes(c->user_memory2));
	printf("memory attributes      %#llx (%s)\n", (unsigned long long)c->mem_attributes,
	       c->mem_attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE ? "private memory" :
							    "no private memory");
	printf("pre-fault              %s\n", yes(c->pre_fault));
	printf("memory-fault exits     %s\n", yes(c->memory_fault_info));
	printf("in-kernel irqchip      %s\n", yes(c->irqchip));
	printf("max vCPUs              %d\n", c->max_vcpus);
	launch_paths(k, vm_ok);
}

int check__run(bool quiet)
{
	struct kvm k;
	int vcpu = -1;
	bool vm_ok;

	if (kvm__open(&k) < 0) {
		fprintf(stderr, "cvm-run: %s\n", err__msg());
		return CVM_EXIT_NOHOST;
	}
	vm_ok = kvm__create_vm(&k, arch__vm_type(NULL)) == 0;
	if (vm_ok) {
		vcpu = sys__ioctl(k.vm_fd, KVM_CREATE_VCPU, 0);
		if (vcpu < 0)
			err__set_status(CVM_EXIT_NOHOST, "KVM_CREATE_VCPU: %s", strerror(errno));
		vm_ok = vcpu >= 0;
	}
	if (!quiet) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err__msg());
		report(&k, vm_ok);
		err__set_status(CVM_EXIT_NOHOST, "%s", why);
	}
	if (vcpu >= 0)
		sys->close(vcpu);
	kvm__close(&k);
	if (!vm_ok) {
		fprintf(stderr, "cvm-run: %s\n", err__msg());
		return CVM_EXIT_NOHOST;
	}
	return 0;
}

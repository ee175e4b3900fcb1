#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "loader/error.h"
#include "vmm/check.h"
#include "vmm/kvm-abi.h"
#include "vmm/kvm.h"
#include "vmm/memory.h"
#include "vmm/sys.h"

static const char *const vm_type_names[] = {
	[KVM_X86_DEFAULT_VM] = "default", [KVM_X86_SW_PROTECTED_VM] = "sw-protected",
	[KVM_X86_SEV_VM] = "SEV",         [KVM_X86_SEV_ES_VM] = "SEV-ES",
	[KVM_X86_SNP_VM] = "SNP",         [KVM_X86_TDX_VM] = "TDX",
};

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

/* A TEE launch path needs its VM type and private memory (attributes). */
static void backend(const struct kvm *k, const char *name, int type, bool private_mem,
		    const char *extra)
{
	bool has_type = k->caps.vm_types & (1ull << type);

	printf("  %-22s ", name);
	if (!has_type)
		printf("no: VM type %d (%s) not offered by this KVM\n", type, vm_type_names[type]);
	else if (private_mem && !(k->caps.mem_attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE))
		printf("no: no private memory attributes (KVM_CAP_MEMORY_ATTRIBUTES)\n");
	else if (extra)
		printf("no: %s\n", extra);
	else
		printf("yes\n");
}

static void report(const struct kvm *k, bool vm_ok)
{
	const struct kvm_caps *c = &k->caps;
	bool sev_dev = access("/dev/sev", R_OK | W_OK) == 0;

	printf("KVM API version        %d\n", c->api_version);
	printf("VM types              ");
	for (size_t t = 0; t < sizeof(vm_type_names) / sizeof(vm_type_names[0]); t++)
		printf(" %s:%s", vm_type_names[t], yes(c->vm_types & (1ull << t)));
	printf("\nguest_memfd            %s, flags %#llx (%s%s)\n", yes(c->guest_memfd),
	       (unsigned long long)c->gmem_flags,
	       c->gmem_flags & GUEST_MEMFD_FLAG_MMAP ? "MMAP " : "",
	       c->gmem_flags & GUEST_MEMFD_FLAG_INIT_SHARED ? "INIT_SHARED" : "");
	printf("memslots v2            %s\n", yes(c->user_memory2));
	printf("memory attributes      %#llx (%s)\n", (unsigned long long)c->mem_attributes,
	       c->mem_attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE ? "private memory" :
							    "no private memory");
	printf("pre-fault              %s\n", yes(c->pre_fault));
	printf("exit-hypercall         %s\n",
	       c->exit_hypercall & (1ull << KVM_HC_MAP_GPA_RANGE) ? "MAP_GPA_RANGE" : "no");
	printf("memory-fault exits     %s\n", yes(c->memory_fault_info));
	printf("in-kernel irqchip      %s\n", yes(c->irqchip));
	printf("max vCPUs              %d\n", c->max_vcpus);
	printf("launch paths:\n");
	printf("  %-22s %s\n", "plain, guest_memfd", vm_ok && guest__gmem_usable(k) ? "yes" :
	       vm_ok ? "no: guest_memfd without MMAP|INIT_SHARED (anon fallback)" : "no");
	printf("  %-22s %s\n", "plain, anonymous", yes(vm_ok));
	backend(k, "SEV-SNP", KVM_X86_SNP_VM, true, sev_dev ? NULL : "no /dev/sev");
	backend(k, "SEV-ES", KVM_X86_SEV_ES_VM, false, sev_dev ? NULL : "no /dev/sev");
	backend(k, "TDX", KVM_X86_TDX_VM, true, NULL);
	printf("  %-22s no: arm64 hosts only\n", "pKVM / CCA");
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
	vm_ok = kvm__create_vm(&k, KVM_X86_DEFAULT_VM) == 0;
	if (vm_ok) {
		vcpu = sys__ioctl(k.vm_fd, KVM_CREATE_VCPU, 0);
		if (vcpu < 0)
			err__set_status(CVM_EXIT_NOHOST, "KVM_CREATE_VCPU: %s", strerror(errno));
		vm_ok = vcpu >= 0;
	}
	if (!quiet)
		report(&k, vm_ok);
	if (vcpu >= 0)
		sys->close(vcpu);
	kvm__close(&k);
	if (!vm_ok) {
		fprintf(stderr, "cvm-run: %s\n", err__msg());
		return CVM_EXIT_NOHOST;
	}
	return 0;
}

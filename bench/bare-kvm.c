/* The floor for VM set-up: the fewest ioctls that take a VM on guest_memfd
 * with an in-kernel irqchip (KVM_CREATE_IRQCHIP: PIC, IOAPIC, local APICs;
 * no PIT) from nothing to its first exit, with the same guest and memory
 * size cvm-run is given, in the order that makes that fastest here: the
 * irqchip before the memslots (the other way round, exit takes 8-12 ms
 * longer).  Nothing is closed or unmapped: process exit tears the VM down.
 * Where KVM has no mmap-able guest_memfd (before Linux 6.18), anonymous
 * memory, as cvm-run falls back to.  VCPUS - 1
 * more vCPUs are created and never run (cvm-run's wait for a SIPI).  With
 * "pit", the floor of a VM with a PIT: KVM_CREATE_PIT2 and the GSI routes
 * its IRQ 0 needs (to IOAPIC pin 2, as cvm-run's MP table says).
 * Usage: bare-kvm MEM_MIB ENTRY_GPA IMAGE_BIN [VCPUS [pit]] */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/kvm-abi.h"

#define LOAD_ADDR 0x100000ull

static int create_pit(int vm)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[16 + 23];
	} r = { .hdr.nr = 16 + 23 };
	unsigned n = 0;

	for (unsigned gsi = 0; gsi < 16; gsi++)
		r.e[n++] = (struct kvm_irq_routing_entry){ .gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE, gsi % 8 } };
	for (unsigned gsi = 0; gsi < 24; gsi++)
		if (gsi != 2)
			r.e[n++] = (struct kvm_irq_routing_entry){ .gsi = gsi,
				.type = KVM_IRQ_ROUTING_IRQCHIP,
				.u.irqchip = { KVM_IRQCHIP_IOAPIC, gsi == 0 ? 2 : gsi } };
	return ioctl(vm, KVM_CREATE_PIT2, &pit) < 0 ? -1 : ioctl(vm, KVM_SET_GSI_ROUTING, &r);
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 6)
		return 2;
	uint64_t mem = strtoull(argv[1], NULL, 0) << 20, low = mem < (3ull << 30) ? mem : 3ull << 30;
	uint64_t entry = strtoull(argv[2], NULL, 0);
	int kvm = open("/dev/kvm", O_RDWR), vm = ioctl(kvm, KVM_CREATE_VM, 0);
	struct kvm_create_guest_memfd g = { .size = mem, .flags = 3 };
	int vcpus = argc > 4 ? atoi(argv[4]) : 1;
	const char *opts = argc > 5 ? argv[5] : "";
	int gmem = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &g);
	uint8_t *ram = gmem >= 0 ? mmap(NULL, mem, PROT_READ | PROT_WRITE, MAP_SHARED, gmem, 0) :
		mmap(NULL, mem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		     -1, 0);
	/* Anonymous slots through the v1 ioctl: its struct is the first 32
	 * bytes of v2, and kernels without guest_memfd have no v2. */
	unsigned long set = gmem >= 0 ? KVM_SET_USER_MEMORY_REGION2 : KVM_SET_USER_MEMORY_REGION;
	uint32_t flags = gmem >= 0 ? KVM_MEM_GUEST_MEMFD : 0;
	struct kvm_userspace_memory_region2 r = { .slot = 0, .flags = flags,
		.memory_size = low, .userspace_addr = (uintptr_t)ram, .guest_memfd = gmem };
	FILE *f = fopen(argv[3], "rb");

	if (kvm < 0 || vm < 0 || ram == MAP_FAILED || !f || ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0 ||
	    (strstr(opts, "pit") && create_pit(vm) < 0) ||
	    ioctl(vm, set, &r) < 0)
		return 1;
	if (mem > low) {
		r = (struct kvm_userspace_memory_region2){ .slot = 1, .flags = flags,
			.guest_phys_addr = 1ull << 32, .memory_size = mem - low,
			.userspace_addr = (uintptr_t)ram + low, .guest_memfd = gmem,
			.guest_memfd_offset = low };
		if (ioctl(vm, set, &r) < 0)
			return 1;
	}
	if (!fread(ram + LOAD_ADDR, 1, 1 << 20, f))
		return 1;
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	/* The first page of the vCPU mapping is struct kvm_run. */
	struct kvm_run *run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	struct kvm_sregs s;
	struct kvm_regs regs = { .rip = entry, .rflags = 2 };

	ioctl(vcpu, KVM_GET_SREGS, &s);
	s.cs = (struct kvm_segment){ .limit = ~0u, .selector = 8, .type = 11, .present = 1,
				     .db = 1, .s = 1, .g = 1 };
	s.ds = s.es = s.ss = (struct kvm_segment){ .limit = ~0u, .selector = 16, .type = 3,
						   .present = 1, .db = 1, .s = 1, .g = 1 };
	s.cr0 |= 1;
	ioctl(vcpu, KVM_SET_SREGS, &s);
	ioctl(vcpu, KVM_SET_REGS, &regs);
	for (int i = 1; i < vcpus; i++)
		if (ioctl(vm, KVM_CREATE_VCPU, i) < 0)
			return 1;
	return ioctl(vcpu, KVM_RUN, 0) == 0 && run->exit_reason == KVM_EXIT_IO ? 0 : 1;
}

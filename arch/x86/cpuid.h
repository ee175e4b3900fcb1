/* The CPUID a plain VM's vCPUs see: KVM_GET_SUPPORTED_CPUID adjusted for the
 * topology "N cores, 1 thread each, 1 socket" and for --cpuid-disable.  Pure
 * functions over kvm_cpuid_entry2 arrays; the VMM applies them per vCPU
 * before KVM_SET_CPUID2. */
#ifndef CVM_X86_CPUID_H
#define CVM_X86_CPUID_H

#include <linux/kvm.h>
#include <stdint.h>

/* The feature words --cpuid-disable can name bits of. */
enum x86_cpuid_word {
	CPUID_1_ECX,
	CPUID_1_EDX,
	CPUID_7_0_EBX,
	CPUID_7_0_ECX,
	CPUID_7_0_EDX,
	CPUID_8000_0001_ECX,
	CPUID_8000_0001_EDX,
	X86_CPUID_WORDS,
};

struct x86_cpuid_policy {
	uint32_t clear[X86_CPUID_WORDS];   /* bits to hide, per word */
};

/* Adds the features of a comma-separated LIST of /proc/cpuinfo names ("avx2,
 * la57") and everything that depends on them to POL (zero-initialise it
 * first).  -1 + err__set("--cpuid-disable: unknown feature 'foo'"). */
int x86__cpuid_parse_disable(const char *list, struct x86_cpuid_policy *pol);

/* Rewrites the N entries of E (room for CAP) for vCPU VCPU of NVCPUS: APIC
 * ids, core counts, the hypervisor bit, the policy's cleared features.  Leaf
 * 0xB/0x1F sub-leaves 0 and 1 are appended when missing.  Returns the new
 * entry count, or -1 + err__set() when CAP is too small. */
int x86__cpuid_apply(const struct x86_cpuid_policy *pol, struct kvm_cpuid_entry2 *e, int n,
		     int cap, uint32_t vcpu, uint32_t nvcpus);

#endif

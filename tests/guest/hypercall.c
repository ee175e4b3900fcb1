/* KVM_HC_MAP_GPA_RANGE from the guest kernel: VMMCALL on AMD and Hygon,
 * VMCALL on Intel (the other one would be emulated, or patched in place). */
#include "guest.h"

#define HC_MAP_GPA_RANGE 12

static int vendor;		/* 0: not asked yet, 1: AMD-like, 2: Intel-like */

static bool amd(void)
{
	uint32_t a, b, c, d;

	if (!vendor) {
		asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
		/* "AuthenticAMD" / "HygonGenuine" */
		vendor = (b == 0x68747541 && d == 0x69746e65) ||
			 (b == 0x6f677948 && d == 0x6e65476e) ? 1 : 2;
	}
	return vendor == 1;
}

uint64_t hc__map_gpa_range(uint64_t gpa, uint64_t pages, uint64_t attrs)
{
	uint64_t ret;

	if (amd())
		asm volatile("vmmcall" : "=a"(ret)
			     : "a"((uint64_t)HC_MAP_GPA_RANGE), "b"(gpa), "c"(pages), "d"(attrs)
			     : "memory");
	else
		asm volatile("vmcall" : "=a"(ret)
			     : "a"((uint64_t)HC_MAP_GPA_RANGE), "b"(gpa), "c"(pages), "d"(attrs)
			     : "memory");
	return ret;
}

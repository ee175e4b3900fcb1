/* The conversion engine: the one place where guest RAM moves between
 * private and shared.  Every backend's request ends here: x86's
 * KVM_HC_MAP_GPA_RANGE (which SNP page-state changes and TDX MapGPA also
 * become), memory-fault exits, RIPAS changes.
 *
 * A conversion checks that the range is page-aligned, does not wrap and
 * lies in one RAM slot; sets KVM's memory attributes; then discards the
 * backing the pages leave (the guest_memfd hole on private -> shared, the
 * shared memfd pages on shared -> private), so a page's old contents never
 * survive a round trip and RAM is never held twice.  Pages already in the
 * target state keep their contents.  Bookkeeping is per range: converting
 * 64 GiB is one operation.  On SEV and SEV-ES (MEM_ENCRYPTED) the C-bit
 * lives in the guest's page tables: a valid request changes nothing in KVM
 * and succeeds, and only the bookkeeping follows it (the launch records the
 * pages the firmware encrypted), so that guest__ptr() keeps device models
 * out of pages known to be encrypted. */
#ifndef CVM_PRIVATE_MEM_H
#define CVM_PRIVATE_MEM_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

enum convert_result {
	CONVERT_OK = 0,
	CONVERT_RETRY = 11,     /* EAGAIN: transient host failure, ask again */
	CONVERT_REFUSED = 22,   /* EINVAL: not a RAM range, or no private memory */
};

/* Converts [gpa, gpa + size) to private (TO_PRIVATE) or shared.  The
 * values are what KVM wants in kvm_run.hypercall.ret (ERRATA row 5). */
enum convert_result private_mem__convert(struct vm *vm, uint64_t gpa, uint64_t size,
					 bool to_private);
/* The same for one page a memory-fault exit named, when the backend
 * converts on faults; otherwise, or when the conversion is refused, the VM
 * stops with a line naming the GPA and direction.  False when the vCPU
 * should not run on. */
bool private_mem__fault(struct vm *vm, unsigned vcpu, uint64_t gpa, uint64_t size,
			bool private);
/* Every RAM slot private, as a TD's or a realm's RAM starts; -1 with
 * status 1 naming the range KVM refused. */
int private_mem__make_private(struct vm *vm);

#endif

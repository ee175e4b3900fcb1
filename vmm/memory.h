/* Guest RAM: one guest_memfd (MMAP | INIT_SHARED) or one anonymous mapping,
 * cut into memslots around the architecture's MMIO hole.  Every host access
 * to guest memory goes through guest__ptr(), which refuses anything that is
 * not entirely inside one RAM slot: guests are hostile. */
#ifndef CVM_MEMORY_H
#define CVM_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/plan.h"

struct kvm;

enum mem_backend { MEM_GUEST_MEMFD, MEM_ANON };

#define GUEST_MAX_SLOTS 4

struct guest_range {
	uint64_t gpa, size;
};

struct guest_slot {
	uint64_t gpa, size;
	uint8_t *hva;
};

struct guest_mem {
	enum mem_backend backend;
	int gmem_fd;                /* -1 for anon */
	uint8_t *base;              /* the whole mapping */
	uint64_t size;
	struct guest_slot slots[GUEST_MAX_SLOTS];
	int nslots;
};

/* Backs guest RAM laid out as RANGES (from arch__ram_ranges).  With MEM_GUEST_MEMFD on a host without guest_memfd mmap
 * support: -1 with status 3 when STRICT, else a one-line notice on stderr and
 * anonymous memory. */
int guest__init(struct guest_mem *m, struct kvm *k, enum mem_backend backend, bool strict,
		const struct guest_range *ranges, int nranges);
void guest__exit(struct guest_mem *m);
/* Host pointer to [gpa, gpa+len) if it lies inside one RAM slot, else NULL. */
void *guest__ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);
/* Copies every PLAN_LOAD op of P into RAM; -1 naming the op outside RAM. */
int guest__load_plan(const struct guest_mem *m, const struct plan *p);
/* Whether the host can back a default VM with mmap-able guest_memfd. */
bool guest__gmem_usable(const struct kvm *k);

#endif

/* Guest RAM, cut into memslots around the architecture's MMIO hole.  The
 * backend picks the model:
 *
 *   MEM_SHARED   plain VMs: one guest_memfd (MMAP | INIT_SHARED) or one
 *                anonymous mapping, as the user chose (--memory-backend);
 *                a firmware range is a read-only slot of its own (KVM
 *                refuses read-only guest_memfd slots), whose writes exit
 *                as MMIO and are dropped;
 *   MEM_PRIVATE  private-memory VMs: each slot binds a guest_memfd created
 *                with flags 0 (private pages, never mapped here) and a memfd
 *                that cvm-run maps (shared pages); KVM's memory attributes
 *                say which side backs each page, and the conversion engine
 *                (vmm/private-mem.c) moves pages between them.
 *   MEM_ENCRYPTED  SEV and SEV-ES: no private side (KVM gives these types no
 *                guest_memfd attributes, KERNEL-RULES 2.1).  One memfd that
 *                cvm-run maps backs every slot, the firmware window included
 *                (SEV-ES refuses read-only slots); the firmware encrypts the
 *                launched pages in place and the guest's C-bit decides what
 *                stays readable here.  Nothing converts, but the private
 *                ranges record what is known to be encrypted: the launched
 *                pages, and what the guest declares through MAP_GPA_RANGE.
 *   MEM_SHMEM    protected VMs (pKVM): the same memfd in plain memslots (a
 *                protected VM cannot run on guest_memfd).  The payload is
 *                copied in before the first KVM_RUN; from then on each page
 *                the guest touches is its own (gone from the host's stage 2,
 *                pinned, counted against RLIMIT_MEMLOCK) until it shares it,
 *                at EL2, unseen here.  After guest__seal() guest__ptr()
 *                refuses every range and guest__read() copies through a
 *                fault guard.
 *
 * Every host access to guest memory goes through guest__ptr(), which
 * refuses anything that is not entirely inside one RAM slot and, under
 * MEM_PRIVATE and MEM_ENCRYPTED, entirely outside the private ranges, or
 * guest__read(): guests are hostile. */
#ifndef CVM_MEMORY_H
#define CVM_MEMORY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/plan.h"
#include "vmm/range-set.h"

struct kvm;

enum mem_model { MEM_SHARED, MEM_PRIVATE, MEM_ENCRYPTED, MEM_SHMEM };
enum mem_backend { MEM_GUEST_MEMFD, MEM_ANON };

#define GUEST_MAX_SLOTS 5         /* RAM around the MMIO hole, firmware */

struct guest_range {
	uint64_t gpa, size;
	bool rom;                   /* firmware: read-only to a MEM_SHARED guest, RAM otherwise */
};

struct guest_slot {
	uint64_t gpa, size;
	uint8_t *hva;               /* shared side */
	uint64_t off;               /* offset in the guest_memfd / memfd */
	bool own_map;               /* MEM_SHARED ROM: hva is a mapping of its own */
};

struct guest_mem {
	enum mem_model model;
	enum mem_backend backend;   /* MEM_SHARED only */
	int gmem_fd;                /* -1 for anon */
	int shared_fd;              /* MEM_PRIVATE, MEM_ENCRYPTED, MEM_SHMEM: the memfd behind base */
	uint8_t *base;              /* the whole shared mapping */
	uint64_t size;
	struct guest_slot slots[GUEST_MAX_SLOTS];
	int nslots;

	/* MEM_PRIVATE: the private ranges, as set in KVM's attributes;
	 * MEM_ENCRYPTED: the ranges known to be encrypted.  Conversions
	 * write, host accesses read. */
	pthread_rwlock_t lock;
	struct range_set private;
	bool ready;                 /* guest__init ran: guest__exit has work */
	bool sealed;                /* MEM_SHMEM: the guest has its pages */
};

struct guest_mem_cfg {
	enum mem_model model;
	enum mem_backend backend;   /* MEM_SHARED: the user's choice */
	bool strict;                /* MEM_SHARED: no fallback from guest_memfd */
	const struct guest_range *ranges;
	int nranges;
};

/* Each of the MEM bytes' RAM ranges (arch__ram_ranges) becomes one
 * memslot: one larger than KVM takes is bad input, said before any plan is
 * built or any host resource taken, whatever boots.  -1 + err__set(). */
int guest__check_ram(uint64_t mem);
/* Backs guest RAM laid out as CFG->ranges (from arch__ram_ranges).  With
 * MEM_GUEST_MEMFD on a host without guest_memfd mmap support: -1 with
 * status 3 when strict, else a one-line notice on stderr and anonymous
 * memory.  MEM_SHMEM raises RLIMIT_MEMLOCK to the RAM's size where it is
 * lower and cvm-run lacks CAP_IPC_LOCK, or fails with status 3 saying so. */
int guest__init(struct guest_mem *m, struct kvm *k, const struct guest_mem_cfg *cfg);
void guest__exit(struct guest_mem *m);
/* Host pointer to [gpa, gpa+len) if it lies inside one RAM slot (and is
 * not private or known encrypted, and RAM is not sealed), else NULL: what a
 * device or a guest request may reach.  A MEM_SHARED guest's firmware is
 * ROM, not RAM: never handed out here (guest__load_op and guest__read
 * reach it). */
void *guest__ptr(struct guest_mem *m, uint64_t gpa, uint64_t len);
/* MEM_SHMEM, once the plan is loaded: the guest may own any page now. */
void guest__seal(struct guest_mem *m);
/* Copies [gpa, gpa+len) into BUF: through guest__ptr(), or, once sealed,
 * through a fault guard.  -1 + err__set_status(1) when the range is not
 * RAM, is private, or the guest kept it (the host's read faulted). */
int guest__read(struct guest_mem *m, uint64_t gpa, void *buf, uint64_t len);
/* The slot holding all of [gpa, gpa+len), or NULL. */
const struct guest_slot *guest__slot(const struct guest_mem *m, uint64_t gpa, uint64_t len);
/* Copies a PLAN_LOAD op into shared RAM; -1 naming the op otherwise. */
int guest__load_op(struct guest_mem *m, const struct plan_op *op);
/* Whether the host can back a default VM with mmap-able guest_memfd. */
bool guest__gmem_usable(const struct kvm *k);

#endif

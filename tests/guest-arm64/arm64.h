/* The arm64 test guest: its own declarations beside the shared ones of
 * ../guest/common.h.  See README.md for the contract. */
#ifndef CVM_GUEST_ARM64_H
#define CVM_GUEST_ARM64_H

#include "common.h"

#define DT_MAX_CPUS	128
#define DEFAULT_UART	0x09000000ull	/* QEMU virt's and cvm-run's PL011 */

/* What the device tree says besides struct guest_boot's cmdline, memory
 * ranges and initrd. */
struct dt_info {
	uint32_t size;			/* totalsize */
	uint64_t uart;			/* the stdout-path PL011, else the first one; 0: none */
	uint64_t debug_exit;		/* "cvm,debug-exit" register; 0: none */
	const char *psci;		/* "hvc", "smc", or NULL without a psci node */
	bool chosen;			/* there is a /chosen */
	uint32_t nr_cpus;
	uint64_t mpidr[DT_MAX_CPUS];	/* each cpu node's reg */
};

/* head.S */
extern char ap_entry[];
void guest_main(uint64_t dtb) __attribute__((noreturn));
void guest_exception(uint64_t vector) __attribute__((noreturn));

/* dt.c: fills B and DT from the flattened device tree at DTB; NULL, or
 * the reason for a FAIL verdict. */
const char *dt__read(uint64_t dtb, struct guest_boot *b, struct dt_info *dt);

/* SMCCC function IDs: PSCI 0.2 (SMC64 where it takes addresses) and the
 * pKVM guest hypercalls (vendor hyp service, handled at EL2). */
#define PSCI_CPU_ON		0xc4000003u	/* target MPIDR, entry, context id */
#define PSCI_SYSTEM_OFF		0x84000008u
#define PKVM_HYP_MEMINFO	0xc6000002u	/* returns the sharing granule */
#define PKVM_MEM_SHARE		0xc6000003u	/* x1 = IPA of one granule */

/* psci.c: SMCCC calls through the conduit the device tree names (HVC when
 * it names none); returns x0. */
void psci__use_smc(bool smc);
int64_t psci__call(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
/* CPU_ON for every cpu node but the caller's, then waits for each started
 * one to answer; returns how many CPUs answered, the caller included. */
uint32_t smp__start(const struct dt_info *dt);

/* serial.c: the PL011 at BASE, polled on FR.TXFF. */
void serial__init(uint64_t base);

/* MMIO through plain single-register loads and stores: a hypervisor can
 * decode them from the fault syndrome (no writeback addressing). */
static inline void mmio_write8(uint64_t addr, uint8_t v)
{
	asm volatile("strb %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	asm volatile("str %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline uint32_t mmio_read32(uint64_t addr)
{
	uint32_t v;

	asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline uint64_t read_mpidr(void)
{
	uint64_t v;

	asm volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v & 0xff00ffffffull;	/* Aff3..Aff0 */
}

static inline __attribute__((noreturn)) void cpu_idle_forever(void)
{
	for (;;)
		asm volatile("wfi");
}

#endif

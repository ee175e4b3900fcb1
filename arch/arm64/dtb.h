/* The plain arm64 VM's device tree (DTB), built with libfdt from the VM's
 * shape: memory, vCPUs (PSCI 0.2 over HVC), GICv3, the architected timer,
 * the PL011 with its clock, the debug-exit register, and /chosen (bootargs,
 * initrd range, stdout-path).  Addresses come from arch/arm64/memmap.h.
 * (Named dtb, not fdt: with -Iarch/arm64 an "fdt.h" here would hide the
 * <fdt.h> that libfdt.h includes.)
 *
 * The blob is a pure function of its inputs (no kaslr-seed, rng-seed or
 * other per-boot value; fixed phandles; a zeroed buffer), so it can enter
 * a launch measurement as a plan op. */
#ifndef CVM_ARM64_DTB_H
#define CVM_ARM64_DTB_H

#include <stddef.h>
#include <stdint.h>

struct arm64_dtb_cfg {
	uint64_t mem_size;              /* RAM at ARM64_RAM_BASE */
	uint32_t vcpus;                 /* 1..ARM64_MAX_VCPUS */
	const char *cmdline;            /* NULL = "" */
	uint64_t initrd, initrd_size;   /* size 0: no initrd */
};

/* The space arm64__dtb_build needs at most (cmdline excluded). */
#define ARM64_DTB_BASE_SIZE 0x10000u
#define ARM64_DTB_PHANDLE_GIC 1
#define ARM64_DTB_PHANDLE_CLK 2

/* Writes the DTB into BUF (LEN bytes, zeroed here first).  Returns its size
 * (fdt totalsize, at most LEN), or -1 with err__set_status(CVM_EXIT_FAIL)
 * when libfdt fails (a buffer too small). */
int arm64__dtb_build(void *buf, size_t len, const struct arm64_dtb_cfg *cfg);

/* vCPU N's MPIDR_EL1 affinity as KVM resets it (Aff0 = N bits 3:0, Aff1 =
 * bits 11:4, Aff2 = bits 19:12): the cpu node's reg, and PSCI CPU_ON's
 * target. */
uint64_t arm64__mpidr(uint32_t vcpu);

#endif

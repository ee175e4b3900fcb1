/* Everything cvm-measure was asked, after parsing (measure/main.c holds the
 * one option table).  Option names follow sev-snp-measure 0.0.13 where it has
 * them; the TDX ones are ours. */
#ifndef CVM_MEASURE_OPTIONS_H
#define CVM_MEASURE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "loader/realm-opts.h"
#include "loader/sev-opts.h"

enum measure_format { FORMAT_HEX, FORMAT_BASE64, FORMAT_JSON, FORMAT_RVPS, FORMAT_CORIM /* cca */ };

/* At most this many entries in one matrix (--vcpus 1-4096), the product of
 * the --vcpus and --memory lists' lengths when both are. */
#define MEASURE_MATRIX_MAX 4096

struct measure_opts {
	const char *mode;             /* sev|seves|snp|snp:ovmf-hash|snp:svsm|tdx|cca */
	const char *ovmf;
	const char *kernel, *initrd, *append;
	bool append_set;              /* --append '' differs from none only in JSON */
	const char *kernel_hash;      /* --kernel-hash HEX: SHA-256 instead of --kernel */
	const char *initrd_hash;
	enum measure_format format;
	bool verbose;

	/* A matrix: --vcpus or --memory given as a list or range (ascending,
	 * no duplicates), or both (every combination); vcpus and memory hold
	 * the largest entry.  matrix: either is a list. */
	bool matrix, vcpu_matrix, mem_matrix;
	const uint32_t *vcpu_list;
	size_t nvcpu_list;
	const uint64_t *mem_list;
	size_t nmem_list;

	/* SEV, SEV-ES, SNP */
	unsigned vcpus;
	bool vcpus_set;               /* required except in sev mode, and not 0 */
	struct sev_opts sev;          /* --vcpu-*, --guest-features (default 0x1) */
	const char *vmm_type;         /* QEMU (default) | ec2 | gce, canonical spelling */
	const char *snp_ovmf_hash;
	bool dump_vmsa;
	const char *svsm;
	uint64_t vars_size;
	const char *vars_file;

	/* TDX */
	const char *tdx_vmm;          /* qemu (default) | cvm-run: whose launch */
	const char *tdx_page_order;   /* single-pass (default) | two-pass */
	uint64_t memory;              /* bytes; 0: not given */
	const char *acpi_tables, *acpi_rsdp, *acpi_loader;
	const char *tdx_separator;    /* post-202411 (default) | pre-202411 */
	const char *dump_td_hob;

	/* CCA: cvm-run's realm launch (kernel, initrd, append, vcpus, memory),
	 * or any launch as an operation script */
	const char *realm_ops;
	struct realm_opts realm;      /* --rmm, --hash, --ipa-bits ... */
};

/* Each returns the process exit status (0, or 2 for bad input with one line
 * on stderr).  They own all output for their modes. */
int measure__sev_cmd(const struct measure_opts *o);          /* sev, seves, snp, snp:* */
int measure__tdx_cmd(const struct measure_opts *o);          /* tdx */
int measure__cca_cmd(const struct measure_opts *o);          /* cca */
int measure__firmware_info(const char *ovmf, bool json);     /* firmware-info */

#endif

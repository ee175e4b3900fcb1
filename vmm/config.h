/* cvm-run's options: one table serves the command line and --config INI
 * files (section [vm], keys = long option names); the command line wins. */
#ifndef CVM_CONFIG_H
#define CVM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "loader/realm-opts.h"
#include "loader/sev-opts.h"
#include "vmm/memory.h"

#define CONFIG_PEEK_MAX 8

struct vm_config {
	const char *kernel;
	const char *initrd;
	const char *firmware;           /* OVMF/TDVF image, or NULL */
	const char *firmware_log;       /* --firmware-log: debug port 0x402 into this file */
	const char *params;             /* kernel command line */
	uint64_t mem;                   /* bytes, default 512 MiB */
	uint32_t cpus;                  /* default 1 */
	const char *console_file;       /* NULL: stdio */
	double timeout;                 /* seconds, 0: none */
	const char *expect;             /* a vmm/expect.h pattern, or NULL */
	const char *tee;                /* --tee backend name, default "none" */
	enum mem_backend backend;
	bool backend_explicit;          /* no silent fallback when asked for by name */
	const char *cpuid_disable;      /* "FEATURE,..." */
	/* x86 plain VMs: KVM's i8254 PIT.  -1 unless --pit was given: on for
	 * --tee none, never for a confidential backend. */
	int pit;
	/* --tee tdx: TD identities (96 hex digits each), the QGS address and
	 * the TDVF separator era (--dry-run's RTMRs) */
	const char *mrconfigid, *mrowner, *mrownerconfig;
	const char *tdx_qgs;
	const char *tdx_separator;
	bool dry_run;                   /* print the launch plan, run nothing */
	bool no_seccomp;                /* debugging: no vmm/seccomp.h filter */
	uint64_t peek[CONFIG_PEEK_MAX]; /* --peek: guest addresses to show at the end */
	unsigned npeek;
	struct sev_opts sev;            /* --vcpu-*, --guest-features, --snp-* ... */
	struct realm_opts realm;        /* --rmm, --hash, --ipa-bits ... (--tee realm) */
	char **owned;                   /* values read from a config file */
	size_t nowned;
};

/* Parses ARGV (after the program name) into CFG, reading a --config file
 * first.  Returns 0, 1 when --help/--version was handled, or -1 with one
 * line naming the option, file or key (status 2). */
int config__parse(struct vm_config *cfg, int argc, char **argv);
void config__exit(struct vm_config *cfg);
void config__usage(FILE *f);

#endif

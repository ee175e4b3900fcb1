#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/firmware.h"
#include "arch/x86/kvm-abi.h"
#include "arch/x86/kvm-sev.h"
#include "arch/x86/kvm-tee.h"
#include "arch/x86/kvm-vmsa.h"
#include "arch/x86/memmap.h"
#include "loader/error.h"
#include "loader/sev-hashes.h"
#include "measure/hashpool.h"
#include "measure/sev-ld.h"
#include "measure/snp.h"
#include "vmm/kvm.h"
#include "vmm/private-mem.h"
#include "vmm/sys.h"
#include "vmm/tee.h"
#include "vmm/vm.h"

#define SEV_DEV         "/dev/sev"
#define PAGE            4096ull
#define MEASURE_LEN     48      /* LAUNCH_MEASURE: HMAC-SHA256, then MNONCE */

/* ---- Firmware errors by name -------------------------------------------- */

static const char *fw_name(uint32_t code)
{
	static const char *const names[] = {
		"SUCCESS", "INVALID_PLATFORM_STATE", "INVALID_GUEST_STATE", "INVALID_CONFIG",
		"INVALID_LENGTH", "ALREADY_OWNED", "INVALID_CERTIFICATE", "POLICY_FAILURE",
		"INACTIVE", "INVALID_ADDRESS", "BAD_SIGNATURE", "BAD_MEASUREMENT", "ASID_OWNED",
		"INVALID_ASID", "WBINVD_REQUIRED", "DFFLUSH_REQUIRED", "INVALID_GUEST",
		"INVALID_COMMAND", "ACTIVE", "HWERROR_PLATFORM", "HWERROR_UNSAFE", "UNSUPPORTED",
		"INVALID_PARAM", "RESOURCE_LIMIT", "SECURE_DATA_INVALID", "INVALID_PAGE_SIZE",
		"INVALID_PAGE_STATE", "INVALID_MDATA_ENTRY", "INVALID_PAGE_OWNER", "AEAD_OFLOW",
		NULL, NULL, "RMP_INIT_REQUIRED", "BAD_SVN", "BAD_VERSION", "SHUTDOWN_REQUIRED",
		"UPDATE_FAILED", "RESTORE_REQUIRED", "RMP_INITIALIZATION_FAILED", "INVALID_KEY",
	};

	return code < sizeof(names) / sizeof(names[0]) && names[code] ? names[code] : "unknown";
}

int sev__fail(const char *what, int err, uint32_t fw)
{
	if (!fw)
		return err__set_status(CVM_EXIT_FAIL, "%s: %s (KVM refused it: no firmware error)",
				       what, strerror(err));
	return err__set_status(CVM_EXIT_FAIL, "%s: %s, firmware error %#x %s", what,
			       strerror(err), fw, fw_name(fw));
}

int sev__cmd(struct vm *vm, uint32_t id, void *data, uint32_t *fw)
{
	const struct sev_state *s = vm->tee_state;
	struct kvm_sev_cmd c = { .id = id, .data = (uintptr_t)data, .sev_fd = s->fd };
	int r = sys__ioctl(vm->kvm.vm_fd, KVM_MEMORY_ENCRYPT_OP, &c);

	*fw = c.error;
	return r < 0 ? -1 : 0;
}

static int cmd(struct vm *vm, uint32_t id, void *data, const char *what)
{
	uint32_t fw;

	return sev__cmd(vm, id, data, &fw) < 0 ? sev__fail(what, errno, fw) : 0;
}

static enum sev_mode mode_of(const struct vm *vm)
{
	return vm->tee == &tee_snp ? SEV_MODE_SNP :
	       vm->tee == &tee_sev_es ? SEV_MODE_SEV_ES : SEV_MODE_SEV;
}

/* ---- The plan: loader/sev.c, as cvm-measure builds it -------------------- */

/* A certificate table far larger than a VCEK, ASK and ARK chain (a few
 * KiB) is a wrong file, refused before it is copied. */
#define SNP_CERTS_MAX (1u << 20)

/* A file of exactly LEN bytes (0: any size up to SNP_CERTS_MAX), owned by
 * the state. */
static int read_exact(const char *opt, const char *path, size_t len, uint8_t **out)
{
	struct blob b;
	size_t size;

	if (blob__open_max(&b, path, len ? 0 : SNP_CERTS_MAX, opt) < 0)
		return -1;
	size = b.size;
	if (len && size != len) {
		blob__close(&b);
		return err__set("%s %s: %zu bytes, need %zu", opt, path, size, len);
	}
	*out = malloc(size ? size : 1);
	if (*out)
		memcpy(*out, b.data, size);
	blob__close(&b);
	return *out ? (int)size : err__set_status(CVM_EXIT_FAIL, "out of memory");
}

/* The SNP launch files: bad ones are bad input, before KVM is touched. */
static int read_snp_files(struct sev_state *s, const struct sev_opts *o)
{
	int n;

	if (o->id_block && (read_exact("--id-block", o->id_block, SNP_ID_BLOCK_SIZE,
				       &s->id_block) < 0 ||
			    read_exact("--id-auth", o->id_auth, SNP_ID_AUTH_SIZE, &s->id_auth) < 0))
		return -1;
	if (!o->snp_certs)
		return 0;
	n = read_exact("--snp-certs", o->snp_certs, 0, &s->certs);
	if (n < 0)
		return -1;
	s->certs_len = n;
	return 0;
}

static int plan(struct vm *vm)
{
	const struct vm_config *c = vm->cfg;
	const char *tee = vm->tee->name;
	struct sev_state *s = calloc(1, sizeof(*s));
	struct sev_launch l = {
		.mode = mode_of(vm), .vcpus = c->cpus, .vmm = SEV_VMM_QEMU,
		.era = vmsa__default_era(SEV_VMM_QEMU), .guest_features = c->sev.guest_features,
	};
	struct x86_boot_cfg boot;
	struct sev_hashes h;

	if (!s)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	s->fd = -1;
	s->mode = l.mode;
	vm->tee_state = s;
	if (!c->firmware)
		return err__set("--tee %s: needs --firmware (an OVMF built for it, e.g. "
				"OVMF.amdsev.fd); -k/-i/-p are measured into its hashes table", tee);
	if (c->cpuid_disable && x86__cpuid_parse_disable(c->cpuid_disable, &vm->arch.cpuid) < 0)
		return -1;
	if (l.mode != SEV_MODE_SEV) {
		int have = sev_opts__vcpu_sig(&c->sev, &l.vcpu_sig);

		if (have < 0)
			return -1;
		if (!have)
			return err__set("--tee %s: missing --vcpu-type or --vcpu-sig or --vcpu-family "
					"(the VMSA's RDX, as cvm-measure measures it)", tee);
	}
	if (l.mode == SEV_MODE_SNP && !(l.guest_features & SVM_SEV_FEAT_SNP_ACTIVE))
		return err__set("--guest-features %#llx: an SNP VMSA always has SNPActive (bit 0)",
				(unsigned long long)l.guest_features);
	if (l.mode == SEV_MODE_SNP && read_snp_files(s, &c->sev) < 0)
		return -1;
	if (plan__map(&vm->plan, c->firmware, &l.firmware) < 0)
		return -1;
	if (l.firmware.size % 4096 || l.firmware.size > X86_FW_MAX)
		return err__set("%s: %zu bytes: a firmware image is whole 4 KiB pages, at most "
				"%llu MiB", c->firmware, l.firmware.size, X86_FW_MAX >> 20);
	/* OVMF reads the machine, the ACPI tables and -k/-i/-p through fw_cfg
	 * as on a plain firmware boot (the kernel's own setup header: QEMU
	 * leaves an SEV guest's unpatched), and checks the kernel, initrd and
	 * command line against the hashes table, made from those very items
	 * (QEMU's kernel-hashes=on). */
	x86__boot_cfg(vm, &boot);
	if (x86__firmware_fw_cfg(&vm->plan, &boot) < 0)
		return -1;
	if (c->kernel) {
		if (sev_hashes__served(&h, &vm->plan.fw_cfg) < 0)
			return -1;
		l.hashes = &h;
	}
	if (sev__build_plan(&vm->plan, &l) < 0)
		return -1;
	vm->plan.mem_size = c->mem;
	return 0;
}

/* --dry-run's last line: the digest cvm-measure prints for these inputs,
 * replayed from the plan. */
static int dry_run(struct vm *vm)
{
	uint8_t ld[SNP_LD_SIZE] = { 0 };
	size_t n = SNP_LD_SIZE;
	int r;

	if (mode_of(vm) == SEV_MODE_SNP) {
		struct snp_replay rp = { .pool = hash_pool__new(hash_pool__cpus() - 1) };

		r = rp.pool ? snp__replay(ld, &vm->plan, &rp) : -1;
		hash_pool__free(rp.pool);
	} else {
		struct sev_ld s;

		n = SEV_LD_SIZE;
		r = sev_ld__init(&s) < 0 || sev_ld__replay(&s, &vm->plan, 0, NULL) < 0 ||
		    sev_ld__final(&s, ld) < 0 ? -1 : 0;
		sev_ld__exit(&s);
	}
	for (size_t i = 0; r == 0 && i < n; i++)
		printf("%02x%s", ld[i], i + 1 == n ? "\n" : "");
	return r;
}

/* ---- The host ------------------------------------------------------------ */

static int open_sev(void)
{
	int fd = sys->open(SEV_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return err__set_status(CVM_EXIT_NOHOST, SEV_DEV ": %s (the AMD secure processor, "
				       "module ccp)", strerror(errno));
	return fd;
}

int sev__attr(const struct kvm *k, uint64_t attr, uint64_t *val)
{
	struct kvm_device_attr a = { .group = KVM_X86_GRP_SEV, .attr = attr,
				     .addr = (uintptr_t)val };

	return sys__ioctl(k->sys_fd, KVM_GET_DEVICE_ATTR, &a) < 0 ? -1 : 0;
}

static int check(struct kvm *k, unsigned long type, const char *tee, char *note, size_t len)
{
	struct kvm_caps c;
	uint64_t features;
	int fd;

	if ((type == KVM_X86_SNP_VM ? x86__check_private_vm(k, type, tee, &c, note, len) :
					kvm__probe_vm(k, type, &c)) < 0)
		return -1;
	if (sev__attr(k, KVM_X86_SEV_VMSA_FEATURES, &features) < 0)
		return err__set_status(CVM_EXIT_NOHOST, "--tee %s: KVM here has no KVM_SEV_INIT2 "
				       "(attribute KVM_X86_SEV_VMSA_FEATURES: %s; Linux 6.10 or "
				       "later)", tee, strerror(errno));
	fd = open_sev();
	if (fd < 0)
		return -1;
	sys->close(fd);
	snprintf(note, len, "VM type %lu, SEV features %#llx, " SEV_DEV, type,
		 (unsigned long long)features);
	return 0;
}

static int check_snp(struct kvm *k, char *note, size_t len)
{
	return check(k, KVM_X86_SNP_VM, "snp", note, len);
}

static int check_sev_es(struct kvm *k, char *note, size_t len)
{
	return check(k, KVM_X86_SEV_ES_VM, "sev-es", note, len);
}

static int check_sev(struct kvm *k, char *note, size_t len)
{
	return check(k, KVM_X86_SEV_VM, "sev", note, len);
}

/* ---- Launch -------------------------------------------------------------- */

/* What this host's KVM takes for these options (status 3 otherwise). */
static int host_offers(struct vm *vm, struct sev_state *s)
{
	uint64_t supported = 0;

	if (sev__attr(&vm->kvm, KVM_X86_SEV_VMSA_FEATURES, &supported) < 0)
		return err__set_status(CVM_EXIT_NOHOST, "KVM here has no KVM_SEV_INIT2");
	if (s->features & ~supported)
		return err__set_status(CVM_EXIT_NOHOST, "--guest-features %#llx: KVM here offers SEV "
				       "features %#llx besides SNPActive",
				       (unsigned long long)vm->cfg->sev.guest_features,
				       (unsigned long long)supported);
	return 0;
}

static int vm_init(struct vm *vm)
{
	struct sev_state *s = vm->tee_state;
	struct kvm_sev_init init = { 0 };
	struct kvm_sev_launch_start start = { 0 };

	if (s->mode == SEV_MODE_SNP)
		s->features = vm->cfg->sev.guest_features & ~SVM_SEV_FEAT_SNP_ACTIVE;
	if (host_offers(vm, s) < 0)
		return -1;
	s->fd = open_sev();
	if (s->fd < 0)
		return -1;
	/* GHCB version 0: KVM's default, 2, for SEV-ES and SNP (0 for SEV). */
	init.vmsa_features = s->features;
	if (cmd(vm, KVM_SEV_INIT2, &init, "KVM_SEV_INIT2") < 0)
		return -1;
	if (s->mode == SEV_MODE_SNP)
		return snp__vm_init(vm);
	start.policy = SEV_POLICY_NODBG | (s->mode == SEV_MODE_SEV_ES ? SEV_POLICY_ES : 0);
	if (cmd(vm, KVM_SEV_LAUNCH_START, &start, "KVM_SEV_LAUNCH_START") < 0)
		return -1;
	s->handle = start.handle;
	return 0;
}

/* SEV and SEV-ES: KVM pins and tracks guest RAM for the encrypted guest. */
static int mem_init(struct vm *vm)
{
	struct kvm_enc_region r = { .addr = (uintptr_t)vm->mem.base, .size = vm->mem.size };

	if (sys__ioctl(vm->kvm.vm_fd, KVM_MEMORY_ENCRYPT_REG_REGION, &r) < 0)
		return err__set_status(CVM_EXIT_FAIL, "KVM_MEMORY_ENCRYPT_REG_REGION(%llu bytes): %s%s",
				       (unsigned long long)r.size, strerror(errno),
				       errno == ENOMEM ? " (RLIMIT_MEMLOCK too low?)" : "");
	return 0;
}

/* SEV/SEV-ES: the bytes go to their GPA, then the firmware encrypts them
 * there and extends the launch digest.  From then on the pages are the
 * guest's encrypted ones: the conversion engine records them, so that no
 * device model (fw_cfg DMA) writes there. */
static int update_data(struct vm *vm, const struct plan_op *op)
{
	uint8_t *dst = guest__ptr(&vm->mem, op->gpa, op->len);
	struct kvm_sev_launch_update_data u = { .uaddr = (uintptr_t)dst, .len = op->len };
	uint64_t first = op->gpa & ~(PAGE - 1), end = (op->gpa + op->len + PAGE - 1) & ~(PAGE - 1);
	char what[96];

	if (!dst || op->len > UINT32_MAX)
		return err__set_status(CVM_EXIT_FAIL, "%s: [%#llx, +%#llx) is not inside guest RAM",
				       op->what, (unsigned long long)op->gpa,
				       (unsigned long long)op->len);
	if (op->data)
		memcpy(dst, op->data, op->data_len);     /* fresh RAM: the rest is zero */
	snprintf(what, sizeof(what), "KVM_SEV_LAUNCH_UPDATE_DATA of %s at gpa %#llx", op->what,
		 (unsigned long long)op->gpa);
	if (cmd(vm, KVM_SEV_LAUNCH_UPDATE_DATA, &u, what) < 0)
		return -1;
	if (private_mem__convert(vm, first, end - first, true) != CONVERT_OK)
		return err__set_status(CVM_EXIT_FAIL, "%s: [%#llx, %#llx) cannot be recorded as "
				       "encrypted (out of memory)", op->what,
				       (unsigned long long)first, (unsigned long long)end);
	return 0;
}

static int load(struct vm *vm, const struct plan_op *op)
{
	struct sev_state *s = vm->tee_state;
	uint64_t features = s->features | (s->mode == SEV_MODE_SNP ? SVM_SEV_FEAT_SNP_ACTIVE : 0);

	if (op->kind == PLAN_VMSA) {
		/* vCPUs launch in index order, as the plan measures them. */
		if (op->vcpu != s->vmsas || op->vcpu >= vm->nvcpus)
			return err__set_status(CVM_EXIT_FAIL, "%s: VMSA out of vCPU order", op->what);
		if (x86__vcpu_set_vmsa(&vm->vcpus[op->vcpu], op->data, features) < 0)
			return -1;
		s->vmsas++;
		return 0;
	}
	if (s->mode == SEV_MODE_SNP)
		return snp__load(vm, op);
	if (op->kind != PLAN_NORMAL)
		return err__set_status(CVM_EXIT_FAIL, "%s: a %s op has no SEV launch command",
				       op->what, plan__kind_name(op->kind));
	return update_data(vm, op);
}

static int finalize(struct vm *vm)
{
	struct sev_state *s = vm->tee_state;
	uint8_t blob[MEASURE_LEN];
	struct kvm_sev_launch_measure m = { .uaddr = (uintptr_t)blob, .len = sizeof(blob) };

	if (s->mode != SEV_MODE_SEV && s->vmsas != vm->nvcpus)
		return err__set_status(CVM_EXIT_FAIL, "the plan has %u VMSAs for %u vCPUs", s->vmsas,
				       vm->nvcpus);
	if (s->mode == SEV_MODE_SNP)
		return snp__finalize(vm);
	if ((s->mode == SEV_MODE_SEV_ES &&
	     cmd(vm, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, "KVM_SEV_LAUNCH_UPDATE_VMSA") < 0) ||
	    cmd(vm, KVM_SEV_LAUNCH_MEASURE, &m, "KVM_SEV_LAUNCH_MEASURE") < 0 ||
	    cmd(vm, KVM_SEV_LAUNCH_FINISH, NULL, "KVM_SEV_LAUNCH_FINISH") < 0)
		return -1;
	/* The guest owner's evidence: HMAC(TIK, ... LD ...) and its nonce. */
	fprintf(stderr, "cvm-run: %s launch measurement (HMAC-SHA256, MNONCE): ",
		s->mode == SEV_MODE_SEV_ES ? "SEV-ES" : "SEV");
	for (size_t i = 0; i < sizeof(blob); i++)
		fprintf(stderr, "%02x%s", blob[i], i == 31 ? " " : "");
	fputc('\n', stderr);
	return 0;
}

/* ---- Exits --------------------------------------------------------------- */

static const char *term_reason(unsigned set, unsigned code)
{
	static const char *const general[] = {
		"general termination request", "GHCB protocol version not supported",
		"SEV-SNP features not supported",
	};
	static const char *const linux_codes[] = {
		"GHCB registration failed", "page-state change failed", "PVALIDATE failed",
		"not running at VMPL0", "CPUID validation failed", "CPUID from the hypervisor failed",
		NULL, "no SVSM advertised", "SVSM present but at VMPL0", "SVSM CAA not page-aligned",
		"Secure TSC initialization failed", "SVSM CA could not be remapped",
		"Secure AVIC failure",
	};
	const char *s = NULL;

	if (set == 0 && code < sizeof(general) / sizeof(general[0]))
		s = general[code];
	else if (set == 1 && code < sizeof(linux_codes) / sizeof(linux_codes[0]))
		s = linux_codes[code];
	return s ? s : "unknown to cvm-run";
}

/* KVM_SYSTEM_EVENT_SEV_TERM: data[0] is the GHCB MSR value (MSR protocol)
 * or the GHCB's GPA (NAE event), whose SW_EXITINFO1 holds the reason. */
static void terminated(struct vcpu *v)
{
	const struct kvm_run *r = v->run;
	uint64_t d = r->system_event.ndata ? r->system_event.data[0] : 0, info;
	const uint8_t *ghcb;
	unsigned set, code;

	if ((d & GHCB_MSR_INFO_MASK) == GHCB_MSR_TERM_REQ) {
		set = d >> 12 & 0xf;
		code = d >> 16 & 0xff;
	} else if (!(d & GHCB_MSR_INFO_MASK) &&
		   (ghcb = guest__ptr(&v->vm->mem, d + GHCB_SW_EXITINFO1, 8))) {
		memcpy(&info, ghcb, 8);
		set = info & 0xf;
		code = info >> 4 & 0xff;
	} else {
		vm__stop(v->vm, CVM_EXIT_FAIL, "vCPU %u: SEV guest terminated: GHCB %#llx is neither "
			 "a termination request nor a readable GHCB (an MSR request KVM refuses "
			 "for this guest type?)", v->id, (unsigned long long)d);
		return;
	}
	vm__stop(v->vm, CVM_EXIT_FAIL, "vCPU %u: SEV guest requested termination: reason set %u "
		 "(%s), code %#x (%s)", v->id, set, set == 0 ? "general" : set == 1 ? "Linux" :
		 "firmware-specific", code, term_reason(set, code));
}

static bool handle_exit(struct vcpu *v, bool *more)
{
	*more = true;
	if (v->run->exit_reason == KVM_EXIT_SYSTEM_EVENT &&
	    v->run->system_event.type == KVM_SYSTEM_EVENT_SEV_TERM) {
		terminated(v);
		*more = false;
		return true;
	}
	return mode_of(v->vm) == SEV_MODE_SNP && snp__certs_exit(v, more);
}

static void sev_exit(struct vm *vm)
{
	struct sev_state *s = vm->tee_state;

	if (!s)
		return;
	if (s->fd >= 0)
		sys->close(s->fd);
	free(s->id_block);
	free(s->id_auth);
	free(s->certs);
	free(s);
	vm->tee_state = NULL;
}

static unsigned long type_snp(const struct vm *vm)
{
	(void)vm;
	return KVM_X86_SNP_VM;
}

static unsigned long type_sev_es(const struct vm *vm)
{
	(void)vm;
	return KVM_X86_SEV_ES_VM;
}

static unsigned long type_sev(const struct vm *vm)
{
	(void)vm;
	return KVM_X86_SEV_VM;
}

#define SEV_HOOKS \
	.plan = plan, .dry_run = dry_run, .vm_init = vm_init, .load = load, \
	.finalize = finalize, .handle_exit = handle_exit, .exit = sev_exit

const struct tee_ops tee_snp = {
	.name = "snp", .desc = "SEV-SNP guest", .memory = MEM_PRIVATE, .convert_on_fault = true,
	.vm_type = type_snp, .check = check_snp, SEV_HOOKS,
};

const struct tee_ops tee_sev_es = {
	.name = "sev-es", .desc = "SEV-ES guest", .memory = MEM_ENCRYPTED,
	.vm_type = type_sev_es, .check = check_sev_es, .mem_init = mem_init, SEV_HOOKS,
};

const struct tee_ops tee_sev = {
	.name = "sev", .desc = "SEV guest", .memory = MEM_ENCRYPTED,
	.vm_type = type_sev, .check = check_sev, .mem_init = mem_init, SEV_HOOKS,
};

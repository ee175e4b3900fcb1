/* The fake kernel's SEV, SEV-ES and SNP VMs and their firmware (fake-sev.h
 * says what they keep).  Checks run in the kernel's order, as KERNEL-RULES
 * 4.1-4.10 list them; SEV/SEV-ES commands as Linux 7.3's sev.c runs them. */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fake/fake-sev.h"
#include "tests/unit/fake/fake.h"

#define SNP_ACTIVE		1ull
#define SECURE_TSC		(1ull << 9)
#define VMSA_GPA		0xfffffffff000ull
#define MEASURE_LEN		48
#define BLOB_MAX		(16 << 10)              /* SEV_FW_BLOB_MAX_SIZE */

const uint8_t fake_sev_tik[16] = "fake-sev TIK key";
const uint8_t fake_sev_mnonce[16] = "fake-sev mnonce.";

struct fake_sev_state sev;

/* A VM's SEV state lives from KVM_CREATE_VM to fake__uninstall(). */
static void vm_init(struct obj *vm)
{
	struct sev_vm *s = calloc(1, sizeof(*s));

	if (!s)
		fake__die("out of memory");
	s->fd = -1;
	vm->priv = s;
}

static void vm_free(struct obj *vm)
{
	struct sev_vm *s = vm->priv;

	free(s->rmp);
	EVP_MD_CTX_free(s->ld_ctx);
	free(s);
	vm->priv = NULL;
}

void fake__host_sev(void)
{
	pthread_mutex_lock(&fake.lock);
	memset(&sev, 0, sizeof(sev));
	fake_sev__vcpus_reset();
	sev.host = true;
	pthread_mutex_unlock(&fake.lock);
	fake__set_cap(KVM_CAP_VM_TYPES, 1 << KVM_X86_DEFAULT_VM | 1 << KVM_X86_SEV_VM |
		      1 << KVM_X86_SEV_ES_VM | 1 << KVM_X86_SNP_VM);
	fake__set_cap(KVM_CAP_MEMORY_ATTRIBUTES, KVM_MEMORY_ATTRIBUTE_PRIVATE);
	fake__set_cap(KVM_CAP_READONLY_MEM, 1);
}

void fake__host_sev_old(void)
{
	fake__host_sev();
	sev.old_host = true;
}

bool fake_sev__is_dev(const char *path)
{
	return sev.host && !strcmp(path, "/dev/sev");
}

/* The policy bits the fake firmware knows: [15:0], 16, 17, 19-25 (never
 * MIGRATE_MA, 18). */
#define POLICY_BITS (0xffffull | 3ull << 16 | 0x7full << 19)

long fake_sev__dev_attr(const struct kvm_device_attr *a)
{
	uint64_t v;

	if (!sev.host || a->group != KVM_X86_GRP_SEV)
		return -ENXIO;
	switch (a->attr) {
	case KVM_X86_SEV_VMSA_FEATURES: v = FAKE_SEV_FEATURES; break;
	case KVM_X86_SNP_POLICY_BITS: v = POLICY_BITS; break;
	case KVM_X86_SEV_SNP_REQ_CERTS: v = 1; break;
	default: return -ENXIO;
	}
	if (sev.old_host && a->attr != KVM_X86_SEV_VMSA_FEATURES)
		return -ENXIO;
	memcpy((void *)(uintptr_t)a->addr, &v, sizeof(v));
	return 0;
}

void fake_sev__fail_page(uint64_t gpa, uint32_t error, unsigned times)
{
	if (sev.nfaults == FAKE_SEV_MAX_RULES)
		fake__die("too many page faults");
	sev.faults[sev.nfaults].gpa = gpa;
	sev.faults[sev.nfaults].times = times ? times : UINT32_MAX;
	sev.faults[sev.nfaults++].error = error;
}

void fake_sev__cpuid_clear(uint32_t leaf, uint32_t index, int reg, uint32_t bits)
{
	if (sev.ncpuid == FAKE_SEV_MAX_RULES)
		fake__die("too many CPUID rules");
	sev.cpuid[sev.ncpuid].leaf = leaf;
	sev.cpuid[sev.ncpuid].index = index;
	sev.cpuid[sev.ncpuid].reg = reg;
	sev.cpuid[sev.ncpuid++].bits = bits;
}

void fake_sev__finish_fails(uint32_t error)
{
	sev.finish_error = error;
}

const struct fake_sev_call *fake_sev__calls(size_t *n)
{
	*n = sev.ncalls;
	return sev.calls;
}

unsigned fake_sev__count(long id)
{
	unsigned n = 0;

	for (size_t i = 0; i < sev.ncalls; i++)
		n += id == FAKE_ANY || sev.calls[i].id == id;
	return n;
}

const uint8_t *fake_sev__digest(size_t *len)
{
	*len = sev.dlen;
	return sev.digest;
}

const uint8_t *fake_sev__vmsa(unsigned id)
{
	return id < FAKE_MAX_VCPUS && sev.has_vmsa[id] ? sev.vmsa[id] : NULL;
}

const struct fake_sev_finish *fake_sev__finish(void)
{
	return &sev.finish;
}

/* ---- The firmware -------------------------------------------------------- */

uint32_t fake_sev__page_fault(uint64_t gpa)
{
	for (unsigned i = 0; i < sev.nfaults; i++)
		if (sev.faults[i].gpa == gpa && sev.faults[i].times) {
			sev.faults[i].times -= sev.faults[i].times != UINT32_MAX;
			return sev.faults[i].error;
		}
	return 0;
}

/* PAGE_INFO (SNP firmware ABI): LD = SHA-384(LD || CONTENTS || 0x70 ||
 * TYPE || IMI 0 || VMPL perms 0 || GPA). */
static void page_info(const uint8_t contents[48], uint8_t type, uint64_t gpa)
{
	uint8_t info[0x70] = { 0 };

	memcpy(info, sev.digest, 48);
	memcpy(info + 0x30, contents, 48);
	info[0x60] = 0x70;
	info[0x62] = type;
	for (int i = 0; i < 8; i++)
		info[0x68 + i] = gpa >> (8 * i);
	EVP_Digest(info, sizeof(info), sev.digest, NULL, EVP_sha384(), NULL);
	sev.dlen = 48;
}

void fake_sev__measure_page(const uint8_t *page, uint8_t type, uint64_t gpa)
{
	uint8_t contents[48] = { 0 };

	if (type == KVM_SEV_SNP_PAGE_TYPE_NORMAL || type == 2)
		EVP_Digest(page, 4096, contents, NULL, EVP_sha384(), NULL);
	page_info(contents, type, gpa);
}

/* The firmware's CPUID check: a table it corrects is rejected. */
uint32_t fake_sev__check_cpuid(uint8_t *page)
{
	struct cvm_snp_cpuid_table *t = (struct cvm_snp_cpuid_table *)page;
	bool changed = false;

	if (t->count > SNP_CPUID_COUNT_MAX)
		return SEV_RET_INVALID_PARAM;
	for (uint32_t i = 0; i < t->count; i++) {
		uint32_t *regs[] = { &t->fn[i].eax, &t->fn[i].ebx, &t->fn[i].ecx, &t->fn[i].edx };

		for (unsigned k = 0; k < sev.ncpuid; k++)
			if (sev.cpuid[k].leaf == t->fn[i].eax_in &&
			    sev.cpuid[k].index == t->fn[i].ecx_in &&
			    (*regs[sev.cpuid[k].reg] & sev.cpuid[k].bits)) {
				*regs[sev.cpuid[k].reg] &= ~sev.cpuid[k].bits;
				changed = true;
			}
	}
	return changed ? SEV_RET_INVALID_PARAM : 0;
}

/* ---- The VM's memory as KVM reaches it ----------------------------------- */

/* GUP of [addr, addr + len): every byte in a mapping that allows it. */
bool fake_sev__user_ok(uint64_t addr, uint64_t len, bool write)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long long lo, hi;
	char perm[8];
	uint64_t at = addr;

	if (!f || !len || addr + len < addr)
		return f ? (fclose(f), false) : false;
	while (at < addr + len && fscanf(f, "%llx-%llx %7s %*[^\n]", &lo, &hi, perm) == 3)
		if (lo <= at && at < hi && perm[0] == 'r' && (!write || perm[1] == 'w'))
			at = hi;
	fclose(f);
	return at >= addr + len;
}

static struct sev_vm *state(const struct obj *vm)
{
	return vm->priv;
}

bool fake_sev__fd_ok(int fd)
{
	const struct obj *o = fake__obj(fd);

	return o && o->kind == FAKE_SEV;
}

/* ---- Commands shared by every SEV type ----------------------------------- */

/* KERNEL-RULES 4.2 (sev.c 505-592). */
static long init2(struct obj *vm, struct sev_vm *s, const struct kvm_sev_init *in)
{
	bool es = vm->type->type != KVM_X86_SEV_VM, snp = vm->type->type == KVM_X86_SNP_VM;
	uint64_t valid = es ? FAKE_SEV_FEATURES | SECURE_TSC : 0;
	struct kvm_sev_init d;

	if (s->inited)
		return -EINVAL;
	if (!in)
		return -EFAULT;
	d = *in;
	if (vm->nvcpus || d.flags)
		return -EINVAL;
	if (!snp)
		valid &= ~SECURE_TSC;
	if (d.vmsa_features & ~valid)
		return -EINVAL;
	if (d.ghcb_version > 2 || (!es && d.ghcb_version))
		return -EINVAL;
	if (snp && d.ghcb_version == 1)
		return -EINVAL;
	s->inited = true;
	s->es = es;
	s->snp = snp;
	s->features = d.vmsa_features | (snp ? SNP_ACTIVE : 0);
	s->fd = -1;
	return 0;
}

/* ---- SEV and SEV-ES (sev.c: launch_start .. launch_finish) --------------- */

static long launch_start(struct sev_vm *s, struct kvm_sev_cmd *c, struct fake_sev_call *log)
{
	struct kvm_sev_launch_start *p = (void *)(uintptr_t)c->data;

	if (!s->inited)
		return -ENOTTY;
	if (!p)
		return -EFAULT;
	log->policy = p->policy;
	if (!fake_sev__fd_ok(c->sev_fd))
		return -EBADF;
	/* The fake firmware binds only an ASID of the guest's kind: an SEV-ES
	 * VM's policy must say ES, an SEV one's must not. */
	if (s->started || !(p->policy & 4) != !s->es) {
		c->error = s->started ? SEV_RET_INVALID_GUEST_STATE : SEV_RET_POLICY_FAILURE;
		return -EIO;
	}
	p->handle = 1;
	s->policy = p->policy;
	s->fd = c->sev_fd;
	s->started = true;
	s->state = G_LUPDATE;
	s->ld_ctx = EVP_MD_CTX_new();
	if (!s->ld_ctx || !EVP_DigestInit_ex(s->ld_ctx, EVP_sha256(), NULL))
		fake__die("SHA-256");
	return 0;
}

/* Firmware checks shared by the legacy commands after LAUNCH_START. */
static long legacy_fw(struct sev_vm *s, struct kvm_sev_cmd *c, enum fake_sev_guest need)
{
	if (!fake_sev__fd_ok(s->fd))
		return -EBADF;
	if (!s->started || s->state != need) {
		c->error = SEV_RET_INVALID_GUEST_STATE;
		return -EIO;
	}
	return 0;
}

static long launch_update_data(struct sev_vm *s, struct kvm_sev_cmd *c, struct fake_sev_call *log)
{
	const struct kvm_sev_launch_update_data *p = (void *)(uintptr_t)c->data;
	uint8_t *data;
	long r;

	if (!s->inited)
		return -ENOTTY;
	if (!p)
		return -EFAULT;
	log->gpa = p->uaddr;
	log->len = p->len;
	if (!p->len || p->uaddr + p->len < p->uaddr)
		return -EINVAL;
	if (!fake_sev__user_ok(p->uaddr, p->len, true))         /* pinned with FOLL_WRITE */
		return -ENOMEM;
	r = legacy_fw(s, c, G_LUPDATE);
	if (r < 0)
		return r;
	data = (uint8_t *)(uintptr_t)p->uaddr;
	EVP_DigestUpdate(s->ld_ctx, data, p->len);
	/* Encrypted in place: the host sees ciphertext from now on. */
	for (uint32_t i = 0; i < p->len; i++)
		data[i] ^= 0xa5;
	return 0;
}

static long launch_update_vmsa(struct obj *vm, struct sev_vm *s, struct kvm_sev_cmd *c)
{
	long r;

	if (!s->inited || !s->es)
		return -ENOTTY;
	for (unsigned id = 0; id < vm->nvcpus; id++) {
		r = fake_sev__sync_vmsa(id, s->features, sev.vmsa[id]);
		if (r < 0)
			return r;
		r = legacy_fw(s, c, G_LUPDATE);
		if (r < 0)
			return r;
		sev.has_vmsa[id] = true;
		EVP_DigestUpdate(s->ld_ctx, sev.vmsa[id], 4096);
	}
	return 0;
}

/* MEASURE || MNONCE, MEASURE = HMAC-SHA256(TIK, 0x04 || API_MAJOR ||
 * API_MINOR || BUILD || POLICY || LD || MNONCE). */
static long launch_measure(struct sev_vm *s, struct kvm_sev_cmd *c)
{
	struct kvm_sev_launch_measure *p = (void *)(uintptr_t)c->data;
	uint8_t msg[1 + 3 + 4 + 32 + 16], *out;
	unsigned mlen = 32;
	long r;

	if (!s->inited)
		return -ENOTTY;
	if (!p)
		return -EFAULT;
	if (p->len > BLOB_MAX)
		return -EINVAL;
	r = legacy_fw(s, c, G_LUPDATE);
	if (r < 0)
		return r;
	if (p->len < MEASURE_LEN || !p->uaddr) {
		p->len = MEASURE_LEN;
		c->error = SEV_RET_INVALID_LEN;
		return -EIO;
	}
	msg[0] = 4;
	msg[1] = FAKE_SEV_API_MAJOR;
	msg[2] = FAKE_SEV_API_MINOR;
	msg[3] = FAKE_SEV_BUILD;
	memcpy(msg + 4, &(uint32_t){ s->policy }, 4);
	EVP_DigestFinal_ex(s->ld_ctx, sev.digest, NULL);
	sev.dlen = 32;
	memcpy(msg + 8, sev.digest, 32);
	memcpy(msg + 40, fake_sev_mnonce, 16);
	out = (uint8_t *)(uintptr_t)p->uaddr;
	HMAC(EVP_sha256(), fake_sev_tik, sizeof(fake_sev_tik), msg, sizeof(msg), out, &mlen);
	memcpy(out + 32, fake_sev_mnonce, 16);
	p->len = MEASURE_LEN;
	s->state = G_LSECRET;
	return 0;
}

static long launch_finish(struct sev_vm *s, struct kvm_sev_cmd *c)
{
	long r;

	if (!s->inited)
		return -ENOTTY;
	r = legacy_fw(s, c, G_LSECRET);
	if (r < 0)
		return r;
	if (sev.finish_error) {
		c->error = sev.finish_error;
		return -EIO;
	}
	s->state = G_RUNNING;
	return 0;
}

/* ---- The dispatcher (KERNEL-RULES 4.1) ----------------------------------- */

static long dispatch(struct obj *vm, struct sev_vm *s, struct kvm_sev_cmd *c,
		     struct fake_sev_call *log)
{
	/* Once an SNP VM is initialised, the legacy commands are refused. */
	if (s->snp && s->inited && c->id < KVM_SEV_SNP_LAUNCH_START)
		return -EPERM;
	switch (c->id) {
	case KVM_SEV_INIT:
	case KVM_SEV_ES_INIT:
		return -EINVAL;         /* only for KVM_X86_DEFAULT_VM */
	case KVM_SEV_INIT2:
		return init2(vm, s, (const void *)(uintptr_t)c->data);
	case KVM_SEV_LAUNCH_START:
		return launch_start(s, c, log);
	case KVM_SEV_LAUNCH_UPDATE_DATA:
		return launch_update_data(s, c, log);
	case KVM_SEV_LAUNCH_UPDATE_VMSA:
		return launch_update_vmsa(vm, s, c);
	case KVM_SEV_LAUNCH_MEASURE:
		return launch_measure(s, c);
	case KVM_SEV_LAUNCH_FINISH:
		return launch_finish(s, c);
	case KVM_SEV_SNP_LAUNCH_START:
		return fake_snp__launch_start(s, c, log);
	case KVM_SEV_SNP_LAUNCH_UPDATE:
		return fake_snp__launch_update(vm, s, c, log);
	case KVM_SEV_SNP_LAUNCH_FINISH:
		return fake_snp__launch_finish(vm, s, c);
	case KVM_SEV_SNP_ENABLE_REQ_CERTS:
		return fake_snp__enable_certs(vm, s);
	default:
		return -EINVAL;
	}
}

static long encrypt_op(struct obj *vm, struct kvm_sev_cmd *c)
{
	struct fake_sev_call log = { .id = c->id };
	long r;

	if (!sev.host)
		return -ENOTTY;
	r = dispatch(vm, state(vm), c, &log);
	log.ret = r;
	log.error = c->error;
	if (sev.ncalls == FAKE_SEV_MAX_CALLS)
		fake__die("too many SEV commands");
	sev.calls[sev.ncalls++] = log;
	return r;
}

/* sev_mem_enc_register_region: pins the range (FOLL_WRITE | LONGTERM). */
static long register_region(struct sev_vm *s, const struct kvm_enc_region *r)
{
	if (!s->inited || s->snp)
		return -ENOTTY;
	if (!r->size || r->addr + r->size < r->addr)
		return -EINVAL;
	return fake_sev__user_ok(r->addr, r->size, true) ? 0 : -ENOMEM;
}

static long vm_ioctl(struct obj *vm, unsigned long req, void *arg)
{
	switch (req) {
	case KVM_MEMORY_ENCRYPT_OP:
		return encrypt_op(vm, arg);
	case KVM_MEMORY_ENCRYPT_REG_REGION:
	case KVM_MEMORY_ENCRYPT_UNREG_REGION:
		return register_region(state(vm), arg);
	default:
		return fake_x86__vm_ioctl(vm, req, arg);
	}
}

/* KVM_RUN: INIT2 first; an SEV-ES/SNP vCPU needs its encrypted VMSA
 * (KERNEL-RULES 4.8); the answer the VMM left to an SNP page-state change
 * or certificate request (still in the run area) must be one KVM knows
 * (ERRATA rows 5, 7, 8).  True with -EINVAL when KVM_RUN fails here. */
static bool run(struct obj *vcpu, struct fake_vcpu *v, long *ret)
{
	const struct sev_vm *s = state(vcpu->vm);
	const struct kvm_run *r = (const struct kvm_run *)vcpu->view;
	uint64_t a;
	bool ok = true;

	(void)v;
	if (!s->inited || (s->es && !fake_sev__protected(vcpu->id))) {
		ok = false;
	} else if (s->snp && r->exit_reason == KVM_EXIT_HYPERCALL) {
		a = r->hypercall.ret;
		ok = a == 0 || a == EAGAIN || a == EINVAL;
	} else if (s->snp && r->exit_reason == KVM_EXIT_SNP_REQ_CERTS) {
		a = kvm_run__snp_req_certs((struct kvm_run *)r)->ret;
		ok = a == 0 || a == ENOSPC || a == EAGAIN || a == EIO;
	}
	*ret = -EINVAL;
	return !ok;
}

#define SEV_TYPE \
	.vm_ioctl = vm_ioctl, .vcpu_ioctl = fake_sev__vcpu_ioctl, \
	.vcpu_reset = fake_sev__vcpu_reset, .vm_init = vm_init, .vm_free = vm_free, .run = run

const struct fake_vm_type fake_sev_vm = {
	.type = KVM_X86_SEV_VM, .name = "sev", SEV_TYPE,
};

const struct fake_vm_type fake_sev_es_vm = {
	.type = KVM_X86_SEV_ES_VM, .name = "sev-es", .protected_state = true, SEV_TYPE,
};

const struct fake_vm_type fake_snp_vm = {
	.type = KVM_X86_SNP_VM, .name = "snp", .private_mem = true, .protected_state = true,
	SEV_TYPE,
};

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/x86/kvm-abi.h"
#include "arch/x86/kvm-sev.h"
#include "loader/error.h"
#include "measure/snp.h"
#include "vmm/private-mem.h"
#include "vmm/sys.h"
#include "vmm/tee.h"
#include "vmm/vm.h"

#define PAGE            4096ull
#define XSAVE_LEGACY    0x240   /* FXSAVE area + XSAVE header: the size for XCR0 = 1 */

static int cmd(struct vm *vm, uint32_t id, void *data, const char *what)
{
	uint32_t fw;

	return sev__cmd(vm, id, data, &fw) < 0 ? sev__fail(what, errno, fw) : 0;
}

/* After INIT2 and before any vCPU: the host's policy bits (6.19), the
 * certificate exit (7.0, which must precede vCPUs), LAUNCH_START. */
int snp__vm_init(struct vm *vm)
{
	const struct sev_state *s = vm->tee_state;
	const struct sev_opts *o = &vm->cfg->sev;
	struct kvm_sev_snp_launch_start start = { .policy = o->snp_policy };
	uint64_t v = 0;

	if (sev__attr(&vm->kvm, KVM_X86_SNP_POLICY_BITS, &v) == 0 && (o->snp_policy & ~v))
		return err__set_status(CVM_EXIT_NOHOST, "--snp-policy %#llx: KVM here accepts "
				       "policy bits %#llx", (unsigned long long)o->snp_policy,
				       (unsigned long long)v);
	if (s->certs) {
		v = 0;
		if (sev__attr(&vm->kvm, KVM_X86_SEV_SNP_REQ_CERTS, &v) < 0 || !v)
			return err__set_status(CVM_EXIT_NOHOST, "--snp-certs: KVM here does not "
					       "forward certificate requests (Linux 7.0 or later)");
		if (cmd(vm, KVM_SEV_SNP_ENABLE_REQ_CERTS, NULL, "KVM_SEV_SNP_ENABLE_REQ_CERTS") < 0)
			return -1;
	}
	return cmd(vm, KVM_SEV_SNP_LAUNCH_START, &start, "KVM_SEV_SNP_LAUNCH_START");
}

/* One op, one SNP_LAUNCH_UPDATE.  KVM may stop early with 0 and the rest
 * written back (a later page failed, a signal, the slot's end): the next
 * call starts there, and fails on its first page if that page is bad
 * (ERRATA row 3); only such a first page reports an error. */
static int update(struct vm *vm, const struct plan_op *op, int type, uint8_t *src, uint32_t *fw)
{
	struct kvm_sev_snp_launch_update u = {
		.gfn_start = op->gpa / PAGE, .uaddr = (uintptr_t)src, .len = op->len, .type = type,
	};
	char what[96];

	while (u.len) {
		struct kvm_sev_snp_launch_update was = u;
		uint64_t done;

		if (sev__cmd(vm, KVM_SEV_SNP_LAUNCH_UPDATE, &u, fw) < 0) {
			snprintf(what, sizeof(what), "SNP_LAUNCH_UPDATE of %s (%s) at gpa %#llx",
				 op->what, snp__page_type_name(type),
				 (unsigned long long)(was.gfn_start * PAGE));
			return sev__fail(what, errno, *fw);
		}
		done = was.len - u.len;
		if (u.len >= was.len || done % PAGE || u.gfn_start != was.gfn_start + done / PAGE ||
		    u.uaddr != was.uaddr + (src ? done : 0))
			return err__set_status(CVM_EXIT_FAIL, "SNP_LAUNCH_UPDATE of %s: KVM reported "
					       "no or inconsistent progress at gpa %#llx", op->what,
					       (unsigned long long)(was.gfn_start * PAGE));
	}
	return 0;
}

/* ---- The CPUID page ------------------------------------------------------ */

/* The table the vCPUs' CPUID gives (QEMU's rules): one entry per leaf and
 * significant sub-leaf; leaf 0xD sub-leaves 0 and 1 describe the XSAVE
 * area for the reset XCR0 = 1, as KVM reports it then. */
static int cpuid_table(const struct kvm_cpuid2 *c, struct cvm_snp_cpuid_table *t)
{
	if (c->nent > SNP_CPUID_COUNT_MAX)
		return err__set_status(CVM_EXIT_FAIL, "the vCPUs' CPUID has %u leaves; the SNP CPUID "
				       "page holds %d", c->nent, SNP_CPUID_COUNT_MAX);
	memset(t, 0, sizeof(*t));
	for (uint32_t i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];
		struct cvm_snp_cpuid_fn *f = &t->fn[i];

		f->eax_in = e->function;
		f->ecx_in = e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX ? e->index : 0;
		f->eax = e->eax;
		f->ebx = e->ebx;
		f->ecx = e->ecx;
		f->edx = e->edx;
		if (f->eax_in == 0xd && f->ecx_in <= 1) {
			f->ebx = XSAVE_LEGACY;
			f->xcr0_in = 1;
		}
	}
	t->count = c->nent;
	return 0;
}

/* "0x7.0 ebx 0x29c67af->0x9c67af, ..." for every value the firmware
 * changed from SENT to BACK. */
static void corrections(const struct cvm_snp_cpuid_table *sent,
			const struct cvm_snp_cpuid_table *back, char *buf, size_t len)
{
	static const char *const regs[] = { "eax", "ebx", "ecx", "edx" };
	size_t off = 0, n = sent->count > back->count ? sent->count : back->count;

	buf[0] = 0;
#define ADD(...) (off += snprintf(off < len ? buf + off : NULL, off < len ? len - off : 0, \
				  __VA_ARGS__))
	if (sent->count != back->count)
		ADD("count %u->%u", sent->count, back->count);
	for (size_t i = 0; i < n && i < SNP_CPUID_COUNT_MAX; i++) {
		const struct cvm_snp_cpuid_fn *a = &sent->fn[i], *b = &back->fn[i];
		const uint32_t va[] = { a->eax, a->ebx, a->ecx, a->edx };
		const uint32_t vb[] = { b->eax, b->ebx, b->ecx, b->edx };

		for (int r = 0; r < 4; r++)
			if (va[r] != vb[r])
				ADD("%s%#x.%u %s %#x->%#x", off ? ", " : "", b->eax_in, b->ecx_in,
				    regs[r], va[r], vb[r]);
		if (a->eax_in != b->eax_in || a->ecx_in != b->ecx_in || a->xcr0_in != b->xcr0_in ||
		    a->xss_in != b->xss_in)
			ADD("%sentry %zu inputs %#x.%u->%#x.%u", off ? ", " : "", i, a->eax_in,
			    a->ecx_in, b->eax_in, b->ecx_in);
	}
	if (!off)
		ADD("no value");
#undef ADD
}

/* The CPUID page in a call of its own, so that a rejection is this call's
 * first-page error and KVM has copied the firmware's table back into SRC
 * (ERRATA rows 3-4).  --snp-cpuid-fixup launches that table, once. */
static int cpuid_page(struct vm *vm, const struct plan_op *op, uint8_t *src)
{
	struct cvm_snp_cpuid_table sent;
	struct kvm_cpuid2 *c = x86__vcpu_cpuid(vm, 0);
	char fixed[400] = "";
	uint32_t fw;
	int r;

	if (!c)
		return -1;
	if (op->len != PAGE) {
		free(c);
		return err__set_status(CVM_EXIT_FAIL, "%s: a CPUID section of %#llx bytes, not one "
				       "page", op->what, (unsigned long long)op->len);
	}
	r = cpuid_table(c, (struct cvm_snp_cpuid_table *)src);
	free(c);
	for (int attempt = 0; r == 0; attempt++) {
		memcpy(&sent, src, sizeof(sent));
		if (update(vm, op, SNP_PAGE_CPUID, src, &fw) == 0) {
			if (attempt)
				fprintf(stderr, "cvm-run: --snp-cpuid-fixup: the guest's CPUID page has "
					"the firmware's values: %s\n", fixed);
			return 0;
		}
		if (fw != SEV_RET_INVALID_PARAM)
			return -1;
		corrections(&sent, (const struct cvm_snp_cpuid_table *)src, fixed, sizeof(fixed));
		if (attempt || !vm->cfg->sev.cpuid_fixup)
			return err__set_status(CVM_EXIT_FAIL, "SNP CPUID page at gpa %#llx rejected by "
					       "the firmware (INVALID_PARAM)%s; it corrected: %s",
					       (unsigned long long)op->gpa,
					       attempt ? " again after --snp-cpuid-fixup" :
					       " (--snp-cpuid-fixup accepts that once)", fixed);
	}
	return r;
}

/* Every GFN private first (KERNEL-RULES 4.7), through the conversion
 * engine; the source is a page-aligned writable copy (GUP reads it; the
 * CPUID page is written back). */
int snp__load(struct vm *vm, const struct plan_op *op)
{
	int type = snp__page_type(op->kind);
	uint8_t *src;
	uint32_t fw;
	int r;

	if (type < 0 || !op->len || (op->gpa | op->len) % PAGE)
		return err__set_status(CVM_EXIT_FAIL, "%s: a %s op of %#llx bytes at %#llx has no "
				       "SNP launch", op->what, plan__kind_name(op->kind),
				       (unsigned long long)op->len, (unsigned long long)op->gpa);
	if (private_mem__convert(vm, op->gpa, op->len, true) != CONVERT_OK)
		return err__set_status(CVM_EXIT_FAIL, "%s: [%#llx, +%#llx) cannot be made private: "
				       "not inside one slot of guest memory", op->what,
				       (unsigned long long)op->gpa, (unsigned long long)op->len);
	if (type == SNP_PAGE_ZERO)
		return update(vm, op, type, NULL, &fw);
	src = sys->mmap(NULL, op->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED)
		return err__set_status(CVM_EXIT_FAIL, "%s: %llu bytes of launch source: %s", op->what,
				       (unsigned long long)op->len, strerror(errno));
	if (op->data)
		memcpy(src, op->data, op->data_len);     /* the rest: zeros, fresh */
	r = type == SNP_PAGE_CPUID ? cpuid_page(vm, op, src) : update(vm, op, type, src, &fw);
	sys->munmap(src, op->len);
	return r;
}

/* LAUNCH_FINISH: KVM encrypts and measures every vCPU's VMSA, then the
 * firmware seals the launch with the ID block and HOST_DATA.  A failure is
 * final: the VMSAs already done stay protected (ERRATA C.1). */
int snp__finalize(struct vm *vm)
{
	const struct sev_state *s = vm->tee_state;
	const struct sev_opts *o = &vm->cfg->sev;
	struct kvm_sev_snp_launch_finish f = { 0 };
	uint32_t author_algo;

	if (s->id_block) {
		f.id_block_uaddr = (uintptr_t)s->id_block;
		f.id_auth_uaddr = (uintptr_t)s->id_auth;
		f.id_block_en = 1;
		/* ID_AUTH names an author key by its algorithm (offset 4). */
		memcpy(&author_algo, s->id_auth + 4, 4);
		f.auth_key_en = author_algo != 0;
	}
	if (o->host_data_set)
		memcpy(f.host_data, o->host_data, sizeof(f.host_data));
	return cmd(vm, KVM_SEV_SNP_LAUNCH_FINISH, &f, "KVM_SEV_SNP_LAUNCH_FINISH (not retried: "
		   "the VMSAs are encrypted)");
}

/* KVM_EXIT_SNP_REQ_CERTS: the --snp-certs blob into the guest's shared
 * buffer, or how many pages it needs (ERRATA row 8). */
bool snp__certs_exit(struct vcpu *v, bool *more)
{
	const struct sev_state *s = v->vm->tee_state;
	struct cvm_snp_req_certs_exit *x = kvm_run__snp_req_certs(v->run);
	uint64_t room;
	uint8_t *dst;

	if (v->run->exit_reason != KVM_EXIT_SNP_REQ_CERTS)
		return false;
	if (!s->certs) {
		vm__stop(v->vm, CVM_EXIT_FAIL, "vCPU %u: a certificate request exit, but cvm-run "
			 "enabled none", v->id);
		*more = false;
		return true;
	}
	room = x->npages <= UINT64_MAX / PAGE ? x->npages * PAGE : UINT64_MAX;
	if (room < s->certs_len) {
		x->npages = (s->certs_len + PAGE - 1) / PAGE;
		x->ret = ENOSPC;
		return true;
	}
	dst = guest__ptr(&v->vm->mem, x->gpa, room);
	if (!dst) {
		x->ret = EIO;   /* not shared guest RAM: the guest gets an error */
		return true;
	}
	memcpy(dst, s->certs, s->certs_len);
	memset(dst + s->certs_len, 0, room - s->certs_len);
	x->ret = 0;
	return true;
}

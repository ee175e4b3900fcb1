/* The fake kernel's SNP launch commands (KERNEL-RULES 4.3-4.6), with
 * kvm_gmem_populate (2.6) behind SNP_LAUNCH_UPDATE: every page copied
 * from the caller's uaddr into the guest_memfd page, assigned in the RMP
 * and measured by the fake firmware; an error reaches the caller only for
 * a call's first page. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fake/fake-sev.h"
#include "tests/unit/fake/fake.h"

#define RMP_PAGES	(16ull << 30 >> 12)     /* the fake's RMP covers 16 GiB */
#define VMSA_GPA	0xfffffffff000ull
#define SMT_ON		(1ull << 16)            /* the fake host runs SMT */
#define RSVD_MBO	(1ull << 17)
#define POLICY_BITS	(0xffffull | 3ull << 16 | 0x7full << 19)

long fake_snp__launch_start(struct sev_vm *s, struct kvm_sev_cmd *c, struct fake_sev_call *log)
{
	const struct kvm_sev_snp_launch_start *p = (void *)(uintptr_t)c->data;

	if (!s->inited || !s->snp)
		return -ENOTTY;
	if (!p)
		return -EFAULT;
	log->policy = p->policy;
	if (s->started || p->flags)
		return -EINVAL;
	if ((p->policy & ~POLICY_BITS) || !(p->policy & RSVD_MBO))
		return -EINVAL;
	if (!fake_sev__fd_ok(c->sev_fd))
		return -EBADF;
	/* The firmware, not KVM, holds the policy to the host's SMT. */
	if (!(p->policy & SMT_ON)) {
		c->error = SEV_RET_POLICY_FAILURE;
		return -EIO;
	}
	s->rmp = calloc(RMP_PAGES / 8, 1);
	if (!s->rmp)
		fake__die("out of memory");
	s->started = true;
	s->policy = p->policy;
	s->fd = c->sev_fd;
	memset(sev.digest, 0, sizeof(sev.digest));
	sev.dlen = 48;
	return 0;
}

static bool assigned(const struct sev_vm *s, uint64_t gfn)
{
	return s->rmp[gfn / 8] & (1u << (gfn % 8));
}

/* sev_gmem_post_populate for one page: 0, a KVM error (-errno, *FW = 0)
 * or a firmware one (-EIO, *FW set). */
static long populate_page(struct obj *vm, struct sev_vm *s, uint64_t gfn, const uint8_t *src,
			  uint8_t type, int fd, uint32_t *fw)
{
	const struct kvm_userspace_memory_region2 *slot = fake_vm__slot(vm, gfn << 12);
	const struct obj *gmem = fake__obj(slot->guest_memfd);
	uint64_t off = slot->guest_memfd_offset + (gfn << 12) - slot->guest_phys_addr;
	uint8_t *page;

	if (src && !fake_sev__user_ok((uintptr_t)src, 4096, type == KVM_SEV_SNP_PAGE_TYPE_CPUID))
		return -EFAULT;
	if (!gmem || gmem->kind != FAKE_GMEM || off + 4096 > gmem->size)
		return -EFAULT;
	if (fake_vm__attributes(vm, gfn << 12) != KVM_MEMORY_ATTRIBUTE_PRIVATE)
		return -EINVAL;
	if (gfn >= RMP_PAGES)
		fake__die("GFN %#llx beyond the fake's RMP", (unsigned long long)gfn);
	if (assigned(s, gfn))
		return -EEXIST;
	page = gmem->view + off;
	memset(page, 0, 4096);
	if (src)
		memcpy(page, src, 4096);
	if (!fake_sev__fd_ok(fd))
		return -EBADF;
	*fw = fake_sev__page_fault(gfn << 12);
	if (!*fw && type == KVM_SEV_SNP_PAGE_TYPE_CPUID)
		*fw = fake_sev__check_cpuid(page);
	if (*fw) {
		/* Reclaimed; a rejected CPUID table goes back to the source. */
		if (type == KVM_SEV_SNP_PAGE_TYPE_CPUID && *fw == SEV_RET_INVALID_PARAM)
			memcpy((uint8_t *)src, page, 4096);
		return -EIO;
	}
	if (type == KVM_SEV_SNP_PAGE_TYPE_SECRETS)
		memset(page, 0x5e, 4096);       /* the firmware's own secrets */
	fake_sev__measure_page(page, type, gfn << 12);
	s->rmp[gfn / 8] |= 1u << (gfn % 8);
	return 0;
}

long fake_snp__launch_update(struct obj *vm, struct sev_vm *s, struct kvm_sev_cmd *c,
			     struct fake_sev_call *log)
{
	struct kvm_sev_snp_launch_update *p = (void *)(uintptr_t)c->data;
	const struct kvm_userspace_memory_region2 *slot;
	uint64_t npages, i, end;
	uint32_t fw = 0;
	long err = 0;

	if (!s->snp || !s->started)
		return -EINVAL;
	if (!p)
		return -EFAULT;
	log->gpa = p->gfn_start << 12;
	log->len = p->len;
	log->type = p->type;
	if (!p->len || p->len % 4096 || p->flags ||
	    (p->type != 1 && (p->type < 3 || p->type > 6)))
		return -EINVAL;
	if (p->type != KVM_SEV_SNP_PAGE_TYPE_ZERO && (!p->uaddr || p->uaddr % 4096))
		return -EINVAL;
	slot = fake_vm__slot(vm, p->gfn_start << 12);
	if (!slot || !(slot->flags & KVM_MEM_GUEST_MEMFD))
		return -EINVAL;
	/* kvm_gmem_populate: clamped to the slot, stops at the first error. */
	end = (slot->guest_phys_addr + slot->memory_size) >> 12;
	npages = p->len / 4096 < end - p->gfn_start ? p->len / 4096 : end - p->gfn_start;
	for (i = 0; i < npages; i++) {
		const uint8_t *src = p->type == KVM_SEV_SNP_PAGE_TYPE_ZERO ? NULL :
				     (const uint8_t *)(uintptr_t)(p->uaddr + i * 4096);

		fw = 0;
		err = populate_page(vm, s, p->gfn_start + i, src, p->type, c->sev_fd, &fw);
		if (err)
			break;
	}
	if (err && i == 0) {
		c->error = fw;
		return -EIO;
	}
	p->gfn_start += i;
	p->len -= i * 4096;
	if (p->type != KVM_SEV_SNP_PAGE_TYPE_ZERO)
		p->uaddr += i * 4096;
	return 0;
}

/* The ID block and auth structure the firmware is handed (sev-dev.c). */
static long id_block(const struct kvm_sev_snp_launch_finish *p)
{
	if (!p->id_block_en)
		return 0;
	if (!p->id_block_uaddr || !p->id_auth_uaddr)
		return -EINVAL;
	if (!fake_sev__user_ok(p->id_block_uaddr, 96, false) ||
	    !fake_sev__user_ok(p->id_auth_uaddr, 4096, false))
		return -EFAULT;
	memcpy(sev.finish.id_block, (const void *)(uintptr_t)p->id_block_uaddr, 96);
	sev.finish.id_block_en = true;
	sev.finish.auth_key_en = p->auth_key_en;
	return 0;
}

/* KERNEL-RULES 4.6: every vCPU's VMSA in index order, then the ID block,
 * then the firmware with the fd LAUNCH_START used. */
long fake_snp__launch_finish(struct obj *vm, struct sev_vm *s, struct kvm_sev_cmd *c)
{
	const struct kvm_sev_snp_launch_finish *p = (void *)(uintptr_t)c->data;
	long r;

	if (!s->inited || !s->snp)
		return -ENOTTY;
	if (!s->started)
		return -EINVAL;
	if (!p)
		return -EFAULT;
	if (p->flags)
		return -EINVAL;
	for (unsigned id = 0; id < vm->nvcpus; id++) {
		r = fake_sev__sync_vmsa(id, s->features, sev.vmsa[id]);
		if (r < 0)
			return r;
		if (!fake_sev__fd_ok(c->sev_fd))
			return -EBADF;
		sev.has_vmsa[id] = true;
		fake_sev__measure_page(sev.vmsa[id], 2, VMSA_GPA);
	}
	r = id_block(p);
	if (r < 0)
		return r;
	if (!fake_sev__fd_ok(s->fd))
		return -EBADF;
	if (sev.finish_error) {
		c->error = sev.finish_error;
		return -EIO;
	}
	memcpy(sev.finish.host_data, p->host_data, sizeof(sev.finish.host_data));
	sev.finish.done = true;
	return 0;
}

long fake_snp__enable_certs(const struct obj *vm, struct sev_vm *s)
{
	if (vm->nvcpus || !s->inited || !s->snp)
		return -EINVAL;
	s->certs = true;
	return 0;
}

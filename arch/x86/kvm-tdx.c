/* Intel TDX (--tee tdx): a TD launched from the TDVF plan of loader/tdx.c
 * through KVM's TDX commands, in the order the 7.3 kernel accepts
 * (KERNEL-RULES 6.9; its own documentation differs, ERRATA rows 13-16, 21):
 *
 *   CAPABILITIES, INIT_VM            vm_init, before memory and vCPUs
 *   split irqchip, APIC bus 40 ns    arch__vm_init, from this backend's properties
 *   per vCPU: SET_CPUID2 (x2APIC), then INIT_VCPU (RCX = the TD HOB)
 *   all guest memory private, then INIT_MEM_REGION per TDVF section in plan
 *   order (MEASURE where MR_EXTEND), retried on -EINTR from where KVM stopped
 *   FINALIZE_VM
 *
 * MRTD is then what measure/mrtd.c computes from the same plan, and the
 * RTMRs of a direct boot what measure/tdvf-events.c computes from the fw_cfg
 * items and TD HOB it serves: what --dry-run prints.  The TDVMCALLs of a
 * running TD are kvm-tdx-exit.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/x86/cpuid.h"
#include "arch/x86/kvm-tdx.h"
#include "arch/x86/kvm-tee.h"
#include "loader/error.h"
#include "loader/parse.h"
#include "loader/tdx-boot.h"
#include "measure/tdx-measure.h"
#include "vmm/sys.h"
#include "vmm/tee.h"
#include "vmm/vm.h"

#define PAGE            4096ull
#define CPUID_MAX       256     /* KVM_MAX_CPUID_ENTRIES */
#define X2APIC          (1u << 21)      /* CPUID.1:ECX */
#define TSX_BITS        ((1u << 4) | (1u << 11))        /* CPUID.7.0:EBX HLE, RTM */
#define WAITPKG         (1u << 5)       /* CPUID.7.0:ECX */
#define INIT_VM_TRIES   10000   /* -EAGAIN: the RNG ran dry in TDH.MNG.CREATE */

static struct tdx_state *state(const struct vm *vm)
{
	return vm->tee_state;
}

/* One KVM_MEMORY_ENCRYPT_OP; *HW_ERROR gets what KVM wrote back. */
static int tdx_cmd(int fd, uint32_t id, uint32_t flags, uint64_t data, uint64_t *hw_error)
{
	struct kvm_tdx_cmd c = { .id = id, .flags = flags, .data = data };
	int r;

	do
		r = sys__ioctl(fd, KVM_MEMORY_ENCRYPT_OP, &c);
	while (r < 0 && errno == EINTR && id != KVM_TDX_INIT_MEM_REGION);
	if (hw_error)
		*hw_error = c.hw_error;
	return r;
}

/* ---- Before KVM ---------------------------------------------------------- */

static unsigned long tdx_vm_type(const struct vm *vm)
{
	(void)vm;
	return KVM_X86_TDX_VM;
}

static int tdx_check(struct kvm *k, char *note, size_t len)
{
	struct kvm_caps c;

	if (x86__check_private_vm(k, KVM_X86_TDX_VM, "tdx", &c, note, len) < 0)
		return -1;
	if (kvm__cap(k, KVM_CAP_SPLIT_IRQCHIP) <= 0)
		return err__set_status(CVM_EXIT_NOHOST, "--tee tdx: KVM has no split irqchip here");
	if (kvm__cap(k, KVM_CAP_X86_APIC_BUS_CYCLES_NS) <= 0)
		return err__set_status(CVM_EXIT_NOHOST, "--tee tdx: KVM cannot set the APIC bus "
				       "period here (KVM_CAP_X86_APIC_BUS_CYCLES_NS)");
	return 0;
}

static int parse_mr(const char *opt, const char *hex, uint8_t out[TDX_MR_SIZE])
{
	if (hex && parse__hex(hex, out, TDX_MR_SIZE) < 0)
		return err__set("--%s: '%s' is not 48 bytes in hex (a SHA-384 value)", opt, hex);
	return 0;
}

static int check_options(struct vm *vm, struct tdx_state *s)
{
	const struct vm_config *c = vm->cfg;

	if (!c->firmware)
		return err__set("--tee tdx: needs --firmware TDVF (an Intel TDX build of OVMF, "
				"e.g. OVMF.inteltdx.fd)");
	if (c->tdx_separator && !c->kernel)
		return err__set("--tdx-separator: only with --kernel (it places an RTMR event of "
				"the kernel's boot)");
	if (c->tdx_separator && tdvf_separator__parse(c->tdx_separator, &s->separator) < 0)
		return -1;
	if (c->cpuid_disable && x86__cpuid_parse_disable(c->cpuid_disable, &vm->arch.cpuid) < 0)
		return -1;
	if (vm->arch.cpuid.clear[CPUID_1_ECX] & X2APIC)
		return err__set("--cpuid-disable: a TD's vCPUs need x2apic (KVM_TDX_INIT_VCPU "
				"enables it)");
	if (parse_mr("mrconfigid", c->mrconfigid, s->mr[0]) < 0 ||
	    parse_mr("mrowner", c->mrowner, s->mr[1]) < 0 ||
	    parse_mr("mrownerconfig", c->mrownerconfig, s->mr[2]) < 0)
		return -1;
	return c->tdx_qgs ? tdx_qgs__parse_addr(c->tdx_qgs, &s->qgs) : 0;
}

/* cvm-run's own TD (loader/tdx-boot.h, which cvm-measure --tdx-vmm cvm-run
 * builds it with): the TDVF plan over cvm-run's memory map, whose TD HOB
 * describes the RAM this VMM gives the TD, and what TDVF reads through
 * fw_cfg: the machine items, the ACPI tables and -k/-i/-p with QEMU's
 * setup-header patch. */
static int tdx_plan(struct vm *vm)
{
	const struct vm_config *c = vm->cfg;
	struct tdx_state *s = calloc(1, sizeof(*s));
	struct x86_boot_cfg boot;

	if (!s)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	pthread_mutex_init(&s->lock, NULL);
	vm->tee_state = s;
	if (check_options(vm, s) < 0)
		return -1;
	x86__boot_cfg(vm, &boot);
	return tdx_boot__cvm_plan(&vm->plan, c->firmware, &boot, &s->layout);
}

/* What cvm-measure --mode tdx --tdx-vmm cvm-run prints for these inputs:
 * MRTD, and with a kernel the RTMRs of the fw_cfg items and TD HOB this
 * plan serves. */
static int tdx_dry_run(struct vm *vm)
{
	struct tdx_state *s = state(vm);
	struct tdvf_boot boot = { .layout = &s->layout, .plan = &vm->plan,
				  .separator = s->separator };
	struct tdx_measurement m;

	if (tdx_measure__run(&vm->plan, MRTD_SINGLE_PASS, vm->cfg->kernel ? &boot : NULL, &m) < 0)
		return -1;
	return tdx_measure__print(stdout, false, &m);
}

/* ---- INIT_VM ------------------------------------------------------------- */

/* nent is not written back on -E2BIG (ERRATA C.9): grow until it fits. */
static int get_caps(struct vm *vm, struct tdx_state *s)
{
	for (uint32_t n = 8; n <= CPUID_MAX; n *= 2) {
		struct kvm_tdx_capabilities *c = calloc(1, sizeof(*c) +
							n * sizeof(c->cpuid.entries[0]));

		if (!c)
			return err__set_status(CVM_EXIT_FAIL, "out of memory");
		c->cpuid.nent = n;
		if (tdx_cmd(vm->kvm.vm_fd, KVM_TDX_CAPABILITIES, 0, (uintptr_t)c, NULL) == 0) {
			s->caps = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			break;
	}
	return err__set_status(CVM_EXIT_FAIL, "KVM_TDX_CAPABILITIES: %s", strerror(errno));
}

static const struct kvm_cpuid_entry2 *find(const struct kvm_cpuid_entry2 *e, uint32_t n,
					   uint32_t fn, uint32_t index)
{
	for (uint32_t i = 0; i < n; i++)
		if (e[i].function == fn && e[i].index == index)
			return &e[i];
	return NULL;
}

/* 52 where KVM addresses more than 48 bits of guest memory (5-level EPT),
 * else 48: the only widths INIT_VM takes (ERRATA row 13). */
static uint32_t gpa_width(const struct kvm_cpuid_entry2 *e, uint32_t n)
{
	const struct kvm_cpuid_entry2 *x = find(e, n, 0x80000008, 0);

	return x && ((x->eax >> 16) & 0xff) > 48 ? 52 : 48;
}

/* The CPUID INIT_VM fixes for the TD: vCPU 0's view (what SET_CPUID2 gets)
 * reduced to the leaves and bits the TDX module lets the host configure
 * (QEMU's tdx_filter_cpuid), without TSX and WAITPKG (refused), with the GPA
 * width in 0x80000008 EAX[23:16], which INIT_VM needs (ERRATA row 13). */
static int td_cpuid(struct vm *vm, const struct kvm_tdx_capabilities *caps,
		    struct kvm_cpuid2 *out)
{
	const struct kvm_cpuid2 *sup = x86__supported_cpuid(vm);
	struct kvm_cpuid_entry2 *e;
	uint32_t gpaw;
	int room, n;

	if (!sup)
		return -1;
	room = sup->nent + 8;
	e = calloc(room, sizeof(*e));
	if (!e)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	memcpy(e, sup->entries, sup->nent * sizeof(*e));
	n = x86__cpuid_apply(&vm->arch.cpuid, e, sup->nent, room, 0, vm->cfg->cpus);
	gpaw = gpa_width(sup->entries, sup->nent);
	out->nent = 0;
	for (uint32_t i = 0; n >= 0 && i < caps->cpuid.nent && out->nent < CPUID_MAX; i++) {
		const struct kvm_cpuid_entry2 *m = &caps->cpuid.entries[i];
		const struct kvm_cpuid_entry2 *v = find(e, n, m->function, m->index);
		struct kvm_cpuid_entry2 *o = &out->entries[out->nent];

		if (!v && m->function != 0x80000008)
			continue;
		*o = (struct kvm_cpuid_entry2){ .function = m->function, .index = m->index };
		if (v) {
			o->flags = v->flags;
			o->eax = v->eax & m->eax;
			o->ebx = v->ebx & m->ebx;
			o->ecx = v->ecx & m->ecx;
			o->edx = v->edx & m->edx;
		}
		if (o->function == 7 && o->index == 0) {
			o->ebx &= ~TSX_BITS;
			o->ecx &= ~WAITPKG;
		}
		if (o->function == 0x80000008)
			o->eax = (o->eax & ~0xff0000u) | gpaw << 16;
		out->nent++;
	}
	free(e);
	if (n < 0)
		return -1;
	if (!find(out->entries, out->nent, 0x80000008, 0))
		return err__set_status(CVM_EXIT_NOHOST, "KVM_TDX_CAPABILITIES: leaf 0x80000008 is "
				       "not configurable here, and INIT_VM needs it");
	return 0;
}

/* XCR0 and XSS features of the vCPUs: what XFAM may enable. */
static uint64_t xfeatures(const struct kvm_cpuid2 *sup)
{
	const struct kvm_cpuid_entry2 *d0 = find(sup->entries, sup->nent, 0xd, 0);
	const struct kvm_cpuid_entry2 *d1 = find(sup->entries, sup->nent, 0xd, 1);
	uint64_t x = 0;

	if (d0)
		x |= d0->eax | (uint64_t)d0->edx << 32;
	if (d1)
		x |= d1->ecx | (uint64_t)d1->edx << 32;
	return x;
}

static int init_vm(struct vm *vm, struct tdx_state *s)
{
	const struct kvm_tdx_capabilities *caps = s->caps;
	const struct kvm_cpuid2 *sup = x86__supported_cpuid(vm);
	struct kvm_tdx_init_vm *iv;
	uint64_t hw = 0;
	int r = -1, tries = 0;

	if (!sup)
		return -1;
	if (!(caps->supported_attrs & TDX_TD_ATTR_SEPT_VE_DISABLE))
		return err__set_status(CVM_EXIT_NOHOST, "--tee tdx: KVM offers TD attributes %#llx "
				       "here, without SEPT_VE_DISABLE (bit 28) that Linux TDs need",
				       (unsigned long long)caps->supported_attrs);
	iv = calloc(1, sizeof(*iv) + CPUID_MAX * sizeof(iv->cpuid.entries[0]));
	if (!iv)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	iv->attributes = TDX_TD_ATTR_SEPT_VE_DISABLE;
	iv->xfam = caps->supported_xfam & xfeatures(sup);
	memcpy(iv->mrconfigid, s->mr[0], TDX_MR_SIZE);
	memcpy(iv->mrowner, s->mr[1], TDX_MR_SIZE);
	memcpy(iv->mrownerconfig, s->mr[2], TDX_MR_SIZE);
	if (td_cpuid(vm, caps, &iv->cpuid) == 0) {
		do
			r = tdx_cmd(vm->kvm.vm_fd, KVM_TDX_INIT_VM, 0, (uintptr_t)iv, &hw);
		while (r < 0 && errno == EAGAIN && ++tries < INIT_VM_TRIES);
		if (r < 0)
			err__set_status(CVM_EXIT_FAIL, "KVM_TDX_INIT_VM (%u CPUID leaves, attributes "
					"%#llx, XFAM %#llx): %s%s, hw_error %#llx",
					iv->cpuid.nent, (unsigned long long)iv->attributes,
					(unsigned long long)iv->xfam, strerror(errno),
					errno == EAGAIN ? " (the CPU's RNG stayed busy)" : "",
					(unsigned long long)hw);
	}
	free(iv);
	return r < 0 ? -1 : 0;
}

static int tdx_vm_init(struct vm *vm)
{
	struct tdx_state *s = state(vm);

	return get_caps(vm, s) < 0 ? -1 : init_vm(vm, s);
}

/* ---- vCPUs, memory, finalize --------------------------------------------- */

/* After arch__vcpu_init's SET_CPUID2, which INIT_VCPU needs (ERRATA row 15). */
static int tdx_vcpu_init(struct vcpu *v)
{
	if (tdx_cmd(v->fd, KVM_TDX_INIT_VCPU, 0, state(v->vm)->layout.hob_gpa, NULL) < 0)
		return err__set_status(CVM_EXIT_FAIL, "vCPU %u: KVM_TDX_INIT_VCPU (TD HOB at %#llx): "
				       "%s", v->id, (unsigned long long)state(v->vm)->layout.hob_gpa,
				       strerror(errno));
	return 0;
}

/* KVM reads the source with GUP, page by page: it must be page-aligned and
 * non-zero even for zeros (KERNEL-RULES 6.6), and hold the whole op: a
 * section whose file bytes end early is staged with its zero tail. */
static const uint8_t *source(struct tdx_state *s, const struct plan_op *op)
{
	return staging__get(&s->staging, op->data, op->data_len, op->len, op->what);
}

/* -EINTR is the only retry, from where KVM wrote back it stopped (ERRATA
 * row 16); a write-back that is not progress is not believed. */
static bool progressed(const struct kvm_tdx_init_mem_region *was,
		       const struct kvm_tdx_init_mem_region *now)
{
	uint64_t done = was->nr_pages - now->nr_pages;

	return now->nr_pages <= was->nr_pages && now->gpa == was->gpa + done * PAGE &&
	       now->source_addr == was->source_addr + done * PAGE;
}

static int add_pages(struct vm *vm, const struct plan_op *op, const uint8_t *src)
{
	uint64_t pages = op->len / PAGE;
	uint32_t flags = op->kind == PLAN_TDX_EXTEND ? KVM_TDX_MEASURE_MEMORY_REGION : 0;
	struct kvm_tdx_init_mem_region r = { (uintptr_t)src, op->gpa, pages }, was;
	int err;

	for (;;) {
		was = r;
		if (tdx_cmd(vm->vcpus[0].fd, KVM_TDX_INIT_MEM_REGION, flags, (uintptr_t)&r, NULL) == 0)
			return 0;
		err = errno;
		if (err != EINTR)
			break;
		if (!progressed(&was, &r))
			return err__set_status(CVM_EXIT_FAIL, "KVM_TDX_INIT_MEM_REGION %s: KVM wrote "
					       "back gpa %#llx, %llu pages after gpa %#llx, %llu "
					       "pages", op->what, (unsigned long long)r.gpa,
					       (unsigned long long)r.nr_pages,
					       (unsigned long long)was.gpa,
					       (unsigned long long)was.nr_pages);
	}
	if (!progressed(&was, &r))
		r = was;
	return err__set_status(CVM_EXIT_FAIL, "KVM_TDX_INIT_MEM_REGION %s%s: page %llu of %llu "
			       "(gpa %#llx): %s", op->what, flags ? " (measured)" : "",
			       (unsigned long long)(pages - r.nr_pages + 1),
			       (unsigned long long)pages, (unsigned long long)r.gpa, strerror(err));
}

static int tdx_load(struct vm *vm, const struct plan_op *op)
{
	struct tdx_state *s = state(vm);
	const uint8_t *src;

	if (op->kind == PLAN_TDX_AUG)
		return 0;               /* the guest accepts it later */
	if (op->kind != PLAN_TDX_ADD && op->kind != PLAN_TDX_EXTEND)
		return err__set_status(CVM_EXIT_FAIL, "%s: a %s op has no place in a TD", op->what,
				       plan__kind_name(op->kind));
	src = source(s, op);
	return src ? add_pages(vm, op, src) : -1;
}

static int tdx_finalize(struct vm *vm)
{
	struct tdx_state *s = state(vm);
	uint64_t hw = 0;

	if (tdx_cmd(vm->kvm.vm_fd, KVM_TDX_FINALIZE_VM, 0, 0, &hw) < 0)
		return err__set_status(CVM_EXIT_FAIL, "KVM_TDX_FINALIZE_VM: %s, hw_error %#llx",
				       strerror(errno), (unsigned long long)hw);
	staging__exit(&s->staging);
	return 0;
}

static void tdx_exit(struct vm *vm)
{
	struct tdx_state *s = state(vm);

	if (!s)
		return;
	tdx__quotes_exit(s);
	free(s->caps);
	staging__exit(&s->staging);
	pthread_mutex_destroy(&s->lock);
	free(s);
	vm->tee_state = NULL;
}

const struct tee_ops tee_tdx = {
	.name = "tdx",
	.desc = "Intel TDX trust domain",
	.memory = MEM_PRIVATE,
	.convert_on_fault = true,
	.private_before_load = true,    /* as QEMU leaves a TD's RAM */
	.protected_regs = true,
	.split_irqchip = true,
	.apic_bus_ns = TDX_APIC_BUS_CYCLES_NS,
	.vm_type = tdx_vm_type,
	.check = tdx_check,
	.plan = tdx_plan,
	.dry_run = tdx_dry_run,
	.vm_init = tdx_vm_init,
	.vcpu_init = tdx_vcpu_init,
	.load = tdx_load,
	.finalize = tdx_finalize,
	.handle_exit = tdx__handle_exit,
	.exit = tdx_exit,
};

/* Arm CCA realms (--tee realm) on the KVM ABI of Steven Price's posted,
 * unmerged series, v14 (numbers in arch/arm64/kvm-abi.h).  Nothing here has
 * run on a real RMM: it follows ARM64.md's v14 call order and is proven
 * against the fake RMM of tests/unit/fake/.
 *
 *   KVM_CREATE_VM(REALM | IPA bits) -> RAM: guest_memfd (private) + memfd
 *   (shared), every page made private -> vGICv3 -> vCPUs in order,
 *   VCPU_INIT(PSCI 0.2), PC and x0 of vCPU 0 -> KVM_ARM_RMI_POPULATE of each
 *   plan image (MEASURE; the first creates the realm) -> the first KVM_RUN,
 *   where KVM creates a REC per vCPU (only vCPU 0 runnable), sets RIPAS RAM
 *   over the RAM and activates the realm.
 *
 * No KVM_ARM_VCPU_REC feature (KVM-UAPI.md 4.3 lists it as 9): ARM64.md's
 * v14 order and the series' kvm_create_rec, which makes every REC at
 * activation, do without it, and 9 is mainline's PMU_V3_STRICT.
 *
 * The realm parameters are KVM's to choose in v14: SHA-256, the VM type's
 * IPA bits, LPA2 when the host runs with it, nothing else; a plan asking
 * for more is measured (--dry-run) but not launched (status 3).  The
 * guest's RIPAS changes come back as memory-fault exits (v12's rmi-exit.c;
 * v14's was not seen: assumed unchanged), which the conversion engine
 * serves (convert_on_fault); its emulated devices sit in the unprotected
 * upper half of the IPA space, whose top bit MMIO exits carry and cvm-run's
 * device map does not. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/kvm-abi.h"
#include "arch/arm64/kvm-tee.h"
#include "arch/arm64/realm.h"
#include "loader/error.h"
#include "measure/output.h"
#include "measure/rim.h"
#include "vmm/arch.h"
#include "vmm/kvm.h"
#include "vmm/staging.h"
#include "vmm/sys.h"
#include "vmm/vm.h"

#define GRANULE 0x1000ull
#define LPA2_IPA_BITS 52        /* a host with LPA2 offers 52-bit IPAs (4 KiB pages) */

struct realm_state {
	struct staging staging;
	uint64_t shared_bit;            /* the unprotected half's IPA bit */
};

static struct realm_state *state(struct vm *vm)
{
	return vm->tee_state;
}

/* Without a plan (cvm-run check) KVM's default IPA width. */
static unsigned long realm_type(const struct vm *vm)
{
	return KVM_VM_TYPE_ARM_REALM | (vm ? vm->plan.realm->s2sz : 0);
}

/* A realm needs the series (a cap whose number mainline gives to s390),
 * a realm VM type KVM accepts, and private guest_memfd memory on it. */
static int realm_check(struct kvm *k, char *note, size_t len)
{
	struct kvm_caps c;
	char why[160];

	if (kvm__cap(k, KVM_CAP_ARM_RMI) <= 0)
		return err__set_status(CVM_EXIT_NOHOST, "--tee realm: no KVM_CAP_ARM_RMI (%d in "
				       "the %s series): this kernel has no Arm CCA realms (the series "
				       "is not merged; realms also need RME hardware and an RMM)",
				       KVM_CAP_ARM_RMI, KVM_CCA_SERIES_VERSION);
	if (kvm__probe_vm(k, realm_type(NULL), &c) < 0) {
		snprintf(why, sizeof(why), "%s", err__msg());
		return err__set_status(CVM_EXIT_NOHOST, "--tee realm: no realm VM here (%s)", why);
	}
	if (!c.guest_memfd || !(c.mem_attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE))
		return err__set_status(CVM_EXIT_NOHOST, "--tee realm: a realm VM here has %s",
				       c.guest_memfd ? "no private memory attribute" :
						       "no guest_memfd");
	snprintf(note, len, "a realm VM was created (VM type %#lx, %s ABI)", realm_type(NULL),
		 KVM_CCA_SERIES_VERSION);
	return 0;
}

/* What the v14 KVM puts in RmiRealmParams besides the IPA width and LPA2:
 * SHA-256 and zeros.  Anything else can be measured, not launched. */
static int v14_can_create(const struct vm *vm)
{
	const struct plan_realm *r = vm->plan.realm;
	const char *opt = realm_opts__given(&vm->cfg->realm, REALM_OPT_SVE_VL | REALM_OPT_PMU |
					    REALM_OPT_NUM_BPS | REALM_OPT_NUM_WPS);

	if (r->hash != PLAN_REALM_SHA256)
		opt = "--hash";
	if (opt)
		return err__set_status(CVM_EXIT_NOHOST, "%s: the %s KVM ABI cannot pass it (it "
				       "creates every realm with SHA-256, no SVE, PMU or debug "
				       "parameters); --dry-run still measures such a realm", opt,
				       KVM_CCA_SERIES_VERSION);
	return 0;
}

static int realm_plan(struct vm *vm)
{
	struct arm64_boot_cfg boot;

	if (arm64__boot_cfg(vm, &boot) < 0 ||
	    arm64__build_realm_plan(&vm->plan, &boot, &vm->cfg->realm) < 0)
		return -1;
	return vm->cfg->dry_run ? 0 : v14_can_create(vm);
}

/* --dry-run's last line: what cvm-measure --mode cca prints for it. */
static int realm_dry_run(struct vm *vm)
{
	uint8_t rim[RIM_MAX];

	if (rim__replay(&vm->plan, rim, NULL) < 0)
		return -1;
	printf("rim=");
	out__hex(stdout, rim, rim__hash_size(vm->plan.realm->hash));
	putchar('\n');
	return 0;
}

/* KVM sets LPA2 in every realm when the host kernel runs with it, which
 * cvm-run sees only as 52-bit IPAs on offer. */
static int realm_vm_init(struct vm *vm)
{
	struct realm_state *s = calloc(1, sizeof(*s));
	bool host = kvm__cap(&vm->kvm, KVM_CAP_ARM_VM_IPA_SIZE) >= LPA2_IPA_BITS;
	bool plan = vm->plan.realm->flags0 & PLAN_REALM_LPA2;

	if (!s)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	vm->tee_state = s;
	s->shared_bit = 1ull << (vm->plan.realm->s2sz - 1);
	if (host != plan)
		return err__set_status(CVM_EXIT_NOHOST, "%s: this host's KVM %s LPA2 (%s 52-bit "
				       "IPAs), which it passes to every realm: the RIM would not be "
				       "the one planned", plan ? "--lpa2" : "no --lpa2",
				       host ? "runs with" : "has no", host ? "it offers" : "no");
	return 0;
}

/* The kernel moved base and source_uaddr by what it populated and shrank
 * size by as much; anything else is not believed (it would loop forever or
 * skip a granule). */
static bool progressed(const struct kvm_arm_rmi_populate *was,
		       const struct kvm_arm_rmi_populate *now)
{
	uint64_t done = was->size - now->size;

	return now->size < was->size && now->base == was->base + done &&
	       now->source_uaddr == was->source_uaddr + done;
}

static int populate(struct vm *vm, const struct plan_op *op)
{
	uint64_t size = (op->len + GRANULE - 1) & ~(GRANULE - 1);
	const uint8_t *src = staging__get(&state(vm)->staging, op->data, op->data_len, size, op->what);
	bool measure = op->kind == PLAN_REALM_DATA;
	struct kvm_arm_rmi_populate a = {
		.base = op->gpa, .size = size, .source_uaddr = (uintptr_t)src,
		.flags = measure ? KVM_ARM_RMI_POPULATE_FLAGS_MEASURE : 0,
	}, was;

	if (!src)
		return -1;
	while (a.size) {
		was = a;
		if (sys__ioctl(vm->kvm.vm_fd, KVM_ARM_RMI_POPULATE, &a) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return err__set_status(CVM_EXIT_FAIL, "KVM_ARM_RMI_POPULATE %s%s: granule "
					       "%llu of %llu (gpa %#llx): %s", op->what,
					       measure ? " (measured)" : "",
					       (unsigned long long)((was.base - op->gpa) / GRANULE + 1),
					       (unsigned long long)(size / GRANULE),
					       (unsigned long long)was.base, strerror(errno));
		}
		if (!progressed(&was, &a))
			return err__set_status(CVM_EXIT_FAIL, "KVM_ARM_RMI_POPULATE %s: KVM wrote "
					       "back base %#llx size %#llx after base %#llx size "
					       "%#llx: no progress", op->what,
					       (unsigned long long)a.base, (unsigned long long)a.size,
					       (unsigned long long)was.base,
					       (unsigned long long)was.size);
	}
	return 0;
}

static int realm_load(struct vm *vm, const struct plan_op *op)
{
	switch (op->kind) {
	case PLAN_REALM_DATA:
	case PLAN_REALM_DATA_UNMEASURED:
		return populate(vm, op);
	case PLAN_REALM_REC:
		/* KVM creates it at the first KVM_RUN from the registers
		 * arch__vcpu_init set from the same plan entry. */
		return 0;
	default:
		return err__set_status(CVM_EXIT_FAIL, "%s: a %s op has no place in a %s realm "
				       "launch (KVM sets RIPAS itself)", op->what,
				       plan__kind_name(op->kind), KVM_CCA_SERIES_VERSION);
	}
}

static int realm_finalize(struct vm *vm)
{
	staging__exit(&state(vm)->staging);
	return 0;
}

/* Device accesses arrive at their unprotected alias: the map has them
 * without the top bit. */
static bool realm_handle_exit(struct vcpu *v, bool *more)
{
	struct kvm_run *r = v->run;

	*more = true;
	if (r->exit_reason != KVM_EXIT_MMIO)
		return false;
	if (r->mmio.len && r->mmio.len <= sizeof(r->mmio.data))
		io__access(&v->vm->io, IO_MMIO, r->mmio.phys_addr & ~state(v->vm)->shared_bit,
			   r->mmio.is_write, r->mmio.data, r->mmio.len);
	return true;
}

static void realm_exit(struct vm *vm)
{
	struct realm_state *s = state(vm);

	if (!s)
		return;
	staging__exit(&s->staging);
	free(s);
	vm->tee_state = NULL;
}

const struct tee_ops tee_realm = {
	.name = "realm",
	.desc = "Arm CCA realm",
	.memory = MEM_PRIVATE,
	.convert_on_fault = true,
	/* kvm_gmem_populate refuses shared pages, and a realm's RAM all
	 * starts as RIPAS RAM. */
	.private_before_load = true,
	.vm_type = realm_type,
	.check = realm_check,
	.plan = realm_plan,
	.dry_run = realm_dry_run,
	.vm_init = realm_vm_init,
	.load = realm_load,
	.finalize = realm_finalize,
	.handle_exit = realm_handle_exit,
	.exit = realm_exit,
};

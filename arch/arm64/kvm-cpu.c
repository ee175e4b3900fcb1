/* arm64's vCPU hooks of vmm/arch.h: KVM_ARM_VCPU_INIT with PSCI 0.2 (the
 * other vCPUs powered off until the guest's CPU_ON), vCPU 0's entry state
 * from the plan, and where a stopped vCPU was. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/kvm-abi.h"
#include "loader/error.h"
#include "vmm/arch.h"
#include "vmm/sys.h"
#include "vmm/vm.h"

#define CORE_REG(field) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 offsetof(struct kvm_regs, field) / sizeof(uint32_t))
#define REG_PC       CORE_REG(regs.pc)
#define REG_X0       CORE_REG(regs.regs[0])
#define REG_SCTLR    ARM64_SYS_REG(3, 0, 1, 0, 0)
#define SCTLR_M      1ull                  /* stage-1 MMU on: PC is a virtual address */

static int vcpu_ioctl(struct vcpu *v, unsigned long req, void *arg, const char *name)
{
	if (sys__ioctl(v->fd, req, arg) < 0)
		return err__set_status(CVM_EXIT_FAIL, "vCPU %u: %s: %s", v->id, name, strerror(errno));
	return 0;
}

static int set_reg(struct vcpu *v, uint64_t id, uint64_t val, const char *name)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&val };

	return vcpu_ioctl(v, KVM_SET_ONE_REG, &r, name);
}

static int get_reg(struct vcpu *v, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };

	return sys__ioctl(v->fd, KVM_GET_ONE_REG, &r);
}

/* booting.rst's entry state is what KVM_ARM_VCPU_INIT resets to (EL1h,
 * DAIF masked, MMU and caches off, x1-x3 zero); only PC and x0 are set. */
int arch__vcpu_init(struct vcpu *v)
{
	struct kvm_vcpu_init init;
	const struct plan_entry *e = &v->vm->plan.entry;

	if (sys__ioctl(v->vm->kvm.vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		return err__set_status(CVM_EXIT_NOHOST, "KVM_ARM_PREFERRED_TARGET: %s",
				       strerror(errno));
	memset(init.features, 0, sizeof(init.features));
	init.features[0] = 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (v->id)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (vcpu_ioctl(v, KVM_ARM_VCPU_INIT, &init, "KVM_ARM_VCPU_INIT") < 0)
		return -1;
	if (v->id == 0 && (set_reg(v, REG_PC, e->pc, "KVM_SET_ONE_REG(PC)") < 0 ||
			   set_reg(v, REG_X0, e->arg, "KVM_SET_ONE_REG(X0)") < 0))
		return -1;
	/* The vGIC is initialized once, after the last vCPU exists. */
	return v->id + 1 == v->vm->cfg->cpus ? arm64__gic_init(v->vm) : 0;
}

/* PC, and with the MMU off (PC is then guest-physical) the instruction
 * there, read through guest__read: on a protected VM the page is the
 * guest's unless it shared it, and the read is refused, not a crash. */
void arch__vcpu_where(struct vcpu *v, char *buf, size_t len)
{
	uint64_t pc, sctlr;
	uint32_t insn;
	size_t off;

	if (get_reg(v, REG_PC, &pc) < 0) {
		snprintf(buf, len, "(registers unavailable)");
		return;
	}
	off = snprintf(buf, len, "PC %#llx", (unsigned long long)pc);
	if (off >= len || get_reg(v, REG_SCTLR, &sctlr) < 0 || sctlr & SCTLR_M)
		return;
	if (guest__read(&v->vm->mem, pc, &insn, sizeof(insn)) == 0)
		snprintf(buf + off, len - off, ", instruction %#010x", insn);
	else
		snprintf(buf + off, len - off, ", instruction unread: %s", err__msg());
}

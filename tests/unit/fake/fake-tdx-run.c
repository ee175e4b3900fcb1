/* KVM_RUN on a fake TD (KERNEL-RULES 6.8 and 6.10): the gate, then the TD
 * steps of the vCPU's script.  A TDVMCALL is answered as KVM answers it:
 * in the kernel, or by an exit whose completion (the VMM's answer, read on
 * the next KVM_RUN) decides what the guest gets back.  MapGPA goes out in
 * 2 MiB chunks as KVM_HC_MAP_GPA_RANGE exits and accepts only 0, EAGAIN
 * and EINVAL as answers (ERRATA rows 5-6). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/unit/fake/fake-tdx-int.h"

#define MAP_GPA_CHUNK   (2ull << 20)    /* TDX_MAP_GPA_MAX_LEN */
#define KVM_ENOSYS_     1000            /* KVM's own hypercall errnos */
#define KVM_EINVAL_     22
#define WAIT_S          10

pthread_cond_t tdx_msi = PTHREAD_COND_INITIALIZER;

/* ---- Scripting ----------------------------------------------------------- */

static struct td_op *new_op(unsigned vcpu, enum td_op_kind kind)
{
	struct fake_step *s;
	uint32_t idx = tdx_host.nops;

	if (tdx_host.nops == FAKE_TDX_MAX_OPS)
		fake__die("too many TD steps");
	s = fake__step(vcpu, FAKE_EXIT_TD);
	memcpy(s->data, &idx, sizeof(idx));
	s->data_len = sizeof(idx);
	memset(&tdx_host.ops[idx], 0, sizeof(tdx_host.ops[idx]));
	tdx_host.ops[idx].kind = kind;
	tdx_host.nops++;
	return &tdx_host.ops[idx];
}

struct fake_tdx_call *fake_tdx__call(unsigned vcpu, uint64_t leaf, uint64_t r12, uint64_t r13)
{
	struct td_op *op = new_op(vcpu, OP_CALL);

	op->call.r11 = leaf;
	op->call.r12 = r12;
	op->call.r13 = r13;
	return &op->call;
}

void fake_tdx__write(unsigned vcpu, uint64_t gpa, const void *data, size_t len)
{
	struct td_op *op = new_op(vcpu, OP_WRITE);

	op->gpa = gpa;
	op->data = data;
	op->len = len;
}

void fake_tdx__wait_notify(unsigned vcpu, unsigned nth, uint64_t gpa, void *out, size_t len)
{
	struct td_op *op = new_op(vcpu, OP_WAIT);

	op->nth = nth;
	op->gpa = gpa;
	op->out = out;
	op->len = len;
}

/* ---- The guest's shared memory -------------------------------------------- */

/* The VMM's mapping of shared GPA (shared bit set), if all LEN bytes are in
 * one slot and shared; a guest touching anything else would fault. */
static uint8_t *shared_ptr(const struct obj *vm, const struct td *td, uint64_t gpa, size_t len)
{
	const struct kvm_userspace_memory_region2 *s;

	if (!(gpa & td->shared))
		return NULL;
	gpa &= ~td->shared;
	s = fake_vm__slot(vm, gpa);
	if (!s || len > s->memory_size - (gpa - s->guest_phys_addr))
		return NULL;
	for (uint64_t a = gpa & ~(PAGE - 1); a < gpa + len; a += PAGE)
		if (fake_vm__attributes(vm, a) & KVM_MEMORY_ATTRIBUTE_PRIVATE)
			return NULL;
	return (uint8_t *)(uintptr_t)s->userspace_addr + (gpa - s->guest_phys_addr);
}

static void guest_write(const struct obj *vm, const struct td *td, const struct td_op *op)
{
	uint8_t *p = shared_ptr(vm, td, op->gpa, op->len);

	if (!p)
		fake__die("TD step: write to %#llx, not shared RAM", (unsigned long long)op->gpa);
	memcpy(p, op->data, op->len);
}

/* Drops fake.lock while it waits, as a guest spinning on its buffer would. */
static void guest_wait(const struct obj *vm, const struct td *td, const struct td_op *op)
{
	struct timespec dl;
	const uint8_t *p;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += WAIT_S;
	while (td->pub.msis < op->nth)
		if (pthread_cond_timedwait(&tdx_msi, &fake.lock, &dl) == ETIMEDOUT)
			break;
	p = shared_ptr(vm, td, op->gpa, op->len);
	if (p && op->out)
		memcpy(op->out, p, op->len);
}

/* ---- TDVMCALLs ----------------------------------------------------------- */

static struct cvm_tdx_exit *tdx_exit(struct kvm_run *r, uint64_t nr)
{
	struct cvm_tdx_exit *t = kvm_run__tdx(r);

	r->exit_reason = KVM_EXIT_TDX;
	memset(t, 0, sizeof(*t));
	t->nr = nr;
	return t;
}

static void answer(struct fake_tdx_call *c, uint64_t r10, uint64_t r11)
{
	c->out_r10 = r10;
	c->out_r11 = r11;
	c->done = true;
}

/* The next MapGPA chunk as KVM_HC_MAP_GPA_RANGE (tdx.c 1219-1244). */
static void map_exit(struct td *td, struct td_vcpu *tv, struct kvm_run *r)
{
	uint64_t left = tv->map_end - tv->map_next;

	tv->map_chunk = left < MAP_GPA_CHUNK ? left : MAP_GPA_CHUNK;
	r->exit_reason = KVM_EXIT_HYPERCALL;
	memset(&r->hypercall, 0, sizeof(r->hypercall));
	r->hypercall.nr = KVM_HC_MAP_GPA_RANGE;
	r->hypercall.args[0] = tv->map_next & ~td->shared;
	r->hypercall.args[1] = tv->map_chunk / PAGE;
	r->hypercall.args[2] = tv->map_next & td->shared ? 0 : KVM_MAP_GPA_RANGE_ENCRYPTED;
	memcpy(&r->hypercall.longmode, &(uint64_t){ KVM_EXIT_HYPERCALL_LONG_MODE }, 8);
	tv->call->exited = true;
	tv->call->exits++;
}

static bool map_gpa(const struct obj *vm, struct td *td, struct td_vcpu *tv, struct kvm_run *r)
{
	struct fake_tdx_call *c = tv->call;
	uint64_t gpa = c->r12, size = c->r13, end = gpa + size, max = 1ull << td->pub.gpaw;

	if (!(vm->hypercall_exits & (1ull << KVM_HC_MAP_GPA_RANGE)))
		answer(c, TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED, gpa);
	else if (end <= gpa || gpa >= max || end > max || (gpa & td->shared) != ((end - 1) & td->shared))
		answer(c, TDVMCALL_STATUS_INVALID_OPERAND, gpa);
	else if ((gpa | size) & (PAGE - 1))
		answer(c, TDVMCALL_STATUS_ALIGN_ERROR, gpa);
	if (c->done)
		return false;
	tv->map_next = gpa;
	tv->map_end = end;
	map_exit(td, tv, r);
	return true;
}

/* The generic hypercall path for r10 != 0 (6.10, 2.9): ret goes back raw. */
static bool kvm_hypercall(const struct obj *vm, struct fake_tdx_call *c, struct kvm_run *r)
{
	uint64_t gpa = c->r11, pages = c->r12;

	if (c->r10 != KVM_HC_MAP_GPA_RANGE || !(vm->hypercall_exits & (1ull << KVM_HC_MAP_GPA_RANGE))) {
		answer(c, (uint64_t)-KVM_ENOSYS_, c->r11);
		return false;
	}
	if (gpa & (PAGE - 1) || !pages || pages > (UINT64_MAX - gpa) / PAGE) {
		answer(c, (uint64_t)-KVM_EINVAL_, c->r11);
		return false;
	}
	r->exit_reason = KVM_EXIT_HYPERCALL;
	memset(&r->hypercall, 0, sizeof(r->hypercall));
	r->hypercall.nr = c->r10;
	r->hypercall.args[0] = c->r11;
	r->hypercall.args[1] = c->r12;
	r->hypercall.args[2] = c->r13;
	memcpy(&r->hypercall.longmode, &(uint64_t){ KVM_EXIT_HYPERCALL_LONG_MODE }, 8);
	c->exited = true;
	c->exits++;
	return true;
}

static void fatal(struct fake_tdx_call *c, struct kvm_run *r)
{
	r->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	r->system_event.type = KVM_SYSTEM_EVENT_TDX_FATAL;
	r->system_event.ndata = 16;
	memcpy(r->system_event.data, c->regs, sizeof(c->regs));
	r->system_event.data[4] = r->system_event.data[5] = 0;  /* RSP, RBP */
	c->exited = true;
	c->exits++;
}

/* Starts the call on TV; true when it left for the VMM. */
static bool start_call(const struct obj *vm, struct td *td, struct td_vcpu *tv,
		       struct fake_tdx_call *c, struct kvm_run *r)
{
	struct cvm_tdx_exit *t;

	tv->call = c;
	if (c->r10)
		return kvm_hypercall(vm, c, r);
	switch (c->r11) {
	case TDVMCALL_MAP_GPA:
		return map_gpa(vm, td, tv, r);
	case TDVMCALL_REPORT_FATAL_ERROR:
		fatal(c, r);
		return true;
	case TDVMCALL_GET_TD_VM_CALL_INFO:
		if (c->r12 == 0) {
			answer(c, TDVMCALL_STATUS_SUCCESS, 0);
			return false;
		}
		if (c->r12 != 1) {
			answer(c, TDVMCALL_STATUS_INVALID_OPERAND, c->r11);
			return false;
		}
		t = tdx_exit(r, TDVMCALL_GET_TD_VM_CALL_INFO);
		t->get_tdvmcall_info.leaf = 1;
		t->get_tdvmcall_info.ret = TDVMCALL_STATUS_SUCCESS;
		break;
	case TDVMCALL_GET_QUOTE:
		if (!(c->r12 & td->shared)) {
			answer(c, TDVMCALL_STATUS_INVALID_OPERAND, c->r11);
			return false;
		}
		t = tdx_exit(r, TDVMCALL_GET_QUOTE);
		t->get_quote.ret = TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED;
		t->get_quote.gpa = c->r12 & ~td->shared;
		t->get_quote.size = c->r13;
		break;
	case TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT:
		if (c->r12 < 32 || c->r12 > 255) {
			answer(c, TDVMCALL_STATUS_INVALID_OPERAND, c->r11);
			return false;
		}
		t = tdx_exit(r, TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT);
		t->setup_event_notify.ret = TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED;
		t->setup_event_notify.vector = c->r12;
		break;
	default:
		answer(c, TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED, c->r11);
		return false;
	}
	c->exited = true;
	c->exits++;
	return true;
}

/* The VMM answered the exit of TV's call: 0 when the call is over, 1 when
 * it goes out again (the next MapGPA chunk), or -errno for KVM_RUN. */
static int complete(struct td *td, struct td_vcpu *tv, struct kvm_run *r)
{
	struct fake_tdx_call *c = tv->call;
	const struct cvm_tdx_exit *t = kvm_run__tdx(r);

	if (c->r10) {
		answer(c, r->hypercall.ret, c->r11);
	} else if (c->r11 == TDVMCALL_MAP_GPA) {
		switch (r->hypercall.ret) {
		case 0:
			tv->map_next += tv->map_chunk;
			if (tv->map_next == tv->map_end)
				break;
			map_exit(td, tv, r);
			return 1;
		case EAGAIN:
			answer(c, TDVMCALL_STATUS_RETRY, tv->map_next);
			return 0;
		case EINVAL:
			answer(c, TDVMCALL_STATUS_INVALID_OPERAND, tv->map_next);
			return 0;
		default:
			c->run_err = EINVAL;
			return -EINVAL;
		}
		answer(c, TDVMCALL_STATUS_SUCCESS, 0);
	} else if (c->r11 == TDVMCALL_GET_TD_VM_CALL_INFO) {
		answer(c, t->get_tdvmcall_info.ret, t->get_tdvmcall_info.r11);
		c->out_r12 = t->get_tdvmcall_info.r12;
		c->out_r13 = t->get_tdvmcall_info.r13;
		c->out_r14 = t->get_tdvmcall_info.r14;
	} else if (c->r11 == TDVMCALL_GET_QUOTE) {
		answer(c, t->get_quote.ret, c->r11);
	} else if (c->r11 == TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT) {
		answer(c, t->setup_event_notify.ret, c->r11);
	}
	return 0;
}

bool fake_tdx__run(struct obj *o, struct fake_vcpu *v, long *ret)
{
	struct td *td = o->vm->priv;
	struct td_vcpu *tv = &td->vcpus[o->id];
	struct kvm_run *r = (struct kvm_run *)o->view;
	uint32_t idx;

	*ret = 0;
	if (td->pub.state != TD_RUNNABLE || !tv->init) {
		*ret = -EINVAL;
		return true;
	}
	if (tv->call && !tv->call->done) {
		int c = complete(td, tv, r);

		if (c)
			*ret = c < 0 ? c : 0;
		if (c)
			return true;
	}
	tv->call = NULL;
	while (v->next < v->nsteps && v->steps[v->next]->run.exit_reason == FAKE_EXIT_TD) {
		struct td_op *op;

		memcpy(&idx, v->steps[v->next++]->data, sizeof(idx));
		op = &tdx_host.ops[idx];
		if (op->kind == OP_WRITE)
			guest_write(o->vm, td, op);
		else if (op->kind == OP_WAIT)
			guest_wait(o->vm, td, op);
		else if (start_call(o->vm, td, tv, &op->call, r))
			return true;
	}
	return false;
}

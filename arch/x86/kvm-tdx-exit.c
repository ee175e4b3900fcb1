/* The TDVMCALLs KVM hands a TD's VMM (KVM_EXIT_TDX, KERNEL-RULES 6.10),
 * each answered with an explicit status (KVM presets SUBFUNC_UNSUPPORTED
 * for GetQuote and SetupEventNotifyInterrupt, ERRATA row 17), and
 * ReportFatalError, which ends the VM with the guest's words.
 *
 * GetQuote is asynchronous as in QEMU: the vCPU returns at once with the
 * buffer marked in flight, a thread relays the TDREPORT to the QGS
 * (arch/x86/tdx-qgs.h), writes the quote back if the buffer is still shared
 * guest RAM, and raises the guest's event-notify vector.  Everything read
 * from the guest is copied once and checked before use. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "arch/x86/kvm-tdx.h"
#include "arch/x86/tdx-ghci.h"
#include "loader/error.h"
#include "vmm/sys.h"
#include "vmm/vm.h"

#define MSI_ADDR_BASE   0xfee00000u

struct tdx_quote {
	struct vm *vm;
	struct tdx_state *s;
	uint64_t gpa, size;             /* the guest's buffer */
	uint8_t *req;                   /* the framed request, copied at the exit */
	size_t req_len;
	int fd;                         /* the QGS socket while connected, else -1 */
	bool done;
	pthread_t thread;
};

/* The guest's event-notify vector, to the vCPU that asked for it. */
static void notify(struct vm *vm, struct tdx_state *s)
{
	struct kvm_msi m = { 0 };

	pthread_mutex_lock(&s->lock);
	m.address_lo = MSI_ADDR_BASE | (s->notify_apic & 0xff) << 12;
	m.address_hi = s->notify_apic & 0xffffff00u;
	m.data = s->notify_vector;     /* fixed delivery, edge */
	pthread_mutex_unlock(&s->lock);
	if (m.data)
		sys__ioctl(vm->kvm.vm_fd, KVM_SIGNAL_MSI, &m);
}

/* The quote, or the failure, into the guest's buffer if it is still there:
 * the guest may have taken the pages private meanwhile. */
static void complete(struct tdx_quote *q, uint64_t status, const uint8_t *quote, uint32_t len)
{
	uint8_t *buf = guest__ptr(&q->vm->mem, q->gpa, q->size);

	if (!buf)
		return;
	if (status == TDX_QUOTE_SUCCESS && len > q->size - TDX_QUOTE_HDR)
		status = TDX_QUOTE_ERROR;
	if (status == TDX_QUOTE_SUCCESS)
		memcpy(buf + TDX_QUOTE_HDR, quote, len);
	tdx_ghci__quote_put(buf, status, status == TDX_QUOTE_SUCCESS ? len : 0);
	notify(q->vm, q->s);
}

/* Connect, send, receive, check: the quote, or why not. */
static uint64_t exchange(struct tdx_quote *q, uint8_t **msg, const uint8_t **quote,
			 uint32_t *quote_len, char *why, size_t whylen)
{
	struct tdx_state *s = q->s;
	size_t msg_len;
	int fd = tdx_qgs__connect(&s->qgs, why, whylen);
	bool go, ok = false;

	if (fd < 0)
		return TDX_QUOTE_QGS_UNAVAILABLE;
	pthread_mutex_lock(&s->lock);
	go = !s->stopping;
	q->fd = go ? fd : -1;
	pthread_mutex_unlock(&s->lock);
	if (!go)
		snprintf(why, whylen, "the VM is stopping");
	else
		ok = tdx_qgs__exchange(fd, q->req, q->req_len,
				       q->size - TDX_QUOTE_HDR - QGS_PREFIX, msg, &msg_len, why,
				       whylen) == 0 &&
		     tdx_qgs__response(*msg, msg_len, quote, quote_len, why, whylen) == 0;
	pthread_mutex_lock(&s->lock);
	q->fd = -1;
	pthread_mutex_unlock(&s->lock);
	close(fd);
	return ok ? TDX_QUOTE_SUCCESS : TDX_QUOTE_ERROR;
}

static void *relay(void *arg)
{
	struct tdx_quote *q = arg;
	const uint8_t *quote = NULL;
	uint32_t quote_len = 0;
	uint8_t *msg = NULL;
	char why[160];
	uint64_t status = exchange(q, &msg, &quote, &quote_len, why, sizeof(why));
	bool stopping;

	pthread_mutex_lock(&q->s->lock);
	stopping = q->s->stopping;
	pthread_mutex_unlock(&q->s->lock);
	/* The guest sees a status; the host's log says why, unless the VM is
	 * ending and cut the relay short itself. */
	if (status != TDX_QUOTE_SUCCESS && !stopping)
		fprintf(stderr, "cvm-run: GetQuote at gpa %#llx: %s\n", (unsigned long long)q->gpa,
			why);
	complete(q, status, quote, quote_len);
	free(msg);
	pthread_mutex_lock(&q->s->lock);
	q->done = true;
	pthread_mutex_unlock(&q->s->lock);
	return NULL;
}

static void quote_free(struct tdx_quote *q)
{
	pthread_join(q->thread, NULL);
	free(q->req);
	free(q);
}

/* A free relay slot (finished relays are reaped), or -1.  Under s->lock. */
static int quote_slot(struct tdx_state *s)
{
	int free_slot = -1;

	for (int i = 0; i < TDX_MAX_QUOTES; i++) {
		if (s->quotes[i] && s->quotes[i]->done) {
			quote_free(s->quotes[i]);
			s->quotes[i] = NULL;
		}
		if (!s->quotes[i] && free_slot < 0)
			free_slot = i;
	}
	return free_slot;
}

static uint64_t start_relay(struct vcpu *v, uint64_t gpa, uint64_t size, uint8_t *buf,
			    const struct tdx_quote_hdr *h)
{
	struct tdx_state *s = v->vm->tee_state;
	struct tdx_quote *q = calloc(1, sizeof(*q));
	uint64_t ret = TDVMCALL_STATUS_SUCCESS;
	int slot;

	if (q)
		q->req = malloc(QGS_PREFIX + QGS_REQ_SIZE + h->in_len);
	if (!q || !q->req) {
		tdx_ghci__quote_put(buf, TDX_QUOTE_ERROR, 0);
		goto out;
	}
	q->vm = v->vm;
	q->s = s;
	q->gpa = gpa;
	q->size = size;
	q->fd = -1;
	/* The request is copied now: the guest may rewrite its buffer. */
	q->req_len = tdx_qgs__request(q->req, buf + TDX_QUOTE_HDR, h->in_len);
	pthread_mutex_lock(&s->lock);
	slot = s->stopping ? -1 : quote_slot(s);
	if (slot < 0) {
		ret = TDVMCALL_STATUS_RETRY;
	} else {
		tdx_ghci__quote_put(buf, TDX_QUOTE_IN_FLIGHT, 0);
		if (pthread_create(&q->thread, NULL, relay, q) == 0) {
			s->quotes[slot] = q;
			q = NULL;
		} else {
			tdx_ghci__quote_put(buf, TDX_QUOTE_ERROR, 0);
		}
	}
	pthread_mutex_unlock(&s->lock);
out:
	if (q)
		free(q->req);
	free(q);
	return ret;
}

/* GetQuote (GHCI 3.3; QEMU's checks): a shared buffer of whole pages, at
 * most 128 KiB, version 1, a request that fits.  The status answers the
 * TDVMCALL; the quote comes later through the buffer's header. */
static uint64_t get_quote(struct vcpu *v, uint64_t gpa, uint64_t size)
{
	struct tdx_state *s = v->vm->tee_state;
	uint8_t hdr[TDX_QUOTE_HDR] = { 0 }, *buf = NULL;
	struct tdx_quote_hdr h;
	uint64_t ret;

	/* Outside shared RAM the header reads as zeros: version 0, refused. */
	if (size >= TDX_QUOTE_HDR && size <= TDX_QUOTE_MAX)
		buf = guest__ptr(&v->vm->mem, gpa, size);
	if (buf)
		memcpy(hdr, buf, sizeof(hdr));
	ret = tdx_ghci__quote_request(gpa, size, hdr, &h);
	if (ret != TDVMCALL_STATUS_SUCCESS)
		return ret;
	if (!s->qgs.family) {
		tdx_ghci__quote_put(buf, TDX_QUOTE_QGS_UNAVAILABLE, 0);
		return TDVMCALL_STATUS_SUCCESS;
	}
	return start_relay(v, gpa, size, buf, &h);
}

void tdx__quotes_exit(struct tdx_state *s)
{
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	for (int i = 0; i < TDX_MAX_QUOTES; i++)
		if (s->quotes[i] && s->quotes[i]->fd >= 0)
			shutdown(s->quotes[i]->fd, SHUT_RDWR);
	pthread_mutex_unlock(&s->lock);
	for (int i = 0; i < TDX_MAX_QUOTES; i++) {
		if (s->quotes[i])
			quote_free(s->quotes[i]);
		s->quotes[i] = NULL;
	}
}

/* Leaf 1: the optional TDVMCALLs served, KVM's and ours (QEMU's answer). */
static void tdvmcall_info(const struct tdx_state *s, struct cvm_tdx_exit *t)
{
	const struct kvm_tdx_capabilities *c = s->caps;

	if (t->get_tdvmcall_info.leaf != 1) {
		t->get_tdvmcall_info.ret = TDVMCALL_STATUS_INVALID_OPERAND;
		return;
	}
	t->get_tdvmcall_info.r11 = (c->user_tdvmcallinfo_1_r11 &
				    TDVMCALLINFO_SETUP_EVENT_NOTIFY_INTERRUPT) |
				   c->kernel_tdvmcallinfo_1_r11;
	t->get_tdvmcall_info.r12 = c->kernel_tdvmcallinfo_1_r12;
	t->get_tdvmcall_info.r13 = 0;
	t->get_tdvmcall_info.r14 = 0;
	t->get_tdvmcall_info.ret = TDVMCALL_STATUS_SUCCESS;
}

static uint64_t setup_notify(struct vcpu *v, uint64_t vector)
{
	struct tdx_state *s = v->vm->tee_state;

	if (vector < 32 || vector > 255)
		return TDVMCALL_STATUS_INVALID_OPERAND;
	pthread_mutex_lock(&s->lock);
	s->notify_vector = (uint32_t)vector;
	s->notify_apic = v->id;         /* KVM's x2APIC id of vCPU N is N */
	pthread_mutex_unlock(&s->lock);
	return TDVMCALL_STATUS_SUCCESS;
}

bool tdx__handle_exit(struct vcpu *v, bool *more)
{
	struct kvm_run *r = v->run;
	struct cvm_tdx_exit *t = kvm_run__tdx(r);
	char line[200];

	*more = true;
	if (r->exit_reason == KVM_EXIT_SYSTEM_EVENT &&
	    r->system_event.type == KVM_SYSTEM_EVENT_TDX_FATAL) {
		uint32_t n = r->system_event.ndata;
		uint64_t regs[16];

		memcpy(regs, r->system_event.data, sizeof(regs));
		tdx_ghci__fatal(regs, n < 16 ? n : 16, line, sizeof(line));
		vm__stop(v->vm, CVM_EXIT_FAIL, "vCPU %u: %s", v->id, line);
		*more = false;
		return true;
	}
	if (r->exit_reason != KVM_EXIT_TDX)
		return false;
	switch (t->nr) {
	case TDVMCALL_GET_QUOTE:
		t->get_quote.ret = get_quote(v, t->get_quote.gpa, t->get_quote.size);
		return true;
	case TDVMCALL_GET_TD_VM_CALL_INFO:
		tdvmcall_info(v->vm->tee_state, t);
		return true;
	case TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT:
		t->setup_event_notify.ret = setup_notify(v, t->setup_event_notify.vector);
		return true;
	}
	vm__stop(v->vm, CVM_EXIT_FAIL, "vCPU %u: TDVMCALL %#llx that KVM hands over and cvm-run "
		 "does not know", v->id, (unsigned long long)t->nr);
	*more = false;
	return true;
}

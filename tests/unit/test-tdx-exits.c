/* A running TD under cvm-run against the fake TDX: MapGPA through the
 * conversion engine, GetQuote relayed to a fake QGS (and every way a guest
 * or a QGS can get it wrong), GetTdVmCallInfo, SetupEventNotifyInterrupt,
 * ReportFatalError and exits cvm-run does not know. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch/x86/kvm-abi.h"
#include "tests/unit/fake/fake-kvm.h"
#include "tests/unit/fake/fake-tdx.h"
#include "tests/unit/tdx-test.h"
#include "tests/unit/test.h"
#include "tests/unit/vm-test.h"

#define FW      "vectors/firmware/OVMF.inteltdx.ms.fd"
#define SHARED  (1ull << 47)
#define BUF     0x10000000ull           /* the guest's GetQuote buffer */
#define BUFLEN  0x2000ull
#define REPORT  1024
#define VECTOR  0x40

static struct vm_test t;

static void setup(void)
{
	tdx_test__setup(&t);
}

static void teardown(void)
{
	tdx_test__teardown(&t);
}

static int run_td(const char *qgs)
{
	fake__out(0, 0xf4, 0);
	if (qgs)
		return VM_TEST_RUN_BARE(&t, "--tee", "tdx", "--firmware", test__shared(FW), "-m", "1G",
					"--tdx-qgs", qgs);
	return VM_TEST_RUN_BARE(&t, "--tee", "tdx", "--firmware", test__shared(FW), "-m", "1G");
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

START_TEST(map_gpa_converts)
{
	struct fake_tdx_call *to_shared, *back, *hole, *raw;

	to_shared = fake_tdx__call(0, TDVMCALL_MAP_GPA, SHARED | 0x200000, 4ull << 20);
	hole = fake_tdx__call(0, TDVMCALL_MAP_GPA, SHARED | 0xc0000000, 4096);
	raw = fake_tdx__call(0, SHARED | 0x300000, 1, 0);      /* KVM_HC_MAP_GPA_RANGE */
	raw->r10 = KVM_HC_MAP_GPA_RANGE;
	back = fake_tdx__call(0, TDVMCALL_MAP_GPA, 0x400000, 2ull << 20);
	ck_assert_int_eq(run_td(NULL), 0);
	ck_assert_str_eq(t.err, "");
	ck_assert_uint_eq(to_shared->out_r10, TDVMCALL_STATUS_SUCCESS);
	ck_assert_uint_eq(to_shared->exits, 2);
	ck_assert_uint_eq(fake__attributes(0x1ff000), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	ck_assert_uint_eq(fake__attributes(0x200000), 0);
	ck_assert_uint_eq(fake__attributes(0x3ff000), 0);
	ck_assert_uint_eq(fake__attributes(0x400000), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	ck_assert_uint_eq(back->out_r10, TDVMCALL_STATUS_SUCCESS);
	ck_assert_uint_eq(fake__attributes(0x600000), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	/* Not RAM: EINVAL, which KVM makes INVALID_OPERAND at that GPA. */
	ck_assert_uint_eq(hole->out_r10, TDVMCALL_STATUS_INVALID_OPERAND);
	ck_assert_uint_eq(hole->out_r11, SHARED | 0xc0000000);
	/* The generic hypercall with the shared bit in its GPA: an alias, not
	 * RAM; the answer goes back raw. */
	ck_assert_uint_eq(raw->out_r10, EINVAL);
	ck_assert_uint_eq(fake__attributes(0x300000), 0);
}
END_TEST

/* The host short of memory: EAGAIN, which the guest sees as RETRY. */
START_TEST(map_gpa_retry)
{
	struct fake_tdx_call *c = fake_tdx__call(0, TDVMCALL_MAP_GPA, SHARED | 0x200000, 4096);

	/* RAM and firmware made private at launch, then the guest's. */
	fake__answer(KVM_SET_MEMORY_ATTRIBUTES, 2, -1, ENOMEM);
	ck_assert_int_eq(run_td(NULL), 0);
	ck_assert_uint_eq(c->out_r10, TDVMCALL_STATUS_RETRY);
	ck_assert_uint_eq(c->out_r11, SHARED | 0x200000);
}
END_TEST

START_TEST(info_and_notify)
{
	struct fake_tdx_call *info = fake_tdx__call(0, TDVMCALL_GET_TD_VM_CALL_INFO, 1, 0);
	struct fake_tdx_call *n = fake_tdx__call(0, TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT, 255, 0);

	ck_assert_int_eq(run_td(NULL), 0);
	ck_assert_uint_eq(info->out_r10, TDVMCALL_STATUS_SUCCESS);
	ck_assert_uint_eq(info->out_r11, TDVMCALLINFO_SETUP_EVENT_NOTIFY_INTERRUPT);
	ck_assert_uint_eq(info->out_r12, 0);
	ck_assert_uint_eq(n->out_r10, TDVMCALL_STATUS_SUCCESS);        /* not the preset */
}
END_TEST

/* ---- GetQuote ------------------------------------------------------------ */

enum qgs_mode { QGS_OK, QGS_BAD_VERSION, QGS_TOO_LONG, QGS_BAD_SIZE, QGS_CLOSE };

/* The fake QGS is a child process, so its sockets are not the VMM's fds. */
struct qgs {
	char dir[64], path[128];
	enum qgs_mode mode;
	uint8_t report[REPORT];
	bool request_ok;
	pid_t pid;
};

static int read_all(int fd, uint8_t *b, size_t n)
{
	while (n) {
		ssize_t r = read(fd, b, n);

		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One connection: the request checked byte by byte, then the answer; the
 * exit status says whether the request was right. */
static int qgs_serve(struct qgs *q, int fd)
{
	uint8_t in[4 + 24 + REPORT], out[4 + 24 + 64];
	uint32_t len = 24 + 64;
	int c = accept(fd, NULL, NULL), ok;

	if (c < 0)
		return 1;
	ok = read_all(c, in, sizeof(in)) == 0 && !memcmp(in, "\x00\x00\x04\x18", 4) &&
	     !memcmp(in + 4, "\x01\x00\x01\x00\x00\x00\x00\x00\x18\x04\x00\x00"
			     "\x00\x00\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00", 24) &&
	     !memcmp(in + 28, q->report, REPORT);
	if (q->mode != QGS_CLOSE) {
		memset(out, 0, sizeof(out));
		out[1] = q->mode == QGS_TOO_LONG ? 0x10 : 0;
		out[3] = (uint8_t)len;
		memcpy(out + 4, "\x01\x00\x01\x00\x01\x00\x00\x00", 8);
		if (q->mode == QGS_BAD_VERSION)
			out[6] = 2;
		out[12] = (uint8_t)len;
		out[24] = q->mode == QGS_BAD_SIZE ? 65 : 64;    /* quote size */
		for (int i = 0; i < 64; i++)
			out[28 + i] = (uint8_t)(0xc0 + i);
		ok &= write(c, out, sizeof(out)) == (ssize_t)sizeof(out);
	}
	close(c);
	return !ok;
}

static void qgs_start(struct qgs *q, enum qgs_mode mode)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	memset(q, 0, sizeof(*q));
	q->mode = mode;
	for (int i = 0; i < REPORT; i++)
		q->report[i] = (uint8_t)(i * 5 + 1);
	strcpy(q->dir, "/tmp/cvm-qgs-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(q->dir));
	snprintf(q->path, sizeof(q->path), "%s/qgs.sock", q->dir);
	strcpy(a.sun_path, q->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	q->pid = fork();
	ck_assert_int_ge(q->pid, 0);
	if (q->pid == 0) {
		alarm(30);
		_exit(qgs_serve(q, fd));
	}
	close(fd);
}

static void qgs_stop(struct qgs *q)
{
	int st;

	ck_assert_int_eq(waitpid(q->pid, &st, 0), q->pid);
	q->request_ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	unlink(q->path);
	rmdir(q->dir);
}

struct quote_run {
	uint8_t buf[24 + REPORT];               /* what the guest writes */
	uint8_t seen[24 + 64];                  /* what it reads back */
	struct fake_tdx_call *notify, *map, *quote;
};

/* The guest's side of GetQuote: a notify vector, the buffer made shared,
 * header and TDREPORT written, the call, the wait for the interrupt. */
static void script_quote(struct quote_run *r, const uint8_t *report, unsigned nth)
{
	memset(r, 0, sizeof(*r));
	r->buf[0] = 1;                          /* version */
	r->buf[17] = REPORT >> 8;               /* in_len */
	memcpy(r->buf + 24, report, REPORT);
	r->notify = fake_tdx__call(0, TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT, VECTOR, 0);
	r->map = fake_tdx__call(0, TDVMCALL_MAP_GPA, SHARED | BUF, BUFLEN);
	fake_tdx__write(0, SHARED | BUF, r->buf, sizeof(r->buf));
	r->quote = fake_tdx__call(0, TDVMCALL_GET_QUOTE, SHARED | BUF, BUFLEN);
	fake_tdx__wait_notify(0, nth, SHARED | BUF, r->seen, sizeof(r->seen));
}

START_TEST(quote_relayed)
{
	struct quote_run r;
	struct qgs q;

	qgs_start(&q, QGS_OK);
	script_quote(&r, q.report, 1);
	ck_assert_int_eq(run_td(q.path), 0);
	qgs_stop(&q);
	ck_assert_str_eq(t.err, "");
	ck_assert(q.request_ok);
	ck_assert_uint_eq(r.notify->out_r10, 0);
	ck_assert_uint_eq(r.map->out_r10, 0);
	ck_assert_uint_eq(r.quote->out_r10, 0);
	ck_assert_uint_eq(get_le(r.seen + 8, 8), 0);            /* status: success */
	ck_assert_uint_eq(get_le(r.seen + 20, 4), 64);          /* out_len */
	for (int i = 0; i < 64; i++)
		ck_assert_uint_eq(r.seen[24 + i], 0xc0 + i);
	ck_assert_uint_eq(fake_tdx__td()->msis, 1);
	ck_assert_uint_eq(fake_tdx__td()->msi_vector, VECTOR);
	ck_assert_uint_eq(fake_tdx__td()->msi_dest, 0);
}
END_TEST

/* A QGS that answers wrongly, or not at all: an error status in the
 * buffer, the interrupt, a line on stderr, and the TD runs on. */
START_TEST(quote_qgs_failures)
{
	static const struct {
		enum qgs_mode mode;
		const char *why;
	} cases[] = {
		{ QGS_BAD_VERSION, "QGS message version 1.2, expected 1.1" },
		{ QGS_TOO_LONG, "QGS answer of 1048664 bytes, room for 1 to 8164" },
		{ QGS_BAD_SIZE, "quote 65 bytes" },
		{ QGS_CLOSE, "QGS receive: connection closed" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct quote_run r;
		struct qgs q;

		if (i) {
			tdx_test__fresh_host();
		}
		qgs_start(&q, cases[i].mode);
		script_quote(&r, q.report, 1);
		ck_assert_int_eq(run_td(q.path), 0);
		qgs_stop(&q);
		ck_assert_uint_eq(r.quote->out_r10, 0);
		ck_assert_msg(get_le(r.seen + 8, 8) == 0x8000000000000000ull, "case %zu", i);
		ck_assert_uint_eq(get_le(r.seen + 20, 4), 0);
		ck_assert_msg(strstr(t.err, "cvm-run: GetQuote at gpa 0x10000000: ") &&
			      strstr(t.err, cases[i].why), "case %zu: %s", i, t.err);
		ck_assert_uint_eq(fake_tdx__td()->msis, 1);
	}
}
END_TEST

START_TEST(quote_without_qgs)
{
	struct quote_run r;
	uint8_t report[REPORT] = { 0 };

	/* Nobody listens there: unavailable, after the interrupt. */
	script_quote(&r, report, 1);
	ck_assert_int_eq(run_td("unix:/nonexistent/qgs.sock"), 0);
	ck_assert_uint_eq(get_le(r.seen + 8, 8), 0x8000000000000001ull);
	ck_assert_ptr_nonnull(strstr(t.err, "QGS unix:/nonexistent/qgs.sock: No such file"));

	/* No --tdx-qgs: unavailable at once, no interrupt. */
	tdx_test__fresh_host();
	script_quote(&r, report, 0);
	ck_assert_int_eq(run_td(NULL), 0);
	ck_assert_uint_eq(r.quote->out_r10, 0);
	ck_assert_uint_eq(get_le(r.seen + 8, 8), 0x8000000000000001ull);
	ck_assert_uint_eq(fake_tdx__td()->msis, 0);
	ck_assert_str_eq(t.err, "");
}
END_TEST

/* Hostile GetQuote arguments: each refused with the GHCI status, nothing
 * relayed (the QGS address leads nowhere, which would show in stderr). */
START_TEST(quote_hostile_arguments)
{
	static uint8_t v2[24] = { 2 }, big[24] = { 1, [17] = 0x20 };
	static const struct {
		uint64_t gpa, size;
		const uint8_t *hdr;
		uint64_t want;
	} cases[] = {
		{ SHARED | BUF, 0, NULL, TDVMCALL_STATUS_INVALID_OPERAND },
		{ SHARED | BUF, 0x1800, NULL, TDVMCALL_STATUS_ALIGN_ERROR },
		{ SHARED | (BUF + 8), BUFLEN, NULL, TDVMCALL_STATUS_ALIGN_ERROR },
		{ SHARED | BUF, 256 << 10, NULL, TDVMCALL_STATUS_INVALID_OPERAND },
		{ SHARED | BUF, BUFLEN, v2, TDVMCALL_STATUS_INVALID_OPERAND },
		{ SHARED | BUF, BUFLEN, big, TDVMCALL_STATUS_INVALID_OPERAND },     /* in_len */
		{ SHARED | 0x20000000, BUFLEN, NULL, TDVMCALL_STATUS_INVALID_OPERAND }, /* private */
		{ SHARED | 0xd0000000, BUFLEN, NULL, TDVMCALL_STATUS_INVALID_OPERAND }, /* hole */
		{ SHARED | (1ull << 46), BUFLEN, NULL, TDVMCALL_STATUS_INVALID_OPERAND },
		{ BUF, BUFLEN, NULL, TDVMCALL_STATUS_INVALID_OPERAND },  /* KVM: no shared bit */
		{ SHARED | (BUF + BUFLEN - 4096), UINT64_MAX & ~0xfffull, NULL,
		  TDVMCALL_STATUS_INVALID_OPERAND },
	};
	struct fake_tdx_call *c[sizeof(cases) / sizeof(cases[0])];

	fake_tdx__call(0, TDVMCALL_MAP_GPA, SHARED | BUF, BUFLEN);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].hdr)
			fake_tdx__write(0, SHARED | BUF, cases[i].hdr, 24);
		c[i] = fake_tdx__call(0, TDVMCALL_GET_QUOTE, cases[i].gpa, cases[i].size);
	}
	ck_assert_int_eq(run_td("/nonexistent/qgs.sock"), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(c[i]->done && c[i]->out_r10 == cases[i].want, "case %zu: %#llx", i,
			      (unsigned long long)c[i]->out_r10);
	ck_assert_str_eq(t.err, "");
}
END_TEST

/* ---- Endings ------------------------------------------------------------- */

START_TEST(fatal_error_is_reported)
{
	struct fake_tdx_call *f = fake_tdx__call(0, TDVMCALL_REPORT_FATAL_ERROR, 0, 0);

	f->regs[1] = 1u << 14 | 1u << 15;                       /* RCX: R14, R15 */
	f->regs[12] = 0x8000000000010000ull;                    /* code, GPA valid */
	f->regs[13] = 0x1234000;
	memcpy(&f->regs[14], "boot fai", 8);
	memcpy(&f->regs[15], "led\n\0\0\0\0", 8);
	ck_assert_int_eq(run_td(NULL), 1);
	ck_assert_str_eq(t.err, "cvm-run: vCPU 0: guest reported a fatal error: code "
				"0x8000000000010000, \"boot failed?\", gpa 0x1234000\n");
	ck_assert_uint_eq(fake__played(0), 1);                  /* the debug exit never ran */
}
END_TEST

START_TEST(unknown_exits_stop_the_vm)
{
	struct fake_step *s = fake__step(0, KVM_EXIT_TDX);

	kvm_run__tdx(&s->run)->nr = 0x10005;
	ck_assert_int_eq(run_td(NULL), 1);
	ck_assert_str_eq(t.err, "cvm-run: vCPU 0: TDVMCALL 0x10005 that KVM hands over and "
				"cvm-run does not know\n");
	tdx_test__fresh_host();
	s = fake__step(0, KVM_EXIT_SYSTEM_EVENT);
	s->run.system_event.type = KVM_SYSTEM_EVENT_TDX_FATAL;
	s->run.system_event.ndata = 3;
	ck_assert_int_eq(run_td(NULL), 1);
	ck_assert_str_eq(t.err, "cvm-run: vCPU 0: guest reported a fatal error (3 registers, "
				"expected 16)\n");
}
END_TEST

static Suite *tdx_exits_suite(void)
{
	Suite *s = suite_create("tdx-exits");
	TCase *tc = tcase_create("run");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, map_gpa_converts);
	tcase_add_test(tc, map_gpa_retry);
	tcase_add_test(tc, info_and_notify);
	tcase_add_test(tc, quote_relayed);
	tcase_add_test(tc, quote_qgs_failures);
	tcase_add_test(tc, quote_without_qgs);
	tcase_add_test(tc, quote_hostile_arguments);
	tcase_add_test(tc, fatal_error_is_reported);
	tcase_add_test(tc, unknown_exits_stop_the_vm);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(tdx_exits_suite)

/* The vCPU exit loop against the fake KVM: a hostile guest, every way a VM
 * ends, the timeout and --expect, and the COM1 interrupt line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "loader/error.h"
#include "tests/unit/boot-test.h"
#include "tests/unit/fake/fake-kvm.h"
#include "tests/unit/test.h"
#include "tests/unit/vm-test.h"

static struct vm_test t;

static void setup(void)
{
	fake__install();
	vm_test__init(&t);
}

static void teardown(void)
{
	vm_test__exit(&t);
	fake__uninstall();
}

static void expect_bytes(const uint8_t *p, uint8_t value, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(p[i] == value, "byte %zu is %#x, want %#x", i, p[i], value);
}

START_TEST(hostile_guest_does_not_bring_the_vmm_down)
{
	static const uint8_t mark[8] = { 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a };
	struct fake_step *overflow, *at_end, *port80, *wide, *string, *edge, *i8042, *mmio;
	uint32_t x = 12345;

	/* Data offsets outside the run area, or reaching past its end. */
	fake__io(0, true, 0x3f8, 1, 1, NULL)->run.io.data_offset = FAKE_RUN_SIZE;
	fake__io(0, false, 0x3f8, 1, 1, NULL)->run.io.data_offset = ~0ull - 1;
	fake__io(0, false, 0x3f8, 4, 2, NULL)->run.io.data_offset = FAKE_RUN_SIZE - 4;
	/* 4 x 0x40000001 bytes is 4 in 32-bit arithmetic. */
	overflow = fake__io(0, false, 0x80, 4, 0x40000001, NULL);
	memcpy(overflow->data, mark, sizeof(mark));
	overflow->data_len = sizeof(mark);
	/* The last bytes of the area: allowed. */
	at_end = fake__io(0, false, 0x80, 2, 1, mark);
	at_end->run.io.data_offset = FAKE_RUN_SIZE - 2;
	/* Reads of ports nobody claims float high, whatever the width. */
	port80 = fake__io(0, false, 0x80, 1, 1, mark);
	wide = fake__io(0, false, 0x1234, 4, 1, mark);
	string = fake__io(0, false, 0x2f8, 1, 8, mark);
	/* A 4-byte read at COM1's MSR: MSR, SCR, then past the UART. */
	edge = fake__io(0, false, 0x3fe, 4, 1, mark);
	i8042 = fake__io(0, false, 0x64, 1, 1, mark);
	mmio = fake__mmio(0, 0xfed00000, false, NULL, 4);
	memcpy(mmio->run.mmio.data, mark, sizeof(mark));
	fake__mmio(0, 0xfec00000, true, "\x01\x02\x03\x04", 4);
	/* Garbage to random ports, none of them an exit, reset or poweroff port. */
	for (int i = 0; i < 24; i++) {
		uint8_t data[4];
		uint16_t port;

		x = x * 1103515245 + 12345;
		port = x >> 16;
		if (port == 0xf4 || port == 0x64 || port == 0xcf9 || (port & ~1) == 0xb004)
			port ^= 0x100;
		memcpy(data, &x, sizeof(data));
		fake__io(0, i % 3 != 0, port, 1 << (i % 3), 1, data);
	}
	fake__out(0, 0xf4, 42);

	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), 42);
	ck_assert_str_eq(t.err, "");
	ck_assert_uint_eq(fake__played(0), 37);
	ck_assert_mem_eq(vm_test__io_reply(overflow), mark, sizeof(mark));
	expect_bytes(vm_test__io_reply(at_end), 0xff, 2);
	expect_bytes(vm_test__io_reply(port80), 0xff, 1);
	expect_bytes(vm_test__io_reply(wide), 0xff, 4);
	expect_bytes(vm_test__io_reply(string), 0xff, 8);
	ck_assert_uint_eq(vm_test__io_reply(edge)[0], 0xb0);            /* MSR: DCD DSR CTS */
	ck_assert_uint_eq(vm_test__io_reply(edge)[1], 0);               /* SCR */
	expect_bytes(vm_test__io_reply(edge) + 2, 0xff, 2);
	expect_bytes(vm_test__io_reply(i8042), 0, 1);                   /* an idle controller */
	ck_assert_ptr_nonnull(mmio->reply);
	expect_bytes(mmio->reply->mmio.data, 0xff, 4);
}
END_TEST

/* ---- How a VM ends ------------------------------------------------------- */

struct ending {
	const char *name;
	void (*script)(void);
	int status;
	const char *err;        /* what stderr holds after "cvm-run: ", "" = nothing */
};

static void fail_entry(void)
{
	fake__step(0, KVM_EXIT_FAIL_ENTRY)->run.fail_entry.hardware_entry_failure_reason = 0x80000021;
}

static void memory_fault(void)
{
	struct cvm_memory_fault_exit *mf =
		kvm_run__memory_fault(&fake__error(0, EFAULT, KVM_EXIT_MEMORY_FAULT)->run);

	mf->gpa = 0x12345000;
	mf->size = 0x1000;
	mf->flags = KVM_MEMORY_EXIT_FLAG_PRIVATE;
}

static void unknown_exit(void)
{
	fake__step(0, 0x7777);
}

static void triple_fault(void)
{
	fake__step(0, KVM_EXIT_SHUTDOWN);
}

static void system_event(uint32_t type, uint64_t data)
{
	struct fake_step *s = fake__step(0, KVM_EXIT_SYSTEM_EVENT);

	s->run.system_event.type = type;
	s->run.system_event.ndata = 1;
	s->run.system_event.data[0] = data;
}

static void event_shutdown(void)
{
	system_event(KVM_SYSTEM_EVENT_SHUTDOWN, 0);
}

static void event_reset(void)
{
	system_event(KVM_SYSTEM_EVENT_RESET, 0);
}

static void event_crash(void)
{
	system_event(KVM_SYSTEM_EVENT_CRASH, 0);
}

static void event_sev_term(void)
{
	system_event(KVM_SYSTEM_EVENT_SEV_TERM, 0x1234);
}

static void i8042_reset(void)
{
	fake__out(0, 0x64, 0xfe);
}

static void i8042_other_command(void)
{
	fake__out(0, 0x64, 0xaa);
	fake__out(0, 0xf4, 3);
}

static void cf9_reset(void)
{
	fake__out(0, 0xcf9, 6);
}

static void cf9_without_reset_bit(void)
{
	fake__out(0, 0xcf9, 2);
	fake__out(0, 0xf4, 3);
}

static void halt(void)
{
	fake__step(0, KVM_EXIT_HLT);
}

static void run_eio(void)
{
	fake__error(0, EIO, 0);
}

static void efault_without_fault_exit(void)
{
	fake__error(0, EFAULT, KVM_EXIT_IO);
}

static void interrupted(void)
{
	fake__error(0, EINTR, KVM_EXIT_INTR);
	fake__error(0, EAGAIN, 0);
	fake__step(0, KVM_EXIT_INTR);
	fake__out(0, 0xf4, 9);
}

/* Without a script change, stop_at() reads the entry state: RIP at the
 * PVH entry, which the kernel's bytes back. */
#define AT_ENTRY "at RIP 0x100010 (gpa 0x100010), code 73 7a 81 88 8f 96 9d a4 ab b2 b9 c0 c7 ce d5\n"

static const struct ending endings[] = {
	{ "fail entry", fail_entry, CVM_EXIT_FAIL,
	  "vCPU 0: entry failed, hardware reason 0x80000021 " AT_ENTRY },
	{ "memory fault", memory_fault, CVM_EXIT_FAIL,
	  "vCPU 0: memory fault at gpa 0x12345000 size 0x1000 (private access): plain VM does "
	  "not convert on faults\n" },
	{ "unknown exit", unknown_exit, CVM_EXIT_FAIL,
	  "vCPU 0: unhandled exit reason 30583 " AT_ENTRY },
	{ "triple fault", triple_fault, 0, "guest reset (triple fault on vCPU 0)\n" },
	{ "shutdown event", event_shutdown, 0, "guest powered off\n" },
	{ "reset event", event_reset, 0, "guest reset\n" },
	{ "crash event", event_crash, CVM_EXIT_FAIL, "guest system event 3 (crash)\n" },
	{ "SEV event on a plain VM", event_sev_term, CVM_EXIT_FAIL, "guest system event 6 (crash)\n" },
	{ "i8042 reset", i8042_reset, 0, "guest reset (i8042)\n" },
	{ "i8042 other command", i8042_other_command, 3, "" },
	{ "0xcf9 reset", cf9_reset, 0, "guest reset (port 0xcf9)\n" },
	{ "0xcf9 without reset", cf9_without_reset_bit, 3, "" },
	{ "halt", halt, 0, "vCPU 0 halted\n" },
	{ "KVM_RUN EIO", run_eio, CVM_EXIT_FAIL, "vCPU 0: KVM_RUN: Input/output error " AT_ENTRY },
	{ "KVM_RUN EFAULT", efault_without_fault_exit, CVM_EXIT_FAIL,
	  "vCPU 0: KVM_RUN: Bad address " AT_ENTRY },
	{ "EINTR and EAGAIN retried", interrupted, 9, "" },
};

START_TEST(each_ending)
{
	const struct ending *e = &endings[_i];
	char want[512];

	e->script();
	snprintf(want, sizeof(want), "%s%s", *e->err ? "cvm-run: " : "", e->err);
	ck_assert_msg(VM_TEST_RUN(&t, "-m", "64M") == e->status, "%s: status %d, want %d", e->name,
		      t.status, e->status);
	ck_assert_msg(!strcmp(t.err, want), "%s: stderr '%s', want '%s'", e->name, t.err, want);
}
END_TEST

/* Where the guest stopped comes from KVM_GET_REGS, KVM_GET_SREGS and
 * KVM_TRANSLATE: here they point into the kernel image, at offset 0x234. */
START_TEST(internal_error_names_rip_and_code)
{
	struct fake_step *s = fake__step(0, KVM_EXIT_INTERNAL_ERROR);
	const struct kvm_translation *tr;
	char want[256];
	int n;

	s->run.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	s->has_regs = true;
	s->regs.rip = 0x234;
	s->has_sregs = true;
	s->sregs.cs.base = 0xffff0000;
	s->has_xlate = true;
	s->xlate.physical_address = 0x100234;
	s->xlate.valid = 1;
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), CVM_EXIT_FAIL);
	n = snprintf(want, sizeof(want),
		     "cvm-run: vCPU 0: KVM internal error, suberror 1 at RIP 0x234 (gpa 0x100234), code");
	for (int i = 0; i < 15; i++)
		n += snprintf(want + n, sizeof(want) - n, " %02x", t.image[0x234 + i]);
	snprintf(want + n, sizeof(want) - n, "\n");
	ck_assert_str_eq(t.err, want);
	tr = vm_test__arg(0, KVM_TRANSLATE, 0);
	ck_assert_uint_eq(tr->linear_address, 0xffff0234);
}
END_TEST

/* No code bytes from outside RAM or from a failed translation; never
 * past the end of the page. */
START_TEST(internal_error_code_stays_in_ram_and_page)
{
	static const struct {
		uint64_t gpa;
		uint8_t valid;
		const char *tail;
	} cases[] = {
		{ 0xfee00000, 1, "at RIP 0x1\n" },
		{ 0x100000, 0, "at RIP 0x1\n" },
		{ 0x101ffd, 1, "at RIP 0x1 (gpa 0x101ffd), code 00 00 00\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_step *s;
		char want[128];

		fake__uninstall();
		fake__install();
		s = fake__step(0, KVM_EXIT_INTERNAL_ERROR);
		s->has_regs = true;
		s->regs.rip = 1;
		s->has_xlate = true;
		s->xlate.physical_address = cases[i].gpa;
		s->xlate.valid = cases[i].valid;
		ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), CVM_EXIT_FAIL);
		snprintf(want, sizeof(want), "cvm-run: vCPU 0: KVM internal error, suberror 0 %s",
			 cases[i].tail);
		ck_assert_str_eq(t.err, want);
	}
}
END_TEST

/* Without private memory a MAP_GPA_RANGE request (or any other) is refused
 * with EINVAL, the only refusal KVM passes on (ERRATA row 5), whatever
 * the host's attributes: the plain VM has none. */
START_TEST(hypercalls_get_an_answer)
{
	struct fake_step *map, *other;

	map = fake__step(0, KVM_EXIT_HYPERCALL);
	map->run.hypercall.nr = KVM_HC_MAP_GPA_RANGE;
	map->run.hypercall.args[0] = 0x200000;
	map->run.hypercall.args[1] = 16;
	map->run.hypercall.args[2] = KVM_MAP_GPA_RANGE_ENCRYPTED;
	other = fake__step(0, KVM_EXIT_HYPERCALL);
	other->run.hypercall.nr = 99;
	fake__out(0, 0xf4, 5);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), 5);
	ck_assert_ptr_nonnull(map->reply);
	ck_assert_uint_eq(map->reply->hypercall.ret, EINVAL);
	ck_assert_ptr_nonnull(other->reply);
	ck_assert_uint_eq(other->reply->hypercall.ret, EINVAL);

	fake__uninstall();
	fake__install();
	fake__set_cap(KVM_CAP_MEMORY_ATTRIBUTES, KVM_MEMORY_ATTRIBUTE_PRIVATE);
	map = fake__step(0, KVM_EXIT_HYPERCALL);
	map->run.hypercall.nr = KVM_HC_MAP_GPA_RANGE;
	fake__out(0, 0xf4, 5);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), 5);
	ck_assert_uint_eq(map->reply->hypercall.ret, EINVAL);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_SET_MEMORY_ATTRIBUTES), 0);
}
END_TEST

/* ---- Timeout and --expect ------------------------------------------------ */

START_TEST(timeout_ends_a_guest_that_never_exits)
{
	fake__block(0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M", "--timeout", "0.2"), CVM_EXIT_TIMEOUT);
	ck_assert_str_eq(t.err, "cvm-run: timeout after 0.2 s\n");
	ck_assert(t.seconds >= 0.2);
	ck_assert(t.seconds < 3);
	ck_assert_uint_eq(fake__played(0), 1);
	ck_assert_uint_eq(fake__count(0, KVM_RUN), 1);
	ck_assert_int_eq(fake__find(0, KVM_RUN, 0)->err, EINTR);
}
END_TEST

START_TEST(expect_match_ends_the_vm)
{
	fake__io(0, true, 0x3f8, 1, 12, "hello world\n");
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M", "--timeout", "20", "--expect", "w.r"), 0);
	ck_assert_str_eq(t.err, "");
	ck_assert_str_eq(t.out, "hello world\n");
	ck_assert(t.seconds < 10);
}
END_TEST

START_TEST(expect_without_match_times_out)
{
	fake__io(0, true, 0x3f8, 1, 12, "hello world\n");
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M", "--timeout", "0.2", "--expect", "^world"),
			 CVM_EXIT_TIMEOUT);
	ck_assert_str_eq(t.out, "hello world\n");
}
END_TEST

/* Console output that cannot be written fails the run, said once. */
START_TEST(console_write_error_fails_the_run)
{
	fake__io(0, true, 0x3f8, 1, 6, "hello\n");
	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M", "--console", "file:/dev/full"), CVM_EXIT_FAIL);
	ck_assert_str_eq(t.err, "cvm-run: console: writing to /dev/full: No space left on device\n");
}
END_TEST

/* More RAM than one memslot takes is bad input before any plan is built or
 * KVM asked, whatever boots (vmm/memory.c). */
START_TEST(ram_beyond_a_memslot_is_bad_input)
{
	static const char *const want = "cvm-run: memory: 0x100000000000 bytes put 0xfff40000000 "
					"in one memslot, more than KVM's limit of 0x7fffffff "
					"pages\n";

	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "16T"), CVM_EXIT_BADINPUT);
	ck_assert_str_eq(t.err, want);
	ck_assert_int_eq(VM_TEST_RUN_BARE(&t, "--firmware", t.kernel, "-m", "16T"),
			 CVM_EXIT_BADINPUT);
	ck_assert_str_eq(t.err, want);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VM), 0);
}
END_TEST

/* A host that cannot run the VM leaves the console file as it was: the
 * file is opened only once set-up has succeeded. */
START_TEST(failed_start_keeps_the_console_file)
{
	char *file = boot_test__file("keep", 4, 4), console[300], got[8] = { 0 };
	FILE *f;

	snprintf(console, sizeof(console), "file:%s", file);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M", "--tee", "sw-protected", "--console", console), 3);
	f = fopen(file, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(got, 1, sizeof(got), f), 4);
	fclose(f);
	ck_assert_str_eq(got, "keep");
	boot_test__remove(file);
}
END_TEST

/* A smoke test must not pass a guest that died before its marker: any end
 * of the guest before --expect matched is status 125, with the reason; the
 * guest's own debug-exit byte still wins; after a match the end is 0. */
START_TEST(expect_unmatched_end_is_a_failure)
{
	static const struct {
		void (*script)(void);
		const char *err;
	} ends[] = {
		{ halt, "vCPU 0 halted before --expect matched" },
		{ triple_fault, "guest reset (triple fault on vCPU 0) before --expect matched" },
		{ event_shutdown, "guest powered off before --expect matched" },
		{ event_reset, "guest reset before --expect matched" },
		{ i8042_reset, "guest reset (i8042) before --expect matched" },
		{ cf9_reset, "guest reset (port 0xcf9) before --expect matched" },
	};
	char want[256];

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		fake__uninstall();
		fake__install();
		fake__io(0, true, 0x3f8, 1, 6, "hello\n");
		ends[i].script();
		ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M", "--expect", "world"), CVM_EXIT_NOMATCH);
		snprintf(want, sizeof(want), "cvm-run: %s\n", ends[i].err);
		ck_assert_str_eq(t.err, want);
	}
	fake__uninstall();
	fake__install();
	fake__out(0, 0xf4, 3);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M", "--expect", "world"), 3);
	fake__uninstall();
	fake__install();
	fake__io(0, true, 0x3f8, 1, 6, "world\n");
	triple_fault();
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M", "--expect", "world"), 0);
	ck_assert_str_eq(t.err, "");
}
END_TEST

/* ---- COM1's interrupt ---------------------------------------------------- */

/* The levels given to KVM_IRQ_LINE between KVM_RUN number FROM and the
 * next one on vCPU 0, as a string of '0'/'1' (all of them: FROM < 0). */
static void irq_levels(int from, char *buf)
{
	size_t n;
	const struct fake_call *c = fake__calls(&n);
	int runs = 0;

	for (size_t i = 0; i < n; i++) {
		if (c[i].op == FAKE_IOCTL && c[i].req == KVM_RUN)
			runs++;
		if (c[i].op != FAKE_IOCTL || c[i].req != KVM_IRQ_LINE ||
		    (from >= 0 && runs != from + 1))
			continue;
		ck_assert_uint_eq(((const struct kvm_irq_level *)c[i].data)->irq, 4);
		*buf++ = '0' + ((const struct kvm_irq_level *)c[i].data)->level;
	}
	*buf = 0;
}

START_TEST(uart_thr_write_raises_irq4)
{
	char levels[32];

	fake__out(0, 0x3fc, 0x08);      /* MCR: OUT2 */
	fake__out(0, 0x3f9, 0x02);      /* IER: THRI, raises at once: THR is empty */
	fake__out(0, 0x3f8, 'x');       /* THR: the line drops, and rises again */
	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), 0);
	ck_assert_str_eq(t.out, "x");
	irq_levels(-1, levels);
	ck_assert_str_eq(levels, "101");
	irq_levels(1, levels);
	ck_assert_str_eq(levels, "1");
	irq_levels(2, levels);
	ck_assert_str_eq(levels, "01");
}
END_TEST

START_TEST(uart_without_out2_raises_nothing)
{
	char levels[32];

	fake__out(0, 0x3f9, 0x02);
	fake__out(0, 0x3f8, 'x');
	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "-m", "64M"), 0);
	irq_levels(-1, levels);
	ck_assert_str_eq(levels, "");
}
END_TEST

static Suite *vm_exits_suite(void)
{
	Suite *s = suite_create("vm-exits");
	TCase *guest = tcase_create("guest"), *end = tcase_create("end");

	tcase_add_checked_fixture(guest, setup, teardown);
	tcase_add_test(guest, hostile_guest_does_not_bring_the_vmm_down);
	tcase_add_test(guest, hypercalls_get_an_answer);
	tcase_add_test(guest, uart_thr_write_raises_irq4);
	tcase_add_test(guest, uart_without_out2_raises_nothing);
	suite_add_tcase(s, guest);
	tcase_add_checked_fixture(end, setup, teardown);
	tcase_add_loop_test(end, each_ending, 0, sizeof(endings) / sizeof(endings[0]));
	tcase_add_test(end, internal_error_names_rip_and_code);
	tcase_add_test(end, internal_error_code_stays_in_ram_and_page);
	tcase_add_test(end, timeout_ends_a_guest_that_never_exits);
	tcase_add_test(end, expect_match_ends_the_vm);
	tcase_add_test(end, expect_without_match_times_out);
	tcase_add_test(end, expect_unmatched_end_is_a_failure);
	tcase_add_test(end, console_write_error_fails_the_run);
	tcase_add_test(end, failed_start_keeps_the_console_file);
	tcase_add_test(end, ram_beyond_a_memslot_is_bad_input);
	suite_add_tcase(s, end);
	return s;
}

TEST_SUITE(vm_exits_suite)

/* --tee sw-protected against the fake kernel: where RAM lives, the
 * conversion engine's answers and every refusal path, memory faults, host
 * checks, and that device models never read a private page. */
#include <errno.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "loader/error.h"
#include "tests/unit/fake/fake-kvm.h"
#include "tests/unit/test.h"
#include "tests/unit/vm-test.h"
#include "vmm/config.h"

#define PAGE 4096ull
#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define PRIVATE KVM_MEMORY_ATTRIBUTE_PRIVATE
#define PUNCH (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)

static struct vm_test t;

static void setup(void)
{
	fake__install();
	fake__host_sw_protected();
	vm_test__init(&t);
}

static void teardown(void)
{
	vm_test__exit(&t);
	fake__uninstall();
}

static struct fake_step *map_on(unsigned vcpu, uint64_t gpa, uint64_t pages, uint64_t attrs)
{
	struct fake_step *s = fake__step(vcpu, KVM_EXIT_HYPERCALL);

	s->run.hypercall.nr = KVM_HC_MAP_GPA_RANGE;
	s->run.hypercall.args[0] = gpa;
	s->run.hypercall.args[1] = pages;
	s->run.hypercall.args[2] = attrs;
	return s;
}

static struct fake_step *map_gpa(uint64_t gpa, uint64_t pages, uint64_t attrs)
{
	return map_on(0, gpa, pages, attrs);
}

static uint64_t answer(const struct fake_step *s)
{
	ck_assert_ptr_nonnull(s->reply);
	return s->reply->hypercall.ret;
}

/* The NTH hole punch on a fd of KIND. */
static const struct fake_call *punch(enum fake_kind kind, unsigned nth)
{
	size_t n;
	const struct fake_call *c = fake__calls(&n);

	for (size_t i = 0; i < n; i++)
		if (c[i].op == FAKE_FALLOCATE && c[i].kind == kind && nth-- == 0)
			return &c[i];
	return NULL;
}

static unsigned punches(void)
{
	unsigned n = 0;

	while (punch(FAKE_REAL, n))
		n++;
	for (unsigned i = 0; punch(FAKE_GMEM, i); i++)
		n++;
	return n;
}

START_TEST(ram_is_private_gmem_beside_a_shared_memfd)
{
	const struct kvm_create_guest_memfd *g;
	const struct kvm_userspace_memory_region2 *r;
	size_t n;
	const struct fake_call *c;
	bool shared_map = false;

	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "--tee", "sw-protected", "-m", "64M"), 0);
	ck_assert_uint_eq(fake__find(FAKE_ANY, KVM_CREATE_VM, 0)->arg, KVM_X86_SW_PROTECTED_VM);
	g = vm_test__arg(FAKE_ANY, KVM_CREATE_GUEST_MEMFD, 0);
	ck_assert_uint_eq(g->flags, 0);         /* not MMAP: ERRATA row 2 */
	ck_assert_uint_eq(g->size, 64 * MIB);
	r = vm_test__arg(FAKE_ANY, KVM_SET_USER_MEMORY_REGION2, 0);
	ck_assert_uint_eq(r->flags, KVM_MEM_GUEST_MEMFD);
	ck_assert_uint_eq(r->guest_memfd, fake__find(FAKE_ANY, KVM_CREATE_GUEST_MEMFD, 0)->ret);
	/* The shared side is a memfd the VMM maps, not the guest_memfd. */
	c = fake__calls(&n);
	for (size_t i = 0; i < n; i++)
		if (c[i].op == FAKE_MMAP && c[i].kind == FAKE_REAL && c[i].addr == r->userspace_addr &&
		    c[i].arg == 64 * MIB && (c[i].flags & MAP_SHARED))
			shared_map = true;
	ck_assert(shared_map);
	/* Memory starts shared: no attribute is set until the guest asks. */
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_SET_MEMORY_ATTRIBUTES), 0);
	ck_assert_uint_eq(fake__attributes(0x100000), 0);
	/* A confidential guest's irqchip has no PIT. */
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_IRQCHIP), 1);
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_PIT2), 0);
}
END_TEST

/* The payload is loaded into shared memory: the code bytes a failing
 * vCPU reports are read from there.  Once the guest makes that page
 * private, the VMM no longer reads it. */
START_TEST(payload_is_shared_and_private_pages_are_never_read)
{
	fake__step(0, KVM_EXIT_FAIL_ENTRY);
	ck_assert_int_eq(VM_TEST_RUN(&t, "--tee", "sw-protected", "-m", "64M"), CVM_EXIT_FAIL);
	ck_assert_ptr_nonnull(strstr(t.err, "(gpa 0x100010), code 73 7a 81"));

	fake__uninstall();
	fake__install();
	fake__host_sw_protected();
	map_gpa(0x100000, 1, KVM_MAP_GPA_RANGE_ENCRYPTED);
	fake__step(0, KVM_EXIT_FAIL_ENTRY);
	ck_assert_int_eq(VM_TEST_RUN(&t, "--tee", "sw-protected", "-m", "64M"), CVM_EXIT_FAIL);
	ck_assert_str_eq(t.err, "cvm-run: vCPU 0: entry failed, hardware reason 0 at RIP 0x100010\n");
}
END_TEST

START_TEST(conversions_set_attributes_and_drop_the_side_left)
{
	const struct kvm_memory_attributes *a;
	const struct fake_call *p;
	struct fake_step *to_private, *to_shared, *again;

	to_private = map_gpa(0x200000, 16, KVM_MAP_GPA_RANGE_ENCRYPTED);
	to_shared = map_gpa(0x204000, 8, KVM_MAP_GPA_RANGE_DECRYPTED);
	/* A 2 MiB page-size hint changes nothing but is accepted. */
	again = map_gpa(0x400000, 512, KVM_MAP_GPA_RANGE_ENCRYPTED | KVM_MAP_GPA_RANGE_PAGE_SZ_2M);
	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "--tee", "sw-protected", "-m", "64M"), 0);
	ck_assert_uint_eq(answer(to_private), 0);
	ck_assert_uint_eq(answer(to_shared), 0);
	ck_assert_uint_eq(answer(again), 0);

	a = vm_test__arg(FAKE_ANY, KVM_SET_MEMORY_ATTRIBUTES, 0);
	ck_assert_uint_eq(a->address, 0x200000);
	ck_assert_uint_eq(a->size, 16 * PAGE);
	ck_assert_uint_eq(a->attributes, PRIVATE);
	a = vm_test__arg(FAKE_ANY, KVM_SET_MEMORY_ATTRIBUTES, 1);
	ck_assert_uint_eq(a->address, 0x204000);
	ck_assert_uint_eq(a->attributes, 0);
	ck_assert_uint_eq(fake__attributes(0x200000), PRIVATE);
	ck_assert_uint_eq(fake__attributes(0x203000), PRIVATE);
	ck_assert_uint_eq(fake__attributes(0x204000), 0);
	ck_assert_uint_eq(fake__attributes(0x20b000), 0);
	ck_assert_uint_eq(fake__attributes(0x20c000), PRIVATE);
	ck_assert_uint_eq(fake__attributes(0x5ff000), PRIVATE);
	ck_assert_uint_eq(fake__attributes(0x600000), 0);

	/* Shared -> private gives the shared memfd's pages back ... */
	p = punch(FAKE_REAL, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->flags, PUNCH);
	ck_assert_uint_eq(p->arg, 0x200000);            /* the offset: RAM starts at 0 */
	ck_assert_uint_eq(p->addr, 16 * PAGE);
	ck_assert_int_eq(p->ret, 0);
	/* ... and private -> shared the guest_memfd's, so no data survives. */
	p = punch(FAKE_GMEM, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->flags, PUNCH);
	ck_assert_uint_eq(p->arg, 0x204000);
	ck_assert_uint_eq(p->addr, 8 * PAGE);
	ck_assert_int_eq(p->ret, 0);
	ck_assert_ptr_nonnull(punch(FAKE_REAL, 1));
	ck_assert_ptr_null(punch(FAKE_REAL, 2));
	ck_assert_ptr_null(punch(FAKE_GMEM, 1));
}
END_TEST

/* Above the MMIO hole the guest_memfd offset is not the GPA. */
START_TEST(offsets_follow_the_slot)
{
	struct fake_step *high = map_gpa(4 * GIB + 0x10000, 2, KVM_MAP_GPA_RANGE_ENCRYPTED);
	struct fake_step *back = map_gpa(4 * GIB + 0x10000, 2, 0);

	fake__out(0, 0xf4, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "--tee", "sw-protected", "-m", "3200M"), 0);
	ck_assert_uint_eq(answer(high), 0);
	ck_assert_uint_eq(answer(back), 0);
	ck_assert_uint_eq(punch(FAKE_REAL, 0)->arg, 3 * GIB + 0x10000);
	ck_assert_uint_eq(punch(FAKE_GMEM, 0)->arg, 3 * GIB + 0x10000);
}
END_TEST

/* Every request the engine must refuse: EINVAL, nothing touched. */
START_TEST(refusals)
{
	static const struct {
		const char *what;
		uint64_t gpa, pages, attrs;
	} bad[] = {
		{ "unaligned", 0x200001, 1, KVM_MAP_GPA_RANGE_ENCRYPTED },
		{ "no pages", 0x200000, 0, KVM_MAP_GPA_RANGE_ENCRYPTED },
		{ "past RAM", 3 * GIB + 200 * MIB, 1, KVM_MAP_GPA_RANGE_ENCRYPTED },
		{ "straddles RAM's end", 3 * GIB + 100 * MIB - PAGE, 2, 0 },
		{ "in the MMIO hole", 0xfec00000, 1, KVM_MAP_GPA_RANGE_ENCRYPTED },
		{ "across the hole", 3 * GIB - PAGE, (GIB + 2 * PAGE) / PAGE, KVM_MAP_GPA_RANGE_ENCRYPTED },
		{ "wraps", ~0ull - PAGE + 1, 2, KVM_MAP_GPA_RANGE_ENCRYPTED },
		{ "page count overflows", 0, 1ull << 60, KVM_MAP_GPA_RANGE_ENCRYPTED },
		{ "unknown attribute bits", 0x200000, 1, 1 << 5 },
		{ "other hypercall", 0, 0, 0 },
	};
	struct fake_step *s[sizeof(bad) / sizeof(bad[0])];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		s[i] = map_gpa(bad[i].gpa, bad[i].pages, bad[i].attrs);
	s[sizeof(bad) / sizeof(bad[0]) - 1]->run.hypercall.nr = 99;
	fake__out(0, 0xf4, 7);
	/* 3.1 GiB: RAM below the hole and 100 MiB above 4 GiB. */
	ck_assert_int_eq(VM_TEST_RUN(&t, "--tee", "sw-protected", "-m", "3172M"), 7);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(answer(s[i]) == EINVAL, "%s: answered %llu", bad[i].what,
			      (unsigned long long)answer(s[i]));
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_SET_MEMORY_ATTRIBUTES), 0);
	ck_assert_uint_eq(punches(), 0);
}
END_TEST

/* KVM running short is worth a retry; anything else is a refusal; either
 * way nothing is punched and KVM's view is unchanged. */
START_TEST(kvm_failures)
{
	struct fake_step *nomem, *fault;

	nomem = map_gpa(0x200000, 1, KVM_MAP_GPA_RANGE_ENCRYPTED);
	fault = map_gpa(0x200000, 1, KVM_MAP_GPA_RANGE_ENCRYPTED);
	fake__out(0, 0xf4, 0);
	fake__answer(KVM_SET_MEMORY_ATTRIBUTES, 0, 0, ENOMEM);
	fake__answer(KVM_SET_MEMORY_ATTRIBUTES, 0, 0, EFAULT);
	ck_assert_int_eq(VM_TEST_RUN(&t, "--tee", "sw-protected", "-m", "64M"), 0);
	ck_assert_uint_eq(answer(nomem), EAGAIN);
	ck_assert_uint_eq(answer(fault), EAGAIN);       /* the first answer stays scripted */
	ck_assert_uint_eq(punches(), 0);
	ck_assert_uint_eq(fake__attributes(0x200000), 0);

	fake__uninstall();
	fake__install();
	fake__host_sw_protected();
	fault = map_gpa(0x200000, 1, KVM_MAP_GPA_RANGE_ENCRYPTED);
	fake__out(0, 0xf4, 0);
	fake__answer(KVM_SET_MEMORY_ATTRIBUTES, 0, 0, EFAULT);
	ck_assert_int_eq(VM_TEST_RUN(&t, "--tee", "sw-protected", "-m", "64M"), 0);
	ck_assert_uint_eq(answer(fault), EINVAL);
	ck_assert_uint_eq(punches(), 0);
}
END_TEST

/* A software-protected VM does not convert on faults: the VM stops with
 * the GPA and the direction. */
START_TEST(memory_fault_stops_the_vm)
{
	struct cvm_memory_fault_exit *mf =
		kvm_run__memory_fault(&fake__error(0, EFAULT, KVM_EXIT_MEMORY_FAULT)->run);

	mf->gpa = 0x7000000;
	mf->size = PAGE;
	mf->flags = KVM_MEMORY_EXIT_FLAG_PRIVATE;
	ck_assert_int_eq(VM_TEST_RUN(&t, "--tee", "sw-protected", "-m", "64M"), CVM_EXIT_FAIL);
	ck_assert_str_eq(t.err, "cvm-run: vCPU 0: memory fault at gpa 0x7000000 size 0x1000 "
		"(private access): software-protected VM does not convert on faults\n");
}
END_TEST

/* Four vCPUs converting at once, racing for real: every request handled
 * is answered 0 and leaves KVM's attributes as it asked. */
START_TEST(vcpus_convert_concurrently)
{
	struct fake_step *s[4][8];

	for (unsigned v = 0; v < 4; v++)
		for (unsigned i = 0; i < 8; i++) {
			s[v][i] = map_on(v, 0x1000000 + (v * 8 + i) * 0x10000, 16,
					 i % 2 ? 0 : KVM_MAP_GPA_RANGE_ENCRYPTED);
		}
	/* The end comes once all four are inside KVM_RUN: the others have
	 * then played out their scripts or are playing them. */
	fake__out(0, 0xf4, 0)->wait_running = 4;
	ck_assert_int_eq(VM_TEST_RUN(&t, "--tee", "sw-protected", "-m", "64M", "-c", "4"), 0);
	ck_assert_uint_eq(fake__played(0), 9);
	for (unsigned v = 0; v < 4; v++)
		for (unsigned i = 0; i < 8 && i < fake__played(v); i++) {
			uint64_t gpa = s[v][i]->run.hypercall.args[0];

			ck_assert_uint_eq(answer(s[v][i]), 0);
			ck_assert_uint_eq(fake__attributes(gpa), i % 2 ? 0 : PRIVATE);
			ck_assert_uint_eq(fake__attributes(gpa + 15 * PAGE), i % 2 ? 0 : PRIVATE);
		}
}
END_TEST

/* What the host lacks ends the run with status 3 and the reason, before
 * any VM of the type exists beyond the probe. */
START_TEST(host_checks)
{
	fake__uninstall();
	fake__install();
	ck_assert_int_eq(VM_TEST_RUN(&t, "--tee", "sw-protected"), CVM_EXIT_NOHOST);
	ck_assert_str_eq(t.err, "cvm-run: KVM here cannot create VM type 1 (KVM_CAP_VM_TYPES = "
		"0x1)\n");

	fake__host_sw_protected();
	fake__set_cap(KVM_CAP_MEMORY_ATTRIBUTES, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "--tee", "sw-protected"), CVM_EXIT_NOHOST);
	ck_assert_str_eq(t.err, "cvm-run: --tee sw-protected: its VMs have no private memory "
		"attribute here (KVM_CAP_MEMORY_ATTRIBUTES = 0)\n");

	fake__host_sw_protected();
	fake__set_cap(KVM_CAP_EXIT_HYPERCALL, 0);
	ck_assert_int_eq(VM_TEST_RUN(&t, "--tee", "sw-protected"), CVM_EXIT_NOHOST);
	ck_assert_str_eq(t.err, "cvm-run: --tee sw-protected: KVM does not forward MAP_GPA_RANGE "
		"here (KVM_CAP_EXIT_HYPERCALL = 0)\n");

	ck_assert_int_eq(VM_TEST_RUN(&t, "--tee", "realm"), CVM_EXIT_NOHOST);
	ck_assert_str_eq(t.err, "cvm-run: --tee realm: this build of cvm-run has no such backend "
		"(it has: none, sw-protected, sev, sev-es, snp, tdx)\n");
	ck_assert_uint_eq(fake__count(FAKE_ANY, KVM_CREATE_VCPU), 0);
}
END_TEST

static int parse(const char *const *args)
{
	struct vm_config c;
	char *argv[16] = { "cvm-run" };
	int argc = 1, r;

	while (*args)
		argv[argc++] = (char *)*args++;
	r = config__parse(&c, argc, argv);
	config__exit(&c);
	return r;
}

START_TEST(options)
{
	ck_assert_int_eq(parse((const char *[]){ "-k", "x", "--tee", "sw-protected", NULL }), 0);
	ck_assert_int_eq(parse((const char *[]){ "-k", "x", "--tee", "tdx", NULL }), 0);
	ck_assert_int_eq(parse((const char *[]){ "-k", "x", "--tee", "sgx", NULL }), -1);
	ck_assert_str_eq(err__msg(), "--tee: 'sgx': expected none, sw-protected, sev, sev-es, snp, "
			 "tdx, pkvm or realm");
	ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
	ck_assert_int_eq(parse((const char *[]){ "-k", "x", "--tee", "sw-protected",
						 "--memory-backend", "anon", NULL }), -1);
	ck_assert_str_eq(err__msg(), "--memory-backend: only for --tee none (--tee sw-protected "
			 "decides where RAM lives)");
}
END_TEST

static Suite *private_mem_suite(void)
{
	Suite *s = suite_create("private-mem");
	TCase *tc = tcase_create("sw-protected");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, ram_is_private_gmem_beside_a_shared_memfd);
	tcase_add_test(tc, payload_is_shared_and_private_pages_are_never_read);
	tcase_add_test(tc, conversions_set_attributes_and_drop_the_side_left);
	tcase_add_test(tc, offsets_follow_the_slot);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, kvm_failures);
	tcase_add_test(tc, memory_fault_stops_the_vm);
	tcase_add_test(tc, vcpus_convert_concurrently);
	tcase_add_test(tc, host_checks);
	tcase_add_test(tc, options);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(private_mem_suite)

/* MEM_SHMEM, the protected VM's memory model, against the fake kernel:
 * plain memslots over one memfd, the payload copied in, then sealed
 * (guest__ptr refuses, guest__read goes through the fault guard), and
 * RLIMIT_MEMLOCK raised or the launch refused with the reason.  Generic
 * code: the fake kernel is x86's, the model is pKVM's. */
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loader/error.h"
#include "tests/unit/fake/fake-kvm.h"
#include "tests/unit/test.h"
#include "vmm/kvm.h"
#include "vmm/memory.h"

#define PAGE 4096ull
#define MIB (1ull << 20)
#define BASE 0x40000000ull

static struct kvm k;
static struct guest_mem m;

static void setup(void)
{
	fake__install();
	ck_assert_int_eq(kvm__open(&k), 0);
	ck_assert_int_eq(kvm__create_vm(&k, 0), 0);
}

static void teardown(void)
{
	guest__exit(&m);
	kvm__close(&k);
	fake__uninstall();
}

static int init(uint64_t size)
{
	struct guest_range r = { BASE, size };
	struct guest_mem_cfg cfg = { .model = MEM_SHMEM, .ranges = &r, .nranges = 1 };

	err__clear();
	return guest__init(&m, &k, &cfg);
}

START_TEST(plain_memslots_over_one_memfd)
{
	const struct fake_call *c;
	const struct kvm_userspace_memory_region2 *r;

	ck_assert_int_eq(init(16 * MIB), 0);
	ck_assert_uint_eq(fake__count(-1, KVM_CREATE_GUEST_MEMFD), 0);
	c = fake__find(-1, KVM_SET_USER_MEMORY_REGION2, 0);
	ck_assert_ptr_nonnull(c);
	r = c->data;
	ck_assert_uint_eq(r->flags, 0);
	ck_assert_uint_eq(r->guest_phys_addr, BASE);
	ck_assert_uint_eq(r->memory_size, 16 * MIB);
	ck_assert_uint_eq(r->userspace_addr, (uintptr_t)m.base);
	ck_assert_int_ge(m.shared_fd, 0);
}
END_TEST

/* Before the seal the loader writes the payload; after it every host read
 * goes through the guard, and a page the guest kept is reported. */
START_TEST(sealed_reads_are_guarded)
{
	static const uint8_t kernel[] = "arm64 Image";
	struct plan_op op = { .kind = PLAN_LOAD, .gpa = BASE + PAGE, .len = sizeof(kernel),
			      .data = kernel, .data_len = sizeof(kernel), .what = "kernel" };
	uint8_t buf[sizeof(kernel)];

	ck_assert_int_eq(init(16 * MIB), 0);
	ck_assert_int_eq(guest__load_op(&m, &op), 0);
	ck_assert_ptr_nonnull(guest__ptr(&m, BASE, PAGE));
	guest__seal(&m);
	ck_assert_ptr_null(guest__ptr(&m, BASE, PAGE));
	ck_assert_int_eq(guest__read(&m, BASE + PAGE, buf, sizeof(buf)), 0);
	ck_assert_mem_eq(buf, kernel, sizeof(kernel));

	/* What pKVM does to a page the guest touched and did not share. */
	ck_assert_int_eq(mprotect(m.base + PAGE, PAGE, PROT_NONE), 0);
	ck_assert_int_eq(guest__read(&m, BASE + PAGE, buf, sizeof(buf)), -1);
	ck_assert_str_eq(err__msg(), "0x40001000 was not shared by the guest (the host's read "
				     "faulted)");
	ck_assert_int_eq(err__status(), CVM_EXIT_FAIL);
	ck_assert_int_eq(guest__read(&m, BASE + 2 * PAGE, buf, sizeof(buf)), 0);
	ck_assert_int_eq(guest__read(&m, BASE + 16 * MIB - 4, buf, 8), -1);
	ck_assert_str_eq(err__msg(), "0x40fffffc+0x8 is not guest RAM");
	ck_assert_int_eq(mprotect(m.base + PAGE, PAGE, PROT_READ | PROT_WRITE), 0);
}
END_TEST

/* Sets RLIMIT_MEMLOCK to CUR/MAX, then drops CAP_IPC_LOCK and
 * CAP_SYS_RESOURCE from the effective set (root's ways around it). */
static void limit_memlock(rlim_t cur, rlim_t max)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	struct rlimit r = { cur, max };

	if (setrlimit(RLIMIT_MEMLOCK, &r) != 0)
		_exit(11);
	if (syscall(SYS_capget, &h, d) == 0) {
		d[0].effective &= ~(1u << CAP_IPC_LOCK | 1u << CAP_SYS_RESOURCE);
		if (syscall(SYS_capset, &h, d) != 0)
			_exit(10);
	}
}

/* Runs init(SIZE) in a child under the limit; its status: 0 when RAM was
 * set up and the soft limit covers it, 3 when refused with the reason. */
static int init_under_limit(rlim_t cur, rlim_t max, uint64_t size)
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit r;

		limit_memlock(cur, max);
		if (init(size) < 0)
			_exit(strstr(err__msg(), "RLIMIT_MEMLOCK is 65536 bytes (at most 65536): "
					       "a protected VM pins its 16777216 bytes of RAM") &&
			      err__status() == CVM_EXIT_NOHOST ? 3 : 12);
		getrlimit(RLIMIT_MEMLOCK, &r);
		_exit(r.rlim_cur >= size ? 0 : 13);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* Up to the hard limit the soft one is raised; beyond it, without the
 * capabilities, the launch is refused.  The hard limit stays as found
 * (raising it needs CAP_SYS_RESOURCE, which containers often lack). */
START_TEST(memlock_raised_or_refused)
{
	struct rlimit r;

	ck_assert_int_eq(getrlimit(RLIMIT_MEMLOCK, &r), 0);
	if (r.rlim_max == RLIM_INFINITY || r.rlim_max >= 4 * MIB)
		ck_assert_int_eq(init_under_limit(64 * 1024, r.rlim_max, 4 * MIB), 0);
	ck_assert_int_eq(init_under_limit(64 * 1024, 64 * 1024, 16 * MIB), 3);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("shmem");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, plain_memslots_over_one_memfd);
	tcase_add_test(tc, sealed_reads_are_guarded);
	tcase_add_test(tc, memlock_raised_or_refused);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(suite)

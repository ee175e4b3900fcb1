/* The seccomp filter: ordinary VMM work passes it (sanitizer builds
 * included, LeakSanitizer's exit too), a system call outside the list ends
 * the process with one line naming it, and vm__run has it on by default. */
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loader/error.h"
#include "tests/unit/fake/fake-kvm.h"
#include "tests/unit/test.h"
#include "tests/unit/vm-test.h"
#include "vmm/config.h"
#include "vmm/seccomp.h"
#include "vmm/vm.h"

/* Runs FN in a child with stderr into ERR; returns its wait status. */
static int in_child(void (*fn)(void *), void *arg, char *err, size_t len)
{
	int fd[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		dup2(fd[1], STDERR_FILENO);
		close(fd[0]);
		fn(arg);
		exit(0);        /* exit, not _exit: LeakSanitizer runs filtered */
	}
	close(fd[1]);
	while (n < len - 1 && (r = read(fd[0], err + n, len - 1 - n)) > 0)
		n += r;
	err[n] = 0;
	close(fd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void *worker(void *arg)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
	return arg;
}

static void allowed_work(void *arg)
{
	pthread_t th;
	char *big;

	(void)arg;
	if (seccomp__install() < 0)
		_exit(90);
	big = malloc(8 << 20);          /* mmap */
	memset(big, 1, 8 << 20);
	free(big);
	if (pthread_create(&th, NULL, worker, NULL) || pthread_join(th, NULL))
		_exit(91);
	if (write(STDERR_FILENO, "", 0) < 0)
		_exit(92);
}

static void forbidden(void *arg)
{
	(void)arg;
	if (seccomp__install() < 0)
		_exit(90);
	syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	_exit(93);
}

START_TEST(allowed_work_passes)
{
	char err[1024];
	int st = in_child(allowed_work, NULL, err, sizeof(err));

	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x: %s", st, err);
	ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(forbidden_call_gets_one_line)
{
	char err[1024], want[256];
	int st = in_child(forbidden, NULL, err, sizeof(err));

	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == CVM_EXIT_FAIL, "status %#x: %s", st, err);
	snprintf(want, sizeof(want), "cvm-run: seccomp: system call %d (socket) is not allowed once "
		 "the VM runs (--no-seccomp turns the filter off)\n", SYS_socket);
	ck_assert_str_eq(err, want);
}
END_TEST

static struct vm_test t;

/* vm__run as cvm-run runs it (no --no-seccomp): the guest writes to the
 * console and exits through port 0xf4 with the filter on; afterwards the
 * filter is still there. */
static void run_filtered(void *arg)
{
	char console[256];
	char *argv[] = { "cvm-run", "--kernel", t.kernel, "--initrd", t.initrd, "--console",
			 console, NULL };
	struct vm_config cfg;
	int st;

	(void)arg;
	snprintf(console, sizeof(console), "file:%s", t.console);
	if (config__parse(&cfg, 7, argv) != 0)
		_exit(94);
	st = vm__run(&cfg);
	config__exit(&cfg);
	if (st != 7)
		_exit(95);
	syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	_exit(96);
}

START_TEST(vm_run_filters_by_default)
{
	char err[1024];
	int st;

	fake__install();
	vm_test__init(&t);
	fake__io(0, true, 0x3f8, 1, 3, "hi\n");
	fake__out(0, 0xf4, 7);
	st = in_child(run_filtered, NULL, err, sizeof(err));
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == CVM_EXIT_FAIL, "status %#x: %s", st, err);
	ck_assert_msg(strstr(err, "(socket) is not allowed"), "%s", err);
	vm_test__exit(&t);
	fake__uninstall();
}
END_TEST

static Suite *seccomp_suite(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = tcase_create("filter");

	tcase_add_test(tc, allowed_work_passes);
	tcase_add_test(tc, forbidden_call_gets_one_line);
	tcase_add_test(tc, vm_run_filters_by_default);
	suite_add_tcase(s, tc);
	return s;
}
TEST_SUITE(seccomp_suite)

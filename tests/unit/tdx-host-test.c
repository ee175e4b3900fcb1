/* tdx-test.h's fixtures on the fake kernel's TDX host (x86 only, as the
 * fake kernel is); tdx-test.c has the helpers every build shares. */
#include "tests/unit/fake/fake-kvm.h"
#include "tests/unit/fake/fake-tdx.h"
#include "tests/unit/tdx-test.h"
#include "tests/unit/vm-test.h"

void tdx_test__setup(struct vm_test *t)
{
	fake__install();
	fake__host_tdx();
	vm_test__init(t);
}

void tdx_test__teardown(struct vm_test *t)
{
	vm_test__exit(t);
	fake__uninstall();
}

void tdx_test__fresh_host(void)
{
	fake__uninstall();
	fake__install();
	fake__host_tdx();
}

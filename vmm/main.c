/* cvm-run: boot a guest on guest_memfd memory over /dev/kvm. */
#include <stdio.h>
#include <string.h>

#include "loader/error.h"
#include "vmm/check.h"
#include "vmm/config.h"
#include "vmm/vm.h"

int main(int argc, char **argv)
{
	struct vm_config cfg;
	int r;

	if (argc > 1 && !strcmp(argv[1], "check")) {
		if (argc > 3 || (argc == 3 && strcmp(argv[2], "--quiet"))) {
			fprintf(stderr, "cvm-run: check: usage: cvm-run check [--quiet]\n");
			return CVM_EXIT_BADINPUT;
		}
		return check__run(argc == 3);
	}
	r = config__parse(&cfg, argc, argv);
	if (r != 0) {
		if (r < 0)
			fprintf(stderr, "cvm-run: %s\n", err__msg());
		config__exit(&cfg);
		return r < 0 ? err__status() : 0;
	}
	vm__run_and_exit(&cfg);
}

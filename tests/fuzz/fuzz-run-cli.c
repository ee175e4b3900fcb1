/* cvm-run's command line: NUL-separated arguments. */
#include <stdlib.h>

#include "tests/fuzz/fuzz.h"
#include "vmm/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	char *buf = malloc(size + 1), *argv[64];
	struct vm_config cfg;
	int argc;

	if (!quiet++)
		freopen("/dev/null", "w", stdout);      /* --help and --version */
	argc = fuzz__argv(data, size, "cvm-run", buf, argv, 64);
	config__parse(&cfg, argc, argv);
	config__exit(&cfg);
	free(buf);
	return 0;
}

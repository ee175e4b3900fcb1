/* cvm-measure's command line, main() and all: NUL-separated arguments.
 * Whatever it writes (--dump-vmsa, --dump-td-hob) lands in the directory
 * tests/fuzz/run.sh runs it in: a dump path with a '/' is not tried. */
#include <getopt.h>
#include <stdlib.h>

#include "tests/fuzz/fuzz.h"

#define main measure_main
#include "measure/main.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	char *buf = malloc(size + 1), *argv[64];
	int argc;

	if (!quiet++)
		freopen("/dev/null", "w", stdout);
	argc = fuzz__argv(data, size, "cvm-measure", buf, argv, 64);
	for (int i = 1; i < argc; i++) {
		/* --d... is a --dump-* option or its unambiguous prefix */
		const char *v = strchr(argv[i], '=');

		v = v ? v + 1 : argv[i + 1];
		if (!strncmp(argv[i], "--d", 3) && v && strchr(v, '/')) {
			free(buf);
			return 0;
		}
	}
	optind = 0;     /* getopt's full reset: main() assumes a fresh process */
	measure_main(argc, argv);
	free(buf);
	return 0;
}

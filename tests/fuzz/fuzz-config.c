/* cvm-run's --config INI file, read through the shared input layer. */
#include "tests/fuzz/fuzz.h"
#include "vmm/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vm_config cfg;
	char path[32];
	int fd = fuzz__file(data, size, path);
	char *argv[] = { "cvm-run", "--config", path, NULL };

	if (fd < 0)
		return 0;
	config__parse(&cfg, 3, argv);
	config__exit(&cfg);
	close(fd);
	return 0;
}

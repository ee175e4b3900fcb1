/* QEMU's setup-header patch of a bzImage: memory (8 bytes), initrd flag and
 * size (1 + 4 bytes), a command line up to the first NUL, then the kernel. */
#include "loader/qemu-setup.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t head[QEMU_SETUP_HEAD];
	struct qemu_linux q;
	char cmdline[256];
	size_t n;

	q.below_4g = fuzz__take(&data, &size, 8);
	q.initrd = fuzz__take(&data, &size, 1) & 1;
	q.initrd_size = fuzz__take(&data, &size, 4);
	for (n = 0; n < size && n < sizeof(cmdline) - 1 && data[n]; n++)
		cmdline[n] = data[n];
	cmdline[n] = 0;
	q.cmdline = cmdline;
	n = n < size ? n + 1 : n;
	qemu_setup__patch("bzImage", data + n, size - n, &q, head);
	return 0;
}

/* Loading a bzImage: its setup header against the file and the guest's RAM
 * (the first 2 bytes: MiB of RAM), then its zero page. */
#include "arch/x86/bzimage.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t mem = (2 + fuzz__take(&data, &size, 2)) << 20;
	struct blob b = { "bzImage", size ? data : NULL, size };
	struct x86_boot_info info = { .cmdline = 0x20000, .initrd = 0x1000000, .initrd_size = 1 };
	struct x86_kernel k;
	struct x86_e820 map;
	struct plan p;

	if (!bzimage__detect(&b))
		return 0;
	x86__e820_build(&map, mem);
	info.map = &map;
	plan__init(&p);
	if (bzimage__load(&p, &b, &map, &k) == 0)
		bzimage__add_boot_params(&p, &b, &info);
	plan__exit(&p);
	return 0;
}

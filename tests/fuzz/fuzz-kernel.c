/* Loading a kernel for a plain VM: a bzImage's setup header, or an ELF's
 * PVH note and PT_LOAD segments (libelf), against the file and the guest's
 * RAM (the first 2 bytes: MiB of RAM - 2), then the zero page or
 * hvm_start_info. */
#include "arch/x86/bzimage.h"
#include "arch/x86/pvh.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t mem = (2 + fuzz__take(&data, &size, 2)) << 20;
	struct blob b = { "kernel", size ? data : NULL, size };
	struct x86_boot_info info = { .cmdline = 0x20000, .initrd = 0x1000000, .initrd_size = 1 };
	struct x86_kernel k;
	struct x86_e820 map;
	struct plan p;

	x86__e820_build(&map, mem);
	info.map = &map;
	plan__init(&p);
	if (bzimage__detect(&b)) {
		if (bzimage__load(&p, &b, &map, &k) == 0)
			bzimage__add_boot_params(&p, &b, &info);
	} else if (pvh__detect(&b) && pvh__load(&p, &b, &map, &k) == 0) {
		pvh__add_start_info(&p, &info);
	}
	plan__exit(&p);
	return 0;
}

/* Loading an ELF kernel for PVH (libelf): the entry note, PT_LOAD segments
 * against the file and the guest's RAM (the first 2 bytes: MiB of RAM),
 * then hvm_start_info. */
#include "arch/x86/pvh.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t mem = (2 + fuzz__take(&data, &size, 2)) << 20;
	struct blob b = { "vmlinux", size ? data : NULL, size };
	struct x86_boot_info info = { .cmdline = 0x20000 };
	struct x86_kernel k;
	struct x86_e820 map;
	struct plan p;

	if (!pvh__detect(&b))
		return 0;
	x86__e820_build(&map, mem);
	info.map = &map;
	plan__init(&p);
	if (pvh__load(&p, &b, &map, &k) == 0)
		pvh__add_start_info(&p, &info);
	plan__exit(&p);
	return 0;
}

#include "arch/x86/firmware.h"
#include "arch/x86/memmap.h"
#include "loader/blob.h"
#include "loader/error.h"

#define FW_MIN (64ull << 10)

int x86__firmware_plan(struct plan *p, const char *path, uint64_t mem_size, uint32_t vcpus)
{
	struct blob fw;

	if (plan__map(p, path, &fw) < 0)
		return -1;
	if (fw.size < FW_MIN || fw.size > X86_FW_MAX || fw.size % 4096)
		return err__set("%s: %zu bytes: a firmware image is whole 4 KiB pages, 64 KiB to "
				"%llu MiB", path, fw.size, X86_FW_MAX >> 20);
	p->fw_gpa = X86_4G - fw.size;
	p->fw_size = fw.size;
	p->mem_size = mem_size;
	p->vcpus = vcpus;
	p->entry.mode = PLAN_ENTRY_NONE;
	if (!plan__add(p, PLAN_LOAD, p->fw_gpa, fw.size, fw.data, "firmware"))
		return -1;
	return plan__validate(p);
}

#include "arch/x86/acpi.h"
#include "arch/x86/firmware.h"
#include "arch/x86/fw-cfg.h"
#include "arch/x86/memmap.h"
#include "loader/blob.h"
#include "loader/error.h"

#define FW_MIN (64ull << 10)

int x86__firmware_plan(struct plan *p, const char *path, const struct x86_boot_cfg *cfg)
{
	struct blob fw;

	if (plan__map(p, path, &fw) < 0)
		return -1;
	if (fw.size < FW_MIN || fw.size > X86_FW_MAX || fw.size % 4096)
		return err__set("%s: %zu bytes: a firmware image is whole 4 KiB pages, 64 KiB to "
				"%llu MiB", path, fw.size, X86_FW_MAX >> 20);
	p->fw_gpa = X86_4G - fw.size;
	p->fw_size = fw.size;
	p->mem_size = cfg->mem_size;
	p->vcpus = cfg->vcpus;
	p->entry.mode = PLAN_ENTRY_NONE;
	if (!plan__add(p, PLAN_LOAD, p->fw_gpa, fw.size, fw.data, "firmware"))
		return -1;
	return x86__firmware_fw_cfg(p, cfg);
}

int x86__firmware_machine(struct plan *p, const struct x86_boot_cfg *cfg)
{
	struct x86_acpi_cfg acpi = { .vcpus = cfg->vcpus, .fw_cfg = true };

	if (!cfg->kernel && (cfg->initrd || cfg->cmdline))
		return err__set("--%s: a firmware boot takes it only with --kernel",
				cfg->initrd ? "initrd" : "params");
	if (x86__fw_cfg_machine(p, cfg->mem_size, cfg->vcpus) < 0)
		return -1;
	return x86__acpi_fw_cfg(p, &acpi);
}

int x86__firmware_fw_cfg(struct plan *p, const struct x86_boot_cfg *cfg)
{
	struct blob kernel, initrd;
	struct x86_fw_cfg_linux k = { .cmdline = cfg->cmdline };

	if (x86__firmware_machine(p, cfg) < 0)
		return -1;
	if (!cfg->kernel)
		return 0;
	return x86__fw_cfg_map_linux(p, cfg->kernel, cfg->initrd, &k, &kernel, &initrd) < 0 ? -1 :
	       x86__fw_cfg_linux(p, &k);
}

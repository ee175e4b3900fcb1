#include "arch/x86/firmware.h"
#include "arch/x86/fw-cfg.h"
#include "arch/x86/memmap.h"
#include "loader/error.h"
#include "loader/qemu-setup.h"
#include "loader/tdx-boot.h"

int tdx_boot__serve(struct plan *p, struct tdx_layout *l, const char *kernel,
		    const char *initrd, const char *cmdline)
{
	uint8_t head[QEMU_SETUP_HEAD];
	struct qemu_linux q = { .cmdline = cmdline ? cmdline : "", .initrd = initrd != NULL,
				.below_4g = l->below_4g };
	struct x86_fw_cfg_linux k = { .cmdline = cmdline, .setup_head = head,
				      .setup_head_len = sizeof(head) };

	if (x86__fw_cfg_map_linux(p, kernel, initrd, &k, &l->kernel, &l->initrd) < 0)
		return -1;
	/* QEMU patches the header for an empty -initrd too; OVMF sees none. */
	q.initrd_size = l->initrd.size;
	if (qemu_setup__patch(kernel, l->kernel.data, l->kernel.size, &q, head) < 0)
		return -1;
	return x86__fw_cfg_linux(p, &k);
}

int tdx_boot__cvm_plan(struct plan *p, const char *firmware, const struct x86_boot_cfg *boot,
		       struct tdx_layout *l)
{
	struct x86_ram_range ram[2];
	struct tdx_launch t = { .firmware = firmware, .mem_size = boot->mem_size, .ram = ram };

	t.nram = x86__ram_ranges(boot->mem_size, ram);
	if (tdx__build_plan(p, &t, l) < 0)
		return -1;
	/* The volumes go into the window no RAM uses (arch/x86/memmap.h). */
	if (!p->fw_size || p->fw_gpa < X86_MMIO_HOLE || p->fw_size > X86_FW_MAX)
		return err__set("%s: TDVF firmware volumes at [%#llx, %#llx): cvm-run maps firmware "
				"into at most %llu MiB right below 4 GiB", firmware,
				(unsigned long long)p->fw_gpa,
				(unsigned long long)(p->fw_gpa + p->fw_size), X86_FW_MAX >> 20);
	p->vcpus = boot->vcpus;
	if (x86__firmware_machine(p, boot) < 0)
		return -1;
	return boot->kernel ? tdx_boot__serve(p, l, boot->kernel, boot->initrd, boot->cmdline) : 0;
}

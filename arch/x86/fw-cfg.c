#include <string.h>

#include "arch/x86/bootparam.h"
#include "arch/x86/bzimage.h"
#include "arch/x86/e820.h"
#include "arch/x86/fw-cfg.h"
#include "arch/x86/memmap.h"
#include "loader/bytes.h"
#include "loader/error.h"

#define SECTOR      512
#define SETUP_SECTS offsetof(struct boot_params, hdr.setup_sects)

/* A little-endian integer item of SIZE bytes. */
static int add_int(struct plan *p, uint16_t key, uint64_t v, unsigned size)
{
	uint8_t *d = plan__alloc(p, size);

	if (!d)
		return -1;
	bytes__put_le(d, size, v);
	return fw_cfg_list__add_key(&p->fw_cfg, key, d, size);
}

int x86__fw_cfg_machine(struct plan *p, uint64_t mem, uint32_t vcpus)
{
	struct x86_ram_range r[2];
	size_t n = x86__ram_ranges(mem, r);
	uint8_t *e820 = plan__alloc(p, n * FW_CFG_E820_ENTRY);
	uint8_t *uuid = plan__alloc(p, 16);

	if (!e820 || !uuid)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = e820 + i * FW_CFG_E820_ENTRY;

		bytes__put_le(e, 8, r[i].start);
		bytes__put_le(e + 8, 8, r[i].size);
		bytes__put_le(e + 16, 4, E820_TYPE_RAM);
	}
	if (add_int(p, FW_CFG_NB_CPUS, vcpus, 2) < 0 ||
	    add_int(p, FW_CFG_MAX_CPUS, vcpus, 2) < 0 ||
	    add_int(p, FW_CFG_RAM_SIZE, mem, 8) < 0 ||
	    add_int(p, FW_CFG_NOGRAPHIC, 1, 2) < 0 ||
	    add_int(p, FW_CFG_BOOT_MENU, 0, 2) < 0 ||
	    add_int(p, FW_CFG_IRQ0_OVERRIDE, 1, 4) < 0 ||
	    fw_cfg_list__add_key(&p->fw_cfg, FW_CFG_UUID, uuid, 16) < 0)
		return -1;
	return plan__add_file(p, FW_CFG_FILE_E820, e820, n * FW_CFG_E820_ENTRY);
}

int x86__fw_cfg_linux(struct plan *p, const struct x86_fw_cfg_linux *k)
{
	const struct blob *b = k->kernel;
	const char *cmdline = k->cmdline ? k->cmdline : "";
	size_t cmdline_len = strlen(cmdline) + 1;
	uint64_t setup_len;
	uint8_t *setup;
	char *cmd;

	if (!bzimage__detect(b))
		return err__set("%s: not a bzImage (no \"HdrS\" setup header): firmware boots "
				"need one", b->path);
	/* As QEMU and the boot protocol count it: setup_sects 0 means 4. */
	setup_len = ((uint64_t)(b->data[SETUP_SECTS] ? b->data[SETUP_SECTS] : 4) + 1) * SECTOR;
	if (setup_len >= b->size)
		return err__set("%s: setup_sects: %llu bytes of setup leave no kernel in the "
				"%zu-byte file", b->path, (unsigned long long)setup_len, b->size);
	if (k->setup_head_len > setup_len)
		return err__set("%s: the patched setup header (%zu bytes) is longer than the setup",
				b->path, k->setup_head_len);
	if (k->initrd && k->initrd->size >= UINT32_MAX)
		return err__set("%s: %zu bytes, fw_cfg serves less than 4 GiB", k->initrd->path,
				k->initrd->size);
	setup = plan__alloc(p, setup_len);
	cmd = plan__alloc(p, cmdline_len);
	if (!setup || !cmd)
		return -1;
	memcpy(cmd, cmdline, cmdline_len);
	memcpy(setup, b->data, setup_len);
	if (k->setup_head)
		memcpy(setup, k->setup_head, k->setup_head_len);

	if (add_int(p, FW_CFG_SETUP_SIZE, setup_len, 4) < 0 ||
	    fw_cfg_list__add_key(&p->fw_cfg, FW_CFG_SETUP_DATA, setup, setup_len) < 0 ||
	    add_int(p, FW_CFG_KERNEL_SIZE, b->size - setup_len, 4) < 0 ||
	    fw_cfg_list__add_key(&p->fw_cfg, FW_CFG_KERNEL_DATA, b->data + setup_len,
				 b->size - setup_len) < 0 ||
	    add_int(p, FW_CFG_CMDLINE_SIZE, cmdline_len, 4) < 0 ||
	    fw_cfg_list__add_key(&p->fw_cfg, FW_CFG_CMDLINE_DATA, cmd, cmdline_len) < 0)
		return -1;
	if (!k->initrd)
		return 0;
	if (add_int(p, FW_CFG_INITRD_SIZE, k->initrd->size, 4) < 0)
		return -1;
	return fw_cfg_list__add_key(&p->fw_cfg, FW_CFG_INITRD_DATA, k->initrd->data, k->initrd->size);
}

int x86__fw_cfg_map_linux(struct plan *p, const char *kernel, const char *initrd,
			  struct x86_fw_cfg_linux *k, struct blob *kb, struct blob *rd)
{
	*rd = (struct blob){ 0 };
	if (plan__map_max(p, kernel, FW_CFG_ITEM_MAX, "fw_cfg", kb) < 0 ||
	    (initrd && plan__map_max(p, initrd, FW_CFG_ITEM_MAX, "fw_cfg", rd) < 0))
		return -1;
	k->kernel = kb;
	k->initrd = rd->size ? rd : NULL;
	return 0;
}

/* What a firmware boot serves through fw_cfg, as plain data: the legacy
 * numbered items and the named files.  The launch plan carries this list,
 * the device model (vmm/fw-cfg.c) serves it and measure/ hashes it, so the
 * three see the same bytes.  Builders (arch/x86/fw-cfg.c, loader/acpi.c)
 * append to the plan's list (plan.fw_cfg) with their data allocated from
 * the plan. */
#ifndef CVM_LOADER_FW_CFG_H
#define CVM_LOADER_FW_CFG_H

#include <linux/qemu_fw_cfg.h>
#include <stddef.h>
#include <stdint.h>

/* One item.  KEY selects a legacy item (below FW_CFG_FILE_FIRST, optionally
 * with FW_CFG_ARCH_LOCAL) and NAME is empty; KEY 0 makes it a named file.
 * DATA (LEN bytes) is not owned by the item. */
struct fw_cfg_item {
	uint16_t key;
	char name[FW_CFG_MAX_FILE_PATH];
	const uint8_t *data;
	size_t len;
};

/* The largest item the device serves (its sizes are 32 bits). */
#define FW_CFG_ITEM_MAX (UINT32_MAX - 1ull)

struct fw_cfg_list {
	struct fw_cfg_item *items;
	size_t n, cap;
};

void fw_cfg_list__init(struct fw_cfg_list *l);
void fw_cfg_list__exit(struct fw_cfg_list *l);
/* Appends the legacy item KEY; -1 + err__set() when out of memory. */
int fw_cfg_list__add_key(struct fw_cfg_list *l, uint16_t key, const void *data, size_t len);
/* Appends the named file NAME; -1 + err__set() when the name does not fit
 * (55 characters), is there already, or out of memory. */
int fw_cfg_list__add_file(struct fw_cfg_list *l, const char *name, const void *data, size_t len);
/* The item with KEY, or the file NAME when KEY is 0; NULL when absent. */
const struct fw_cfg_item *fw_cfg_list__find(const struct fw_cfg_list *l, uint16_t key,
					    const char *name);
/* The served command line (FW_CFG_CMDLINE_DATA) as the string firmware
 * reads, or NULL when there is none or it is not one NUL-terminated string. */
const char *fw_cfg_list__cmdline(const struct fw_cfg_list *l);

#endif

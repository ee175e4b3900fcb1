#include <stdlib.h>
#include <string.h>

#include "loader/error.h"
#include "loader/fw-cfg.h"

void fw_cfg_list__init(struct fw_cfg_list *l)
{
	memset(l, 0, sizeof(*l));
}

void fw_cfg_list__exit(struct fw_cfg_list *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static struct fw_cfg_item *add(struct fw_cfg_list *l, const void *data, size_t len)
{
	struct fw_cfg_item *it;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct fw_cfg_item *v = realloc(l->items, cap * sizeof(*v));

		if (!v) {
			err__set_status(CVM_EXIT_FAIL, "out of memory");
			return NULL;
		}
		l->items = v;
		l->cap = cap;
	}
	it = &l->items[l->n++];
	memset(it, 0, sizeof(*it));
	it->data = data;
	it->len = len;
	return it;
}

int fw_cfg_list__add_key(struct fw_cfg_list *l, uint16_t key, const void *data, size_t len)
{
	struct fw_cfg_item *it = add(l, data, len);

	if (!it)
		return -1;
	it->key = key;
	return 0;
}

int fw_cfg_list__add_file(struct fw_cfg_list *l, const char *name, const void *data, size_t len)
{
	struct fw_cfg_item *it;

	if (strlen(name) >= sizeof(it->name))
		return err__set("fw_cfg file %s: longer than %zu characters", name,
				sizeof(it->name) - 1);
	if (fw_cfg_list__find(l, 0, name))
		return err__set("fw_cfg file %s: given twice", name);
	it = add(l, data, len);
	if (!it)
		return -1;
	strcpy(it->name, name);
	return 0;
}

const struct fw_cfg_item *fw_cfg_list__find(const struct fw_cfg_list *l, uint16_t key,
					    const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].key == key && (key || !strcmp(l->items[i].name, name)))
			return &l->items[i];
	return NULL;
}

const char *fw_cfg_list__cmdline(const struct fw_cfg_list *l)
{
	const struct fw_cfg_item *c = fw_cfg_list__find(l, FW_CFG_CMDLINE_DATA, NULL);

	if (!c || !c->len || memchr(c->data, 0, c->len) != c->data + c->len - 1)
		return NULL;
	return (const char *)c->data;
}

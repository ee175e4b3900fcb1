#include <stdio.h>
#include <string.h>

#include "loader/error.h"
#include "vmm/arch.h"
#include "vmm/tee.h"

const char *const tee_names[] = {
	"none", "sw-protected", "sev", "sev-es", "snp", "tdx", "pkvm", "realm", NULL,
};

static unsigned long plain_vm_type(const struct vm *vm)
{
	return arch__vm_type(vm);
}

const struct tee_ops tee_none = {
	.name = "none",
	.desc = "plain VM",
	.memory = MEM_SHARED,
	.vm_type = plain_vm_type,
};

bool tee__known(const char *name)
{
	for (size_t i = 0; tee_names[i]; i++)
		if (!strcmp(name, tee_names[i]))
			return true;
	return false;
}

const struct tee_ops *const *tee__list(void)
{
	static const struct tee_ops *list[sizeof(tee_names) / sizeof(tee_names[0])];

	if (!list[0]) {
		size_t n = 0;

		list[n++] = &tee_none;
		for (size_t i = 0; arch__tees[i] && n + 1 < sizeof(list) / sizeof(list[0]); i++)
			list[n++] = arch__tees[i];
	}
	return list;
}

const struct tee_ops *tee__find(const char *name)
{
	const struct tee_ops *const *l = tee__list();
	char have[128];
	size_t off = 0;

	for (size_t i = 0; l[i]; i++) {
		if (!strcmp(l[i]->name, name))
			return l[i];
		off += snprintf(have + off, off < sizeof(have) ? sizeof(have) - off : 0, "%s%s",
				i ? ", " : "", l[i]->name);
	}
	err__set_status(CVM_EXIT_NOHOST, "--tee %s: this build of cvm-run has no such backend "
			"(it has: %s)", name, have);
	return NULL;
}

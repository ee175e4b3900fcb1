/* The SEV metadata ("ASEV") the footer table points to. */
#include "loader/sev-metadata.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sev_metadata m;
	struct ovmf o;

	if (ovmf__parse(&o, "fw.fd", data, size) < 0 || sev_metadata__parse(&m, &o) < 0)
		return 0;
	for (size_t i = 0; i < m.nsections; i++)
		if (!sev_section__name(m.sections[i].type) ||
		    !sev_metadata__has(&m, m.sections[i].type))
			__builtin_trap();       /* parsing let an unknown type through */
	return 0;
}

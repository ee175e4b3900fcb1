/* The TDVF metadata: descriptor and sections, checked as a whole. */
#include "loader/tdvf.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct tdvf t;
	struct ovmf o;

	if (!null)
		null = fopen("/dev/null", "w");
	if (ovmf__parse(&o, "fw.fd", data, size) < 0 || tdvf__parse(&t, &o, size & 1) < 0)
		return 0;
	for (size_t i = 0; i < t.nsections; i++) {
		const struct tdvf_section *s = &t.sections[i];

		if (s->raw_size && (uint64_t)s->data_offset + s->raw_size > size)
			__builtin_trap();       /* a section's bytes outside the image */
	}
	tdvf__print(null, &t, false);
	tdvf__print(null, &t, true);
	return 0;
}

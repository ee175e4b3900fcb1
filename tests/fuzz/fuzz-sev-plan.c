/* The SEV, SEV-ES, SNP and SNP+SVSM launch plans of a firmware image: the
 * metadata sections, the SEV_HASH_TABLE_RV entry and the kernel-hashes
 * table, the reset block.  The first byte picks mode, VMM and hashes. */
#include "loader/sev.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sev_hashes h;
	unsigned sel = fuzz__take(&data, &size, 1);
	struct sev_launch cfg = {
		.mode = sel & 3,
		.vmm = (sel >> 2) % 3,
		.hashes = sel & 0x20 ? &h : NULL,
		.vcpus = 1 + (sel >> 6),
		.vcpu_sig = 0x800f12,
		.guest_features = 1,
		.vars_size = 0x1000 * (sel >> 6),
		.firmware = { "fw.fd", size ? data : NULL, size },
		.svsm = { "svsm.bin", size ? data : NULL, size },
	};
	struct plan p;

	memset(&h, 0x5a, sizeof(h));
	plan__init(&p);
	if (sev__build_plan(&p, &cfg) >= 0)
		plan__validate(&p);
	plan__exit(&p);
	return 0;
}

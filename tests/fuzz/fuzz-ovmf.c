/* The OVMF GUIDed footer table and the from-the-end offsets it holds. */
#include "loader/ovmf.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct guid *const guids[] = {
		&ovmf_guid_sev_es_reset, &ovmf_guid_sev_secret, &ovmf_guid_sev_hash_table,
		&ovmf_guid_sev_metadata, &ovmf_guid_tdx_metadata, &ovmf_guid_svsm_info,
	};
	struct ovmf o;
	size_t len;

	if (ovmf__parse(&o, "fw.fd", data, size) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(guids) / sizeof(guids[0]); i++) {
		const uint8_t *p = ovmf__find(&o, guids[i], &len);
		volatile uint8_t sink;

		if (p && len)
			sink = p[len - 1];
		p = ovmf__from_end(&o, guids[i], 16, "entry", 0);
		if (p)
			sink = p[15];
		(void)sink;
	}
	return 0;
}

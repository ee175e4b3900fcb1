/* The edk2 variable store in the CFV: volume and store headers, the
 * variable list, lookups of the Secure Boot variables. */
#include "measure/efi-varstore.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct guid global = GUID_INIT(0x8be4df61, 0x93ca, 0x11d2,
		0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c);
	static const char *const names[] = { "PK", "KEK", "SecureBootEnable", "db" };
	struct efi_varstore s;
	const uint8_t *d;
	size_t len;

	if (efi_varstore__open(&s, "cfv", data, size) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (efi_varstore__get(&s, &global, names[i], &d, &len) && len) {
			volatile uint8_t sink = d[len - 1];

			(void)sink;
		}
	}
	return 0;
}

/* The PE/COFF Authenticode digest of an EFI image: headers, sections
 * (overlaps refused, so the work stays linear), certificate table. */
#include "measure/authenticode.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t head[64], out[48];
	size_t hl = size < sizeof(head) ? size : sizeof(head);
	struct pe_image img = { "k.efi", data, size, head, hl, -1 };

	/* A replaced head, as QEMU's patch gives: here the same bytes. */
	memcpy(head, data, hl);
	authenticode__digest(&img, EVP_sha384(), out);
	return 0;
}

#include <string.h>

#include "arch/arm64/image.h"
#include "arch/arm64/memmap.h"
#include "loader/bytes.h"
#include "loader/error.h"

/* Header fields (arch/arm64/include/asm/image.h), all little-endian. */
#define TEXT_OFFSET_OFF  0x08
#define IMAGE_SIZE_OFF   0x10
#define FLAGS_OFF        0x18
#define FLAG_BE          (1ull << 0)
#define TEXT_ALIGN       0x1000ull

int arm64_image__parse(const struct blob *b, struct arm64_image *img)
{
	uint64_t flags;

	if (b->size >= 2 && b->data[0] == 0x1f && b->data[1] == 0x8b)
		return err__set("%s: gzip-compressed; arm64 Linux boots from the uncompressed Image "
				"(gunzip it)", b->path);
	if (b->size < ARM64_IMAGE_HDR_SIZE)
		return err__set("%s: %zu bytes, shorter than the %d-byte arm64 Image header", b->path,
				b->size, ARM64_IMAGE_HDR_SIZE);
	if (memcmp(b->data + ARM64_IMAGE_MAGIC_OFF, "ARM\x64", 4) != 0)
		return err__set("%s: not an arm64 Image (no \"ARM\\x64\" magic at %#x)", b->path,
				ARM64_IMAGE_MAGIC_OFF);
	img->text_offset = bytes__get_le(b->data + TEXT_OFFSET_OFF, 8);
	img->image_size = bytes__get_le(b->data + IMAGE_SIZE_OFF, 8);
	flags = bytes__get_le(b->data + FLAGS_OFF, 8);
	if (img->image_size == 0)
		return err__set("%s: image_size: 0, a kernel older than 3.17 whose text_offset "
				"cannot be trusted", b->path);
	if (img->image_size < b->size)
		return err__set("%s: image_size: %#llx, smaller than the %zu-byte file", b->path,
				(unsigned long long)img->image_size, b->size);
	if (img->text_offset >= ARM64_KERNEL_ALIGN || img->text_offset % TEXT_ALIGN)
		return err__set("%s: text_offset: %#llx, not a multiple of 4 KiB below 2 MiB",
				b->path, (unsigned long long)img->text_offset);
	if (flags & FLAG_BE)
		return err__set("%s: flags: %#llx, a big-endian kernel (the VM runs little-endian)",
				b->path, (unsigned long long)flags);
	return 0;
}

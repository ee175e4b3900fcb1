/* fw_cfg device model.  Semantics follow QEMU's hw/nvram/fw_cfg.c as its
 * spec describes them: reads past an item's end give zeros, a DMA read past
 * the end zero-fills the rest, a skip past the end is a no-op, and the
 * offset advances by what was (or would have been) transferred. */
#include <stdlib.h>
#include <string.h>

#include "loader/bytes.h"
#include "loader/error.h"
#include "vmm/fw-cfg.h"

#define DIR_ENTRY   sizeof(struct fw_cfg_file)   /* 64 bytes, big-endian fields */
#define DMA_DESC    sizeof(struct fw_cfg_dma_access)
#define KEYS        0x4000      /* per space: FW_CFG_ENTRY_MASK + 1 */

static const uint8_t signature[] = "QEMU";
static const uint8_t dma_signature[] = "QEMU CFG";

_Static_assert(sizeof(struct fw_cfg_file) == 64, "fw_cfg directory entry");
_Static_assert(sizeof(struct fw_cfg_dma_access) == 16, "fw_cfg DMA descriptor");

static bool reserved_key(uint16_t key)
{
	return key == FW_CFG_SIGNATURE || key == FW_CFG_ID || key == FW_CFG_FILE_DIR;
}

static int check_item(const struct fw_cfg_item *it, size_t i)
{
	uint16_t idx = it->key & ~FW_CFG_ARCH_LOCAL;

	if (it->len >= UINT32_MAX || (it->len && !it->data))
		return err__set("fw_cfg item %zu (%.*s): %zu bytes, the device serves up to 4 GiB - 2",
				i, FW_CFG_MAX_FILE_PATH, it->name, it->len);
	if (!it->key) {
		if (!memchr(it->name, 0, sizeof(it->name)) || !it->name[0])
			return err__set("fw_cfg item %zu: a file name must have 1 to %d characters",
					i, FW_CFG_MAX_FILE_PATH - 1);
		return 0;
	}
	if (it->name[0])
		return err__set("fw_cfg item %zu (%.*s): a named file has key 0, not %#x", i,
				FW_CFG_MAX_FILE_PATH, it->name, it->key);
	if (idx >= FW_CFG_FILE_FIRST || reserved_key(it->key))
		return err__set("fw_cfg item %zu: key %#x is not a legacy key the caller may set",
				i, it->key);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct fw_cfg_item *x = *(const struct fw_cfg_item *const *)a;
	const struct fw_cfg_item *y = *(const struct fw_cfg_item *const *)b;

	return strcmp(x->name, y->name);
}

/* Sorted named files into f->files and the directory item. */
static int build_files(struct fw_cfg *f, const struct fw_cfg_item *items, size_t n)
{
	const struct fw_cfg_item **sorted = calloc(n ? n : 1, sizeof(*sorted));
	size_t nf = 0;
	int ret = -1;

	if (!sorted)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (!items[i].key)
			sorted[nf++] = &items[i];
	qsort(sorted, nf, sizeof(*sorted), by_name);
	if (nf > KEYS - FW_CFG_FILE_FIRST) {
		err__set("fw_cfg: %zu files, the selector has room for %d", nf,
			 KEYS - FW_CFG_FILE_FIRST);
		goto out;
	}
	for (size_t i = 1; i < nf; i++)
		if (!strcmp(sorted[i - 1]->name, sorted[i]->name)) {
			err__set("fw_cfg: two files named %s", sorted[i]->name);
			goto out;
		}
	f->files = calloc(nf ? nf : 1, sizeof(*f->files));
	f->dir = calloc(1, 4 + nf * DIR_ENTRY);
	if (!f->files || !f->dir) {
		err__set_status(CVM_EXIT_FAIL, "out of memory");
		goto out;
	}
	bytes__put_be(f->dir, 4, nf);
	for (size_t i = 0; i < nf; i++) {
		uint8_t *e = f->dir + 4 + i * DIR_ENTRY;

		f->files[i].data = sorted[i]->data;
		f->files[i].len = sorted[i]->len;
		bytes__put_be(e + offsetof(struct fw_cfg_file, size), 4, sorted[i]->len);
		bytes__put_be(e + offsetof(struct fw_cfg_file, select), 2, FW_CFG_FILE_FIRST + i);
		strcpy((char *)e + offsetof(struct fw_cfg_file, name), sorted[i]->name);
	}
	f->nfiles = nf;
	f->legacy[0][FW_CFG_FILE_DIR] = (struct fw_cfg_slot){ f->dir, 4 + nf * DIR_ENTRY };
	ret = 0;
out:
	free(sorted);
	return ret;
}

int fw_cfg__init(struct fw_cfg *f, const struct fw_cfg_item *items, size_t n,
		 const struct fw_cfg_guest *guest)
{
	bool set[2][FW_CFG_FILE_FIRST] = { { false } };

	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	f->guest = *guest;
	for (size_t i = 0; i < n; i++) {
		const struct fw_cfg_item *it = &items[i];
		bool arch = it->key & FW_CFG_ARCH_LOCAL;
		uint16_t idx = it->key & ~FW_CFG_ARCH_LOCAL;

		if (check_item(it, i) < 0)
			goto fail;
		if (!it->key)
			continue;
		if (set[arch][idx]) {
			err__set("fw_cfg item %zu: key %#x given twice", i, it->key);
			goto fail;
		}
		set[arch][idx] = true;
		f->legacy[arch][idx] = (struct fw_cfg_slot){ it->data, it->len };
	}
	f->legacy[0][FW_CFG_SIGNATURE] = (struct fw_cfg_slot){ signature, 4 };
	bytes__put_le(f->id, 4, FW_CFG_VERSION | FW_CFG_VERSION_DMA);
	f->legacy[0][FW_CFG_ID] = (struct fw_cfg_slot){ f->id, 4 };
	if (build_files(f, items, n) < 0)
		goto fail;
	f->cur = &f->legacy[0][FW_CFG_SIGNATURE];
	return 0;
fail:
	fw_cfg__exit(f);
	return -1;
}

void fw_cfg__exit(struct fw_cfg *f)
{
	pthread_mutex_destroy(&f->lock);
	free(f->files);
	free(f->dir);
	f->files = NULL;
	f->dir = NULL;
}

/* The write-channel bit (14) selects the same item: data-port writes are
 * ignored either way. */
static void select_key(struct fw_cfg *f, uint16_t key)
{
	uint16_t idx = key & FW_CFG_ENTRY_MASK;
	bool arch = key & FW_CFG_ARCH_LOCAL;
	const struct fw_cfg_slot *s = NULL;

	if (idx < FW_CFG_FILE_FIRST)
		s = &f->legacy[arch][idx];
	else if (!arch && (size_t)(idx - FW_CFG_FILE_FIRST) < f->nfiles)
		s = &f->files[idx - FW_CFG_FILE_FIRST];
	f->cur = s;
	f->offset = 0;
}

static uint8_t read_byte(struct fw_cfg *f)
{
	if (!f->cur || f->offset >= f->cur->len)
		return 0;
	return f->cur->data[f->offset++];
}

static uint8_t *guest_ptr(const struct fw_cfg *f, uint64_t gpa, uint64_t len)
{
	if (gpa + len < gpa)
		return NULL;
	return f->guest.ptr(f->guest.ctx, gpa, len);
}

enum dma_op { DMA_NONE, DMA_READ, DMA_WRITE, DMA_SKIP };

/* One pass of the transfer: the part inside the item, or (past its end)
 * the rest.  Returns the bytes consumed, or -1 on error. */
static int64_t dma_step(struct fw_cfg *f, enum dma_op op, uint64_t addr, uint32_t len)
{
	bool inside = f->cur && f->offset < f->cur->len;
	uint32_t n = len;
	uint8_t *dst = NULL;

	if (inside && n > f->cur->len - f->offset)
		n = f->cur->len - f->offset;
	if (op == DMA_READ)
		dst = guest_ptr(f, addr, n);
	if (inside)
		f->offset += n;         /* QEMU advances even when the copy fails */
	if (op == DMA_WRITE || (op == DMA_READ && !dst))
		return -1;
	if (dst && inside)
		memcpy(dst, f->cur->data + f->offset - n, n);
	else if (dst)
		memset(dst, 0, n);
	return n;
}

static void dma_transfer(struct fw_cfg *f)
{
	uint64_t desc_gpa = f->dma_addr, addr;
	uint32_t control, len, status = 0;
	uint8_t *desc = guest_ptr(f, desc_gpa, DMA_DESC);
	enum dma_op op = DMA_NONE;

	f->dma_addr = 0;
	if (!desc) {
		/* QEMU still reports the error if the control word is in RAM. */
		uint8_t *ctl = guest_ptr(f, desc_gpa, 4);

		if (ctl)
			bytes__put_be(ctl, 4, FW_CFG_DMA_CTL_ERROR);
		return;
	}
	/* Read once: another vCPU may rewrite the descriptor meanwhile. */
	control = bytes__get_be(desc, 4);
	len = bytes__get_be(desc + 4, 4);
	addr = bytes__get_be(desc + 8, 8);

	if (control & FW_CFG_DMA_CTL_SELECT)
		select_key(f, control >> 16);
	if (control & FW_CFG_DMA_CTL_READ)
		op = DMA_READ;
	else if (control & FW_CFG_DMA_CTL_WRITE)
		op = DMA_WRITE;
	else if (control & FW_CFG_DMA_CTL_SKIP)
		op = DMA_SKIP;
	else
		len = 0;
	/* At most two steps: the item's remaining bytes, then the tail. */
	while (len) {
		int64_t n = dma_step(f, op, addr, len);

		if (n < 0) {
			status = FW_CFG_DMA_CTL_ERROR;
			break;
		}
		addr += n;
		len -= n;
	}
	bytes__put_be(desc, 4, status);
}

static void dma_io(struct fw_cfg *f, unsigned off, bool is_write, uint8_t *data, unsigned size)
{
	if (!is_write) {
		for (unsigned i = 0; i < size; i++)
			data[i] = off + i < 8 ? dma_signature[off + i] : 0xff;
		return;
	}
	if (size == 4 && off == 0) {
		f->dma_addr = bytes__get_be(data, 4) << 32;
	} else if (size == 4 && off == 4) {
		f->dma_addr |= bytes__get_be(data, 4);
		dma_transfer(f);
	} else if (size == 8 && off == 0) {
		f->dma_addr = bytes__get_be(data, 8);
		dma_transfer(f);
	}
}

void fw_cfg__io(void *ctx, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	struct fw_cfg *f = ctx;

	pthread_mutex_lock(&f->lock);
	if (offset >= FW_CFG_IO_DMA && offset < FW_CFG_IO_SIZE && size <= FW_CFG_IO_SIZE - offset) {
		dma_io(f, offset - FW_CFG_IO_DMA, is_write, data, size);
	} else if (offset < 2 && size == 1 && !is_write) {
		data[0] = read_byte(f);
	} else if (offset == 0 && size == 2 && is_write) {
		select_key(f, bytes__get_le(data, 2));
	} else if (!is_write) {
		/* Data-port writes are ignored (QEMU >= 2.4); this is the rest. */
		memset(data, 0xff, size);
	}
	pthread_mutex_unlock(&f->lock);
}

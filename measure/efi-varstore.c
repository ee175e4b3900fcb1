#include <string.h>

#include "loader/error.h"
#include "measure/efi-varstore.h"

#define FV_LENGTH_OFF     32
#define FV_SIGNATURE_OFF  40
#define FV_HDRLEN_OFF     48
#define FV_MIN_HEADER     56      /* up to the block map */
#define STORE_HEADER      28      /* GUID, u32 size, u8 format, u8 state, 6 reserved */
#define STORE_FORMATTED   0x5a
#define STORE_HEALTHY     0xfe
#define VAR_START_ID      0x55aa
#define VAR_ADDED         0x3f
#define VAR_IN_TRANSITION 0x3e    /* VAR_ADDED & VAR_IN_DELETED_TRANSITION */

static const struct guid auth_store_guid = GUID_INIT(0xaaf32c78, 0x947b, 0x439a,
	0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92);
static const struct guid plain_store_guid = GUID_INIT(0xddcf3616, 0x3275, 0x4164,
	0x98, 0xb6, 0xfe, 0x85, 0x70, 0x7f, 0xfe, 0x7d);

struct efi_var {
	uint8_t state;
	const uint8_t *guid, *name, *data;
	size_t name_size, data_size;
};

static uint32_t get_u32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The variable header at *OFF: 1 and *OFF advanced past it, 0 at the end
 * of the list, -1 when it runs past the store. */
static int next_var(const struct efi_varstore *s, size_t *off, struct efi_var *v)
{
	/* Authenticated: id, state, rsvd, attr, u64 count, EFI_TIME, u32 key
	 * index, then (as in the plain header) name size, data size, GUID. */
	size_t hdr = s->auth ? 60 : 32, sizes = s->auth ? 36 : 8;
	const uint8_t *p = s->fv + *off;
	uint64_t total;

	if (s->end - *off < hdr || (p[0] | p[1] << 8) != VAR_START_ID)
		return 0;
	v->state = p[2];
	v->name_size = get_u32(p + sizes);
	v->data_size = get_u32(p + sizes + 4);
	total = (uint64_t)hdr + v->name_size + v->data_size;
	if (total > s->end - *off)
		return err__set("%s: CFV variable at %#zx: NameSize %#zx + DataSize %#zx run past the store end %#zx",
				s->path, *off, v->name_size, v->data_size, s->end);
	v->guid = p + sizes + 8;
	v->name = p + hdr;
	v->data = v->name + v->name_size;
	/* Headers are 4-byte aligned; the last one may end the store exactly. */
	*off += (total + 3) & ~3ull;
	if (*off > s->end)
		*off = s->end;
	return 1;
}

int efi_varstore__open(struct efi_varstore *s, const char *path, const uint8_t *fv, size_t size)
{
	uint64_t fv_len;
	uint32_t store_size;
	size_t hl, off;
	struct efi_var v;
	int r;

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->fv = fv;
	if (size < FV_MIN_HEADER || memcmp(fv + FV_SIGNATURE_OFF, "_FVH", 4))
		return err__set("%s: CFV firmware volume header: no \"_FVH\" signature", path);
	fv_len = get_u32(fv + FV_LENGTH_OFF) | (uint64_t)get_u32(fv + FV_LENGTH_OFF + 4) << 32;
	hl = fv[FV_HDRLEN_OFF] | fv[FV_HDRLEN_OFF + 1] << 8;
	if (fv_len > size || hl < FV_MIN_HEADER || hl + STORE_HEADER > fv_len)
		return err__set("%s: CFV firmware volume header: FvLength %#llx / HeaderLength %#zx do not fit the %#zx-byte section",
				path, (unsigned long long)fv_len, hl, size);
	if (guid__eq(&auth_store_guid, fv + hl))
		s->auth = true;
	else if (!guid__eq(&plain_store_guid, fv + hl))
		return err__set("%s: CFV variable store Signature: not an edk2 variable store GUID", path);
	store_size = get_u32(fv + hl + 16);
	if (fv[hl + 20] != STORE_FORMATTED || fv[hl + 21] != STORE_HEALTHY)
		return err__set("%s: CFV variable store Format/State: %#x/%#x, not formatted and healthy",
				path, fv[hl + 20], fv[hl + 21]);
	if (store_size < STORE_HEADER || store_size > fv_len - hl)
		return err__set("%s: CFV variable store Size: %#x does not fit the volume", path,
				store_size);
	s->start = (hl + STORE_HEADER + 3) & ~(size_t)3;
	s->end = hl + store_size;
	if (s->start > s->end)
		s->start = s->end;
	for (off = s->start; (r = next_var(s, &off, &v)) > 0;)
		;
	return r;
}

static bool name_is(const struct efi_var *v, const char *name)
{
	size_t n = strlen(name);

	if (v->name_size != 2 * (n + 1))
		return false;
	for (size_t i = 0; i <= n; i++)
		if (v->name[2 * i] != (uint8_t)name[i] || v->name[2 * i + 1])
			return false;
	return true;
}

int efi_varstore__get(const struct efi_varstore *s, const struct guid *g, const char *name,
		      const uint8_t **data, size_t *len)
{
	struct efi_var v, found = { 0 };
	size_t off;

	/* The first added copy; one being replaced counts only without it. */
	for (off = s->start; next_var(s, &off, &v) > 0 && found.state != VAR_ADDED;) {
		if (!guid__eq(g, v.guid) || !name_is(&v, name))
			continue;
		if (v.state == VAR_ADDED || (v.state == VAR_IN_TRANSITION && !found.name))
			found = v;
	}
	if (!found.name)
		return 0;
	*data = found.data;
	*len = found.data_size;
	return 1;
}

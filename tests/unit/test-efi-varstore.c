/* The edk2 variable store reader: stores built in memory (states, both
 * header formats, hostile sizes) and the CFVs of the vector firmware. */
#include <stdlib.h>
#include <string.h>

#include "loader/blob.h"
#include "loader/error.h"
#include "measure/efi-varstore.h"
#include "tests/unit/test.h"

#define FV_SIZE   0x2000
#define HDR_LEN   72

static const struct guid auth_store = GUID_INIT(0xaaf32c78, 0x947b, 0x439a,
	0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92);
static const struct guid plain_store = GUID_INIT(0xddcf3616, 0x3275, 0x4164,
	0x98, 0xb6, 0xfe, 0x85, 0x70, 0x7f, 0xfe, 0x7d);
static const struct guid vendor = GUID_INIT(0x8be4df61, 0x93ca, 0x11d2,
	0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c);
static const struct guid other = GUID_INIT(0xd719b2cb, 0x3d3a, 0x4596,
	0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f);

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = v >> (8 * i);
}

struct store {
	uint8_t fv[FV_SIZE];
	size_t off;
	int auth;
};

static void store_init(struct store *s, int auth)
{
	memset(s->fv, 0xff, sizeof(s->fv));
	memset(s->fv, 0, HDR_LEN);
	put(s->fv + 32, FV_SIZE, 8);
	memcpy(s->fv + 40, "_FVH", 4);
	put(s->fv + 48, HDR_LEN, 2);
	memcpy(s->fv + HDR_LEN, (auth ? &auth_store : &plain_store)->b, 16);
	put(s->fv + HDR_LEN + 16, FV_SIZE - HDR_LEN, 4);
	s->fv[HDR_LEN + 20] = 0x5a;
	s->fv[HDR_LEN + 21] = 0xfe;
	memset(s->fv + HDR_LEN + 22, 0, 6);
	s->off = (HDR_LEN + 28 + 3) & ~3;
	s->auth = auth;
}

/* Appends a variable; returns its header offset. */
static size_t store_add(struct store *s, uint8_t state, const struct guid *g, const char *name,
			const void *data, size_t len)
{
	size_t hdr = s->auth ? 60 : 32, sizes = s->auth ? 36 : 8, n = strlen(name) + 1;
	uint8_t *p = s->fv + s->off;
	size_t at = s->off;

	memset(p, 0, hdr);
	put(p, 0x55aa, 2);
	p[2] = state;
	put(p + 4, 7, 4);
	put(p + sizes, 2 * n, 4);
	put(p + sizes + 4, len, 4);
	memcpy(p + sizes + 8, g->b, 16);
	for (size_t i = 0; i < n; i++)
		put(p + hdr + 2 * i, (uint8_t)name[i], 2);
	memcpy(p + hdr + 2 * n, data, len);
	s->off += (hdr + 2 * n + len + 3) & ~3;
	return at;
}

static void expect(const struct efi_varstore *vs, const struct guid *g, const char *name,
		   const char *want)
{
	const uint8_t *d;
	size_t len;

	if (!want) {
		ck_assert_int_eq(efi_varstore__get(vs, g, name, &d, &len), 0);
		return;
	}
	ck_assert_int_eq(efi_varstore__get(vs, g, name, &d, &len), 1);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_mem_eq(d, want, len);
}

START_TEST(states_and_names)
{
	for (int auth = 0; auth <= 1; auth++) {
		struct efi_varstore vs;
		struct store s;

		store_init(&s, auth);
		store_add(&s, 0x3d, &vendor, "PK", "old", 3);          /* deleted */
		store_add(&s, 0x3e, &vendor, "PK", "moving", 6);       /* being replaced */
		store_add(&s, 0x3f, &vendor, "PK", "new", 3);
		store_add(&s, 0x3e, &vendor, "KEK", "only-transition", 15);
		store_add(&s, 0x3f, &other, "db", "first", 5);
		store_add(&s, 0x3f, &other, "db", "second", 6);
		store_add(&s, 0x3f, &vendor, "dbx", "", 0);
		store_add(&s, 0x3f, &vendor, "PKx", "no", 2);
		ck_assert_int_eq(efi_varstore__open(&vs, "fw.fd", s.fv, sizeof(s.fv)), 0);
		ck_assert_int_eq(vs.auth, auth);
		expect(&vs, &vendor, "PK", "new");
		expect(&vs, &vendor, "KEK", "only-transition");
		expect(&vs, &other, "db", "first");
		expect(&vs, &vendor, "db", NULL);               /* other vendor */
		expect(&vs, &vendor, "dbx", "");
		expect(&vs, &vendor, "P", NULL);
		expect(&vs, &vendor, "SecureBoot", NULL);
	}
}
END_TEST

START_TEST(hostile_stores)
{
	static const struct {
		size_t off;
		uint64_t val;
		int n;
		const char *want;
	} cases[] = {
		{ 40, 0x48564624, 4, "_FVH" },
		{ 32, FV_SIZE + 1, 8, "FvLength" },
		{ 48, FV_SIZE - 8, 2, "HeaderLength" },
		{ 48, 8, 2, "HeaderLength" },
		{ HDR_LEN, 0x1234, 2, "Signature" },
		{ HDR_LEN + 20, 0xff, 1, "Format/State" },
		{ HDR_LEN + 21, 0xff, 1, "Format/State" },
		{ HDR_LEN + 16, FV_SIZE, 4, "variable store Size" },
		{ HDR_LEN + 16, 4, 4, "variable store Size" },
		/* the second variable's DataSize (auth header: +40) */
		{ 0, 0x10000, 4, "CFV variable at 0x" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct efi_varstore vs;
		struct store s;
		size_t second;

		store_init(&s, 1);
		store_add(&s, 0x3f, &vendor, "PK", "k", 1);
		second = store_add(&s, 0x3f, &vendor, "KEK", "k", 1);
		put(s.fv + (cases[i].off ? cases[i].off : second + 40), cases[i].val, cases[i].n);
		ck_assert_int_eq(efi_varstore__open(&vs, "fw.fd", s.fv, sizeof(s.fv)), -1);
		ck_assert_msg(strstr(err__msg(), cases[i].want) && !strncmp(err__msg(), "fw.fd: CFV", 10),
			      "case %zu: %s", i, err__msg());
	}
	/* Too small for a volume header at all. */
	{
		struct efi_varstore vs;
		struct store s;

		store_init(&s, 1);
		ck_assert_int_eq(efi_varstore__open(&vs, "fw.fd", s.fv, 40), -1);
	}
}
END_TEST

/* Microsoft keys enrolled in the sid IntelTdx build; an empty store in
 * bookworm's OVMF.fd. */
START_TEST(vector_firmware)
{
	static const struct {
		const struct guid *g;
		const char *name;
		size_t len;
	} ms[] = {
		{ &vendor, "PK", 1005 }, { &vendor, "KEK", 4071 },
		{ &other, "db", 7636 },  { &other, "dbx", 21292 },
	};
	struct efi_varstore vs;
	const uint8_t *d;
	struct blob b;
	size_t len;

	ck_assert_int_eq(blob__open(&b, test__shared("vectors/firmware/OVMF.inteltdx.ms.fd")), 0);
	ck_assert_int_eq(efi_varstore__open(&vs, b.path, b.data, 0x84000), 0);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(efi_varstore__get(&vs, ms[i].g, ms[i].name, &d, &len), 1);
		ck_assert_uint_eq(len, ms[i].len);
	}
	blob__close(&b);

	ck_assert_int_eq(blob__open(&b, test__shared("vectors/firmware/bookworm_OVMF.fd")), 0);
	ck_assert_int_eq(efi_varstore__open(&vs, b.path, b.data, 0x20000), 0);
	ck_assert_int_eq(efi_varstore__get(&vs, &vendor, "PK", &d, &len), 0);
	blob__close(&b);
}
END_TEST

static Suite *efi_varstore_suite(void)
{
	Suite *s = suite_create("efi-varstore");
	TCase *t = tcase_create("store");

	tcase_add_test(t, states_and_names);
	tcase_add_test(t, hostile_stores);
	tcase_add_test(t, vector_firmware);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(efi_varstore_suite)

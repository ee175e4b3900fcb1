/* Authenticode digests of PE images built in memory (sections out of file
 * order, certificate table present or not, PE32 and PE32+, hostile
 * headers) and of the Debian kernel against its own signature. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/blob.h"
#include "loader/error.h"
#include "measure/authenticode.h"
#include "tests/unit/test.h"

#define PE_OFF      0x40
#define OPT_OFF     (PE_OFF + 24)
#define HEADERS     0x200
#define TRAIL_END   0x540       /* sections end at 0x500, 0x40 trailing bytes */
#define CERT_SIZE   0x40

static void put(uint8_t *p, uint32_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = v >> (8 * i);
}

/* Headers, section B at 0x200 (0x200 bytes) and A at 0x400 (0x100) listed
 * A first, an empty section C, trailing bytes, then (CERT) a certificate
 * table.  Returns the image; *SIZE its length, *CK / *CD the offsets of
 * CheckSum and of the Certificate Table entry. */
static uint8_t *pe(size_t *size, int pe32, uint32_t nrva, int cert, size_t *ck, size_t *cd)
{
	size_t dirs = OPT_OFF + (pe32 ? 96 : 112), table = OPT_OFF + (pe32 ? 224 : 240);
	uint8_t *img;

	*size = TRAIL_END + (cert ? CERT_SIZE : 0);
	img = malloc(*size);
	for (size_t i = 0; i < *size; i++)
		img[i] = i * 7 + (i >> 8);
	memset(img, 0, HEADERS);
	memcpy(img, "MZ", 2);
	put(img + 0x3c, PE_OFF, 4);
	memcpy(img + PE_OFF, "PE\0\0", 4);
	put(img + PE_OFF + 4, 0x8664, 2);
	put(img + PE_OFF + 6, 3, 2);
	put(img + PE_OFF + 20, table - OPT_OFF, 2);
	put(img + OPT_OFF, pe32 ? 0x10b : 0x20b, 2);
	put(img + OPT_OFF + 60, HEADERS, 4);
	put(img + OPT_OFF + 64, 0xdeadbeef, 4);            /* CheckSum: skipped */
	put(img + dirs - 4, nrva, 4);
	if (cert) {
		put(img + dirs + 32, TRAIL_END, 4);
		put(img + dirs + 36, CERT_SIZE, 4);
	}
	memcpy(img + table, ".a", 2);
	put(img + table + 16, 0x100, 4);
	put(img + table + 20, 0x400, 4);
	memcpy(img + table + 40, ".b", 2);
	put(img + table + 56, 0x200, 4);
	put(img + table + 60, 0x200, 4);
	memcpy(img + table + 80, ".c", 2);
	put(img + table + 100, 0x500, 4);       /* no raw data: not hashed */
	*ck = OPT_OFF + 64;
	*cd = dirs + 32;
	return img;
}

static void sha384_of(uint8_t *out, const uint8_t *img, const size_t ranges[][2], int n)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	EVP_DigestInit_ex(c, EVP_sha384(), NULL);
	for (int i = 0; i < n; i++)
		EVP_DigestUpdate(c, img + ranges[i][0], ranges[i][1] - ranges[i][0]);
	EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
}

static int digest(const uint8_t *img, size_t size, uint8_t *out)
{
	struct pe_image pi = { "k.efi", img, size, NULL, 0, -1 };

	return authenticode__digest(&pi, EVP_sha384(), out);
}

/* Sections are hashed in file order (B then A), which here is the bytes
 * from SizeOfHeaders on; the certificate table is left out. */
START_TEST(sections_in_file_order)
{
	for (int pe32 = 0; pe32 <= 1; pe32++) {
		for (int cert = 0; cert <= 1; cert++) {
			size_t size, ck, cd;
			uint8_t *img = pe(&size, pe32, 16, cert, &ck, &cd);
			const size_t r[][2] = { { 0, ck }, { ck + 4, cd }, { cd + 8, TRAIL_END } };
			uint8_t want[48], got[48];

			sha384_of(want, img, r, 3);
			ck_assert_int_eq(digest(img, size, got), 0);
			ck_assert_mem_eq(got, want, 48);
			free(img);
		}
	}
}
END_TEST

/* With four data directories or fewer there is no Certificate Table entry:
 * only CheckSum is skipped, and every byte after the sections counts. */
START_TEST(no_security_directory)
{
	size_t size, ck, cd;
	uint8_t *img = pe(&size, 0, 4, 0, &ck, &cd);
	const size_t r[][2] = { { 0, ck }, { ck + 4, TRAIL_END } };
	uint8_t want[48], got[48];

	sha384_of(want, img, r, 2);
	ck_assert_int_eq(digest(img, size, got), 0);
	ck_assert_mem_eq(got, want, 48);
	free(img);
}
END_TEST

/* A replaced head gives the digest of the patched copy. */
START_TEST(replaced_head)
{
	size_t size, ck, cd;
	uint8_t *img = pe(&size, 0, 16, 1, &ck, &cd), *copy = malloc(size), head[0x240];
	struct pe_image pi = { "k.efi", img, size, head, sizeof(head), -1 };
	uint8_t want[48], got[48];

	memcpy(copy, img, size);
	memcpy(head, img, sizeof(head));
	head[0x1f1] = 0x55;             /* inside the headers */
	head[0x23f] = 0x66;             /* inside section B */
	copy[0x1f1] = 0x55;
	copy[0x23f] = 0x66;
	ck_assert_int_eq(digest(copy, size, want), 0);
	ck_assert_int_eq(authenticode__digest(&pi, EVP_sha384(), got), 0);
	ck_assert_mem_eq(got, want, 48);
	ck_assert_int_eq(digest(img, size, got), 0);
	ck_assert_mem_ne(got, want, 48);
	free(img);
	free(copy);
}
END_TEST

/* The bulk hashed through a descriptor gives the same digest; a file that
 * shrank since it was mapped is an error, not a short digest (nor SIGBUS). */
START_TEST(read_through_fd)
{
	char path[] = "/tmp/cvm-test-pe-XXXXXX";
	size_t size, ck, cd;
	uint8_t *img = pe(&size, 0, 16, 1, &ck, &cd), head[0x240], want[48], got[48];
	int fd = mkstemp(path);
	struct pe_image pi = { "k.efi", img, size, head, sizeof(head), fd };

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, img, size), (ssize_t)size);
	memcpy(head, img, sizeof(head));
	head[0x23f] ^= 1;
	pi.fd = -1;
	ck_assert_int_eq(authenticode__digest(&pi, EVP_sha384(), want), 0);
	pi.fd = fd;
	ck_assert_int_eq(authenticode__digest(&pi, EVP_sha384(), got), 0);
	ck_assert_mem_eq(got, want, 48);

	ck_assert_int_eq(ftruncate(fd, 0x4f0), 0);
	ck_assert_int_eq(authenticode__digest(&pi, EVP_sha384(), got), -1);
	ck_assert_str_eq(err__msg(), "k.efi: shorter than when opened");
	close(fd);
	unlink(path);
	free(img);
}
END_TEST

START_TEST(hostile_images)
{
	static const struct {
		size_t off;             /* 0: truncate the file to VAL instead */
		uint32_t val;
		int width;
		const char *want;
	} cases[] = {
		{ 0, 0x480, 0, "section 0 PointerToRawData" },
		{ 0, 0x50, 0, "PE file header: truncated" },
		{ 0, 0x42, 0, "PE e_lfanew" },
		{ 0, 0x30, 0, "PE e_lfanew" },
		{ 0, 1, 0, "MZ" },
		{ 0x0, 0x5a4e, 2, "MZ" },
		{ 0x3c, 0xfffffff0, 4, "PE e_lfanew" },
		{ OPT_OFF, 0x107, 2, "Magic: 0x107" },
		{ PE_OFF + 20, 100, 2, "SizeOfOptionalHeader" },
		{ PE_OFF + 20, 120, 2, "NumberOfRvaAndSizes: 16" },
		{ OPT_OFF + 60, 0x10000, 4, "SizeOfHeaders" },
		{ OPT_OFF + 60, 0x80, 4, "SizeOfHeaders" },
		{ PE_OFF + 6, 0xffff, 2, "NumberOfSections" },
		{ OPT_OFF + 112 + 36, 0x81, 4, "Certificate Table Size: 0x81" },
		/* .b moved onto .a: hashing overlaps would multiply the work */
		{ OPT_OFF + 240 + 60, 0x300, 4, "section 0 PointerToRawData: [0x400, +0x100) overlaps section 1" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t size, ck, cd;
		uint8_t *img = pe(&size, 0, 16, 1, &ck, &cd), out[48];

		if (cases[i].width)
			put(img + cases[i].off, cases[i].val, cases[i].width);
		else
			size = cases[i].val;
		ck_assert_int_eq(digest(img, size, out), -1);
		ck_assert_msg(strstr(err__msg(), cases[i].want) && !strncmp(err__msg(), "k.efi: ", 7),
			      "case %zu: %s", i, err__msg());
		ck_assert_int_eq(err__status(), CVM_EXIT_BADINPUT);
		free(img);
	}
}
END_TEST

/* Debian signed this kernel: the SHA-256 image digest in the certificate
 * table's SpcIndirectDataContent (openssl asn1parse) is an independent
 * answer for the unpatched file. */
START_TEST(debian_kernel_signature)
{
	static const uint8_t signed_digest[32] = {
		0x5f, 0x21, 0xff, 0x2c, 0x0d, 0x5d, 0x89, 0x98, 0x42, 0xb2, 0x8a, 0x8b,
		0x19, 0x90, 0x1b, 0xa7, 0x2c, 0xf7, 0xa7, 0xab, 0x93, 0xc0, 0x2a, 0x77,
		0xfa, 0xdc, 0x6f, 0xf7, 0x2b, 0xe8, 0x5b, 0x31,
	};
	struct blob k;
	struct pe_image pi;
	uint8_t out[32];

	ck_assert_int_eq(blob__open(&k, test__shared("vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64")), 0);
	pi = (struct pe_image){ k.path, k.data, k.size, NULL, 0, -1 };
	ck_assert_int_eq(authenticode__digest(&pi, EVP_sha256(), out), 0);
	ck_assert_mem_eq(out, signed_digest, 32);
	blob__close(&k);
}
END_TEST

static Suite *authenticode_suite(void)
{
	Suite *s = suite_create("authenticode");
	TCase *t = tcase_create("pe");

	tcase_add_test(t, sections_in_file_order);
	tcase_add_test(t, no_security_directory);
	tcase_add_test(t, replaced_head);
	tcase_add_test(t, read_through_fd);
	tcase_add_test(t, hostile_images);
	tcase_add_test(t, debian_kernel_signature);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(authenticode_suite)

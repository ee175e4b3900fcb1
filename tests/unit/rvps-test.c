#include <openssl/evp.h>
#include <string.h>

#include "tests/unit/rvps-test.h"
#include "tests/unit/test.h"

void rvps_test__payload(const char *msg, char *payload, size_t cap)
{
	static const char head[] = "{\"version\": \"0.1.0\", \"type\": \"sample\", \"payload\": \"";
	const char *b64 = msg + strlen(head), *end;
	size_t n;
	int len;

	ck_assert_msg(!strncmp(msg, head, strlen(head)), "not an RVPS message: %s", msg);
	end = strchr(b64, '"');
	ck_assert_ptr_nonnull(end);
	ck_assert_str_eq(end, "\"}\n");
	n = end - b64;
	ck_assert_msg(n % 4 == 0 && 3 * n / 4 < cap, "payload of %zu base64 characters", n);
	len = EVP_DecodeBlock((unsigned char *)payload, (const unsigned char *)b64, n);
	ck_assert_int_ge(len, 0);
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	len -= (n && b64[n - 1] == '=') + (n > 1 && b64[n - 2] == '=');
	payload[len] = 0;
	ck_assert_uint_eq(strlen(payload), (size_t)len);
}

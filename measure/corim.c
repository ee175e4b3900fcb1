#include <openssl/evp.h>
#include <string.h>

#include "loader/error.h"
#include "measure/corim.h"
#include "measure/digest.h"
#include "measure/output.h"
#include "measure/rim.h"

/* Named-information hash names (IANA), as CoRIM digests spell them. */
static const char *ni_name(enum plan_realm_hash h)
{
	switch (h) {
	case PLAN_REALM_SHA256: return "sha-256";
	case PLAN_REALM_SHA384: return "sha-384";
	case PLAN_REALM_SHA512: return "sha-512";
	}
	return NULL;
}

/* Whether RIMS[I] repeats an earlier one. */
static bool repeated(const uint8_t (*rims)[RIM_MAX], size_t i, size_t len)
{
	for (size_t k = 0; k < i; k++)
		if (!memcmp(rims[k], rims[i], len))
			return true;
	return false;
}

/* A version 8 (vendor-specific) UUID from SHA-256 of a label and the
 * distinct RIMs. */
static int tag_uuid(const uint8_t (*rims)[RIM_MAX], size_t n, size_t len, char out[37])
{
	static const char label[] = "cvm-measure cca realm comid";
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t d[32];
	char *o = out;
	int ok = ctx && EVP_DigestInit_ex(ctx, digest__sha256(), NULL) &&
		 EVP_DigestUpdate(ctx, label, sizeof(label));

	for (size_t i = 0; ok && i < n; i++)
		if (!repeated(rims, i, len))
			ok = EVP_DigestUpdate(ctx, rims[i], len);
	ok = ok && EVP_DigestFinal_ex(ctx, d, NULL);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return err__set_status(CVM_EXIT_FAIL, "sha256: hashing failed");
	d[6] = (d[6] & 0x0f) | 0x80;
	d[8] = (d[8] & 0x3f) | 0x80;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		o += sprintf(o, "%02x", d[i]);
	}
	return 0;
}

/* One reference-value triple: the realm instance RIM, its "rim" register. */
static void triple(FILE *f, const char *name, const uint8_t *rim, size_t len, bool first)
{
	fputs(first ? "      {\n" : ",\n      {\n", f);
	fputs("        \"environment\": {\"instance\": {\"type\": \"bytes\", \"value\": \"", f);
	out__base64(f, rim, len);
	fputs("\"}},\n        \"measurements\": [\n          {\"value\": {\"integrity-registers\": {\n"
	      "            \"rim\": {\"key-type\": \"text\", \"value\": [\"", f);
	fprintf(f, "%s;", name);
	out__base64(f, rim, len);
	fputs("\"]}\n          }}}\n        ]\n      }", f);
}

int corim__realm_comid(FILE *f, enum plan_realm_hash h, const uint8_t (*rims)[RIM_MAX], size_t n)
{
	size_t len = rim__hash_size(h);
	const char *name = ni_name(h);
	char uuid[37];

	if (!name || !len)
		return err__set("realm hash algorithm %d: no CoRIM name", (int)h);
	if (tag_uuid(rims, n, len, uuid) < 0)
		return -1;
	fprintf(f, "{\n  \"tag-identity\": {\"id\": \"%s\", \"version\": 0},\n", uuid);
	fputs("  \"triples\": {\n    \"reference-values\": [\n", f);
	for (size_t i = 0; i < n; i++)
		if (!repeated(rims, i, len))
			triple(f, name, rims[i], len, i == 0);
	fputs("\n    ]\n  }\n}\n", f);
	return 0;
}

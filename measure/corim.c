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

/* A version 8 (vendor-specific) UUID from SHA-256 of a label and the RIM. */
static int tag_uuid(const uint8_t *rim, size_t len, char out[37])
{
	static const char label[] = "cvm-measure cca realm comid";
	uint8_t d[32], in[sizeof(label) + RIM_MAX];
	char *o = out;

	memcpy(in, label, sizeof(label));
	memcpy(in + sizeof(label), rim, len);
	if (!EVP_Digest(in, sizeof(label) + len, d, NULL, digest__sha256(), NULL))
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

int corim__realm_comid(FILE *f, enum plan_realm_hash h, const uint8_t *rim)
{
	size_t len = rim__hash_size(h);
	const char *name = ni_name(h);
	char uuid[37];

	if (!name || !len)
		return err__set("realm hash algorithm %d: no CoRIM name", (int)h);
	if (tag_uuid(rim, len, uuid) < 0)
		return -1;
	fprintf(f, "{\n  \"tag-identity\": {\"id\": \"%s\", \"version\": 0},\n", uuid);
	fputs("  \"triples\": {\n    \"reference-values\": [\n      {\n"
	      "        \"environment\": {\"instance\": {\"type\": \"bytes\", \"value\": \"", f);
	out__base64(f, rim, len);
	fputs("\"}},\n        \"measurements\": [\n          {\"value\": {\"integrity-registers\": {\n"
	      "            \"rim\": {\"key-type\": \"text\", \"value\": [\"", f);
	fprintf(f, "%s;", name);
	out__base64(f, rim, len);
	fputs("\"]}\n          }}}\n        ]\n      }\n    ]\n  }\n}\n", f);
	return 0;
}

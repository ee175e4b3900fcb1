/* cvm-measure firmware-info: what an OVMF image tells the launch code, as
 * text or JSON.  Each part prints itself as one block (text) or one
 * top-level key (JSON), so a firmware family adds its part as one call. */
#include <stdio.h>
#include <string.h>

#include "loader/blob.h"
#include "loader/error.h"
#include "loader/ovmf.h"
#include "loader/sev-metadata.h"
#include "loader/tdvf.h"
#include "measure/options.h"
#include "measure/output.h"

static const struct guid guid_igvm_params = GUID_INIT(0x784fa70e, 0x3176, 0x4677,
	0x8a, 0x20, 0x04, 0xb6, 0x86, 0x99, 0xe3, 0x74);

static const struct {
	const struct guid *guid;
	const char *name;
} known[] = {
	{ &ovmf_guid_sev_es_reset, "SEV_ES_RESET_BLOCK" },
	{ &ovmf_guid_sev_secret, "SEV_SECRET_BLOCK" },
	{ &ovmf_guid_sev_hash_table, "SEV_HASH_TABLE_RV" },
	{ &ovmf_guid_sev_metadata, "OVMF_SEV_METADATA" },
	{ &ovmf_guid_tdx_metadata, "TDX_METADATA_OFFSET" },
	{ &ovmf_guid_svsm_info, "SVSM_INFO" },
	{ &guid_igvm_params, "IGVM_PARAMETER_AREAS" },
};

static const char *guid_name(const uint8_t *g)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (guid__eq(known[i].guid, g))
			return known[i].name;
	return "unknown";
}

static void guid_str(const uint8_t *g, char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12],
		 g[13], g[14], g[15]);
}

static uint32_t get_u32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void print_footer(FILE *f, const struct ovmf *o, bool json)
{
	char g[37];

	if (!json)
		fprintf(f, "footer table: %zu entries\n", o->nentries);
	else
		fputs("  \"footer_table\": [", f);
	for (size_t i = 0; i < o->nentries; i++) {
		const struct ovmf_entry *e = &o->entries[i];

		guid_str(e->guid, g);
		if (json) {
			fprintf(f, "%s\n    {\"guid\": \"%s\", \"name\": \"%s\", \"data\": \"",
				i ? "," : "", g, guid_name(e->guid));
			out__hex(f, e->data, e->len);
			fputs("\"}", f);
		} else {
			fprintf(f, "  %s  %-22s ", g, guid_name(e->guid));
			out__hex(f, e->data, e->len);
			fputc('\n', f);
		}
	}
	if (json)
		fputs(o->nentries ? "\n  ],\n" : "],\n", f);
}

/* A pair of u32 from a footer entry (EIP, base+size, gpa+size), or absent. */
static int pair(const struct ovmf *o, const struct guid *g, uint32_t *a, uint32_t *b)
{
	size_t len;
	const uint8_t *d = ovmf__find(o, g, &len);

	if (!d || len < 4)
		return 0;
	*a = get_u32(d);
	*b = len >= 8 ? get_u32(d + 4) : 0;
	return len >= 8 ? 2 : 1;
}

/* {"KEY": "0x..", "size": "0x.."}, or null when the entry is absent. */
static void json_range(FILE *f, bool present, const char *key, uint32_t a, uint32_t size)
{
	if (present)
		fprintf(f, "{\"%s\": \"0x%x\", \"size\": \"0x%x\"}", key, a, size);
	else
		fputs("null", f);
}

static void print_sev(FILE *f, const struct ovmf *o, const struct sev_metadata *m, bool json)
{
	uint32_t eip = 0, unused, base = 0, size = 0, gpa = 0, len = 0;
	bool has_eip = pair(o, &ovmf_guid_sev_es_reset, &eip, &unused) > 0;
	bool has_secret = pair(o, &ovmf_guid_sev_secret, &base, &size) == 2;
	bool has_table = pair(o, &ovmf_guid_sev_hash_table, &gpa, &len) == 2;

	if (json) {
		fputs("  \"sev\": {\"ap_reset_eip\": ", f);
		if (has_eip)
			fprintf(f, "\"0x%x\"", eip);
		else
			fputs("null", f);
		fputs(", \"secret\": ", f);
		json_range(f, has_secret, "base", base, size);
		fputs(", \"hash_table\": ", f);
		json_range(f, has_table, "gpa", gpa, len);
		fputs(", \"metadata\": [", f);
		for (size_t i = 0; i < m->nsections; i++)
			fprintf(f, "%s\n    {\"index\": %zu, \"type\": %u, \"name\": \"%s\", \"gpa\": \"0x%x\", \"size\": \"0x%x\"}",
				i ? "," : "", i, (unsigned)m->sections[i].type,
				sev_section__name(m->sections[i].type), m->sections[i].gpa,
				m->sections[i].size);
		fputs(m->nsections ? "\n  ]}" : "]}", f);
		return;
	}
	if (has_eip)
		fprintf(f, "SEV-ES AP reset EIP: 0x%x\n", eip);
	if (has_secret)
		fprintf(f, "SEV secret block: base 0x%x size 0x%x\n", base, size);
	if (has_table)
		fprintf(f, "SEV hash table: gpa 0x%x size 0x%x%s\n", gpa, len,
			gpa ? "" : " (no kernel hashes)");
	fprintf(f, "SEV metadata (ASEV): %zu sections\n", m->nsections);
	for (size_t i = 0; i < m->nsections; i++)
		fprintf(f, "  %2zu %-18s gpa 0x%08x size 0x%08x\n", i,
			sev_section__name(m->sections[i].type), m->sections[i].gpa,
			m->sections[i].size);
}

int measure__firmware_info(const char *path, bool json)
{
	struct sev_metadata m;
	struct tdvf t;
	struct ovmf o;
	struct blob b;
	FILE *f = stdout;

	if (blob__open(&b, path) < 0)
		goto fail;
	/* Everything is parsed before anything is printed: no partial output. */
	if (ovmf__parse(&o, path, b.data, b.size) < 0 || sev_metadata__parse(&m, &o) < 0 ||
	    tdvf__parse(&t, &o, false) < 0) {
		blob__close(&b);
		goto fail;
	}
	if (json) {
		fputs("{\n  \"path\": ", f);
		out__json_str(f, path);
		fprintf(f, ",\n  \"size\": %zu,\n", b.size);
	} else {
		fprintf(f, "%s: %zu bytes\n", path, b.size);
	}
	print_footer(f, &o, json);
	print_sev(f, &o, &m, json);
	if (json) {
		fputs(",\n  \"tdvf\": ", f);
		tdvf__print(f, &t, true);
		fputs("\n}\n", f);
	} else {
		tdvf__print(f, &t, false);
	}
	blob__close(&b);
	if (fflush(f) || ferror(f)) {
		err__set_status(CVM_EXIT_FAIL, "stdout: write error");
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "cvm-measure: %s\n", err__msg());
	return err__status();
}

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/x86/td-hob.h"
#include "loader/error.h"
#include "measure/authenticode.h"
#include "measure/digest.h"
#include "measure/efi-varstore.h"
#include "measure/hashpool.h"
#include "measure/tdvf-events.h"

/* 20 events at most (3.3); the log has room for them. */
_Static_assert(RTMR_MAX_EVENTS >= 20, "the TDVF boot log needs 20 events");

static const struct guid efi_global_variable = GUID_INIT(0x8be4df61, 0x93ca, 0x11d2,
	0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c);
static const struct guid efi_image_security_db = GUID_INIT(0xd719b2cb, 0x3d3a, 0x4596,
	0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f);
static const struct guid secure_boot_enable_disable = GUID_INIT(0xf0a30bc7, 0xaf08, 0x4556,
	0x99, 0xc4, 0x00, 0x10, 0x09, 0xc9, 0x3a, 0x44);
/* OVMF's DXE firmware volume and the UiApp file in it: the default Boot0000. */
static const struct guid ovmf_dxe_fv = GUID_INIT(0x7cb8bdc9, 0xf8eb, 0x4f34,
	0xaa, 0xea, 0x3e, 0xe4, 0xaf, 0x65, 0x16, 0xa1);
static const struct guid ovmf_ui_app = GUID_INIT(0x462caa21, 0x7614, 0x4503,
	0x83, 0x6e, 0x8a, 0xb6, 0xf4, 0x66, 0x23, 0x31);

#define INITRD_OPTION " initrd=initrd"   /* OVMF's QemuLoadImageLib appends it */

const char *tdvf_separator__name(enum tdvf_separator s)
{
	return s == TDVF_SEPARATOR_PRE_202411 ? "pre-202411" : "post-202411";
}

int tdvf_separator__parse(const char *val, enum tdvf_separator *out)
{
	for (enum tdvf_separator s = TDVF_SEPARATOR_POST_202411; s <= TDVF_SEPARATOR_PRE_202411; s++)
		if (!strcmp(val, tdvf_separator__name(s))) {
			*out = s;
			return 0;
		}
	return err__set("--tdx-separator: '%s' is not post-202411 or pre-202411", val);
}

struct part {
	const void *p;
	size_t n;
};

static int sha384(uint8_t out[RTMR_SIZE], const struct part *parts, size_t n)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!c || !EVP_DigestInit_ex(c, digest__sha384(), NULL)) {
		EVP_MD_CTX_free(c);
		return err__set_status(CVM_EXIT_FAIL, "SHA-384 unavailable");
	}
	for (size_t i = 0; i < n; i++)
		EVP_DigestUpdate(c, parts[i].p, parts[i].n);
	EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
	return 0;
}

static int event(struct rtmr_log *log, unsigned reg, uint32_t type, const char *desc,
		 const void *data, size_t len)
{
	return sha384(rtmr__add(log, reg, type, desc)->digest, &(struct part){ data, len }, 1);
}

/* An event whose digest a job computed. */
static void logged(struct rtmr_log *log, unsigned reg, uint32_t type, const char *desc,
		   const uint8_t digest[RTMR_SIZE])
{
	memcpy(rtmr__add(log, reg, type, desc)->digest, digest, RTMR_SIZE);
}

/* What the plan serves through fw_cfg: the legacy item KEY, or the file
 * NAME when KEY is 0; NULL when it serves none. */
static const struct fw_cfg_item *served(const struct tdvf_boot *b, uint16_t key, const char *name)
{
	return fw_cfg_list__find(&b->plan->fw_cfg, key, name);
}

/* The kernel OVMF loads, the setup and kernel items end to end, hashed as
 * an EFI application: the served setup (QEMU's patched header) over the
 * file whose tail the kernel item is (tdvf_events__kernel_job checked it),
 * read through its path. */
static int kernel_job(void *arg)
{
	struct tdvf_digests *d = arg;
	const struct blob *k = &d->boot->layout->kernel;
	const struct fw_cfg_item *setup = served(d->boot, FW_CFG_SETUP_DATA, NULL);
	struct pe_image img = { k->path, k->data, k->size, setup->data, setup->len, -1 };
	uint64_t size;
	int ret;

	img.fd = blob__open_fd(k->path, 0, NULL, &size);
	if (img.fd < 0)
		return -1;
	if (size != k->size)
		ret = err__set("%s: changed since it was mapped", k->path);
	else
		ret = authenticode__digest(&img, digest__sha384(), d->kernel);
	close(img.fd);
	return ret;
}

/* The initrd may be large: read a buffer at a time (hash_pool's file
 * digest, run by this thread alone). */
static int initrd_job(void *arg)
{
	struct tdvf_digests *d = arg;
	struct hash_pool *hp = hash_pool__new(0);
	struct hash_job *j = hp ? hash_pool__file(hp, digest__sha384(), d->boot->layout->initrd.path,
						  0, NULL) : NULL;
	const uint8_t *digest = j ? hash_job__wait(j, 0) : NULL;

	if (digest)
		memcpy(d->initrd, digest, RTMR_SIZE);
	if (j)
		hash_job__free(j);
	if (hp)
		hash_pool__free(hp);
	return digest ? 0 : -1;
}

static int cfv_job(void *arg)
{
	struct tdvf_digests *d = arg;
	const struct tdx_layout *l = d->boot->layout;
	const struct tdvf_section *cfv = tdvf__find(&l->tdvf, TDVF_CFV);

	return sha384(d->cfv, &(struct part){ l->firmware.data + cfv->data_offset, cfv->raw_size }, 1);
}

/* EV_EFI_VARIABLE_DRIVER_CONFIG: UEFI_VARIABLE_DATA = GUID, u64 name
 * length in characters, u64 data length, name in UTF-16 without NUL, data. */
static int variable(struct rtmr_log *log, const struct guid *g, const char *name,
		    const uint8_t *data, size_t len)
{
	struct rtmr_event *e = rtmr__add(log, 0, EV_EFI_VARIABLE_DRIVER_CONFIG, name);
	uint8_t sizes[16], u16[64];
	size_t n = strlen(name);

	for (int i = 0; i < 8; i++) {
		sizes[i] = (uint64_t)n >> (8 * i);
		sizes[8 + i] = (uint64_t)len >> (8 * i);
	}
	for (size_t i = 0; i < n; i++) {
		u16[2 * i] = name[i];
		u16[2 * i + 1] = 0;
	}
	return sha384(e->digest, (struct part[]){ { g->b, 16 }, { sizes, 16 }, { u16, 2 * n },
						  { data, len } }, 4);
}

/* The Secure Boot policy TDVF measures from its CFV variable store. */
static int secure_boot_variables(struct rtmr_log *log, const struct tdvf_boot *b)
{
	const struct tdx_layout *l = b->layout;
	const struct tdvf_section *cfv = tdvf__find(&l->tdvf, TDVF_CFV);
	static const struct {
		const struct guid *g;
		const char *name;
	} keys[] = {
		{ &efi_global_variable, "PK" },        { &efi_global_variable, "KEK" },
		{ &efi_image_security_db, "db" },      { &efi_image_security_db, "dbx" },
	};
	const uint8_t *data, *pk = NULL, *enable;
	size_t len, pk_len = 0, enable_len;
	struct efi_varstore vs;
	uint8_t secure_boot;

	if (efi_varstore__open(&vs, l->tdvf.path, l->firmware.data + cfv->data_offset,
			       cfv->raw_size) < 0)
		return -1;
	/* AuthVariableLib: SecureBoot is 1 once a PK is enrolled unless
	 * SecureBootEnable says 0; with no PK it stays empty. */
	efi_varstore__get(&vs, &efi_global_variable, "PK", &pk, &pk_len);
	secure_boot = !efi_varstore__get(&vs, &secure_boot_enable_disable, "SecureBootEnable",
					 &enable, &enable_len) ||
		      !enable_len || enable[0];
	if (variable(log, &efi_global_variable, "SecureBoot", &secure_boot, pk_len ? 1 : 0) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!efi_varstore__get(&vs, keys[i].g, keys[i].name, &data, &len))
			len = 0;
		if (variable(log, keys[i].g, keys[i].name, len ? data : NULL, len) < 0)
			return -1;
	}
	return 0;
}

/* BootOrder and Boot0000 as OVMF's platform boot manager creates them on a
 * first boot: a single UiApp entry (the "pre-202505" layout). */
static int boot_variables(struct rtmr_log *log)
{
	static const uint8_t boot_order[] = { 0x00, 0x00 };
	uint8_t opt[6 + 12 + 20 + 20 + 4], *p = opt;
	static const char desc[] = "UiApp";

	/* EFI_LOAD_OPTION: Attributes ACTIVE | HIDDEN | CATEGORY_APP,
	 * FilePathListLength 44. */
	memcpy(p, "\x09\x01\x00\x00\x2c\x00", 6);
	p += 6;
	for (size_t i = 0; i < sizeof(desc); i++, p += 2) {
		p[0] = desc[i];
		p[1] = 0;
	}
	/* MEDIA_PIWG_FW_VOL_DP, MEDIA_PIWG_FW_FILE_DP, END_ENTIRE */
	memcpy(p, "\x04\x07\x14\x00", 4);
	memcpy(p + 4, ovmf_dxe_fv.b, 16);
	memcpy(p + 20, "\x04\x06\x14\x00", 4);
	memcpy(p + 24, ovmf_ui_app.b, 16);
	memcpy(p + 40, "\x7f\xff\x04\x00", 4);

	if (event(log, 0, EV_EFI_VARIABLE_BOOT, "BootOrder", boot_order, sizeof(boot_order)) < 0)
		return -1;
	return event(log, 0, EV_EFI_VARIABLE_BOOT, "Boot0000(UiApp)", opt, sizeof(opt));
}

static int action(struct rtmr_log *log, const char *text)
{
	return event(log, 1, EV_EFI_ACTION, text, text, strlen(text));
}

/* LOADED_IMAGE::LoadOptions as OVMF builds them (each command-line byte
 * widened to UTF-16, " initrd=initrd" when there is an initrd, NUL), which
 * the Linux EFI stub measures when they are not empty. */
static int load_options(struct rtmr_log *log, const char *cmdline, int initrd)
{
	const char *suffix = initrd ? INITRD_OPTION : "";
	size_t n = strlen(cmdline), m = strlen(suffix), i;
	uint8_t *u16;
	int ret;

	if (n + m == 0)
		return 0;
	u16 = malloc(2 * (n + m + 1));
	if (!u16)
		return err__set_status(CVM_EXIT_FAIL, "out of memory");
	for (i = 0; i <= n + m; i++) {
		u16[2 * i] = i < n ? cmdline[i] : i < n + m ? suffix[i - n] : 0;
		u16[2 * i + 1] = 0;
	}
	ret = event(log, 2, EV_EVENT_TAG, "cmdline(UTF-16LE+NUL)", u16, 2 * (n + m + 1));
	free(u16);
	return ret;
}

/* The fw_cfg file NAME as TDVF measures it (EV_PLATFORM_CONFIG_FLAGS). */
static int file_event(struct rtmr_log *log, const struct tdvf_boot *b, const char *name)
{
	const struct fw_cfg_item *f = served(b, 0, name);

	if (!f)
		return err__set("RTMR0: the launch serves no fw_cfg file %s (TDVF measures it)", name);
	return event(log, 0, EV_PLATFORM_CONFIG_FLAGS, f->name, f->data, f->len);
}

static int firmware_events(struct rtmr_log *log, const struct tdvf_digests *d)
{
	const struct tdvf_boot *b = d->boot;
	const struct tdx_layout *l = b->layout;
	static const uint8_t separator[4];

	if (event(log, 0, EV_EFI_HANDOFF_TABLES2, "TD_HOB", l->hob,
		  l->hob_len - TD_HOB_END_SIZE) < 0)
		return -1;
	logged(log, 0, EV_EFI_PLATFORM_FIRMWARE_BLOB2, "CFV", d->cfv);
	if (secure_boot_variables(log, b) < 0 ||
	    event(log, 0, EV_SEPARATOR, "separator", separator, sizeof(separator)) < 0 ||
	    file_event(log, b, TDVF_FILE_LOADER) < 0 || file_event(log, b, TDVF_FILE_RSDP) < 0 ||
	    file_event(log, b, TDVF_FILE_TABLES) < 0)
		return -1;
	return 0;
}

static int boot_events(struct rtmr_log *log, const struct tdvf_digests *d)
{
	const struct tdvf_boot *b = d->boot;
	static const uint8_t separator[4];
	unsigned sep_reg = b->separator == TDVF_SEPARATOR_PRE_202411 ? 0 : 1;
	const char *cmdline = fw_cfg_list__cmdline(&b->plan->fw_cfg);
	int initrd = served(b, FW_CFG_INITRD_DATA, NULL) != NULL;

	logged(log, 1, EV_EFI_BOOT_SERVICES_APPLICATION, "kernel(authenticode, QEMU-patched)",
	       d->kernel);
	/* OVMF reads the command line with its NUL (x86__fw_cfg_linux). */
	if (!cmdline)
		return err__set("RTMR2: the launch serves no NUL-terminated command line");
	if (boot_variables(log) < 0 ||
	    action(log, "Calling EFI Application from Boot Option") < 0 ||
	    event(log, sep_reg, EV_SEPARATOR, "separator(ReadyToBoot)", separator,
		  sizeof(separator)) < 0 ||
	    load_options(log, cmdline, initrd) < 0)
		return -1;
	/* The stub measures an initrd it got through LINUX_EFI_INITRD_MEDIA_GUID. */
	if (initrd)
		logged(log, 2, EV_EVENT_TAG, "initrd", d->initrd);
	if (action(log, "Exit Boot Services Invocation") < 0 ||
	    action(log, "Exit Boot Services Returned with Success") < 0)
		return -1;
	return 0;
}

int tdvf_events__jobs(const struct tdvf_boot *b, struct tdvf_digests *d, struct job *jobs,
		      size_t *n)
{
	const struct tdx_layout *l = b->layout;
	const struct tdvf_section *cfv = tdvf__find(&l->tdvf, TDVF_CFV);
	const struct fw_cfg_item *initrd = served(b, FW_CFG_INITRD_DATA, NULL);
	static const char *const files[3] = { TDVF_FILE_LOADER, TDVF_FILE_RSDP, TDVF_FILE_TABLES };

	memset(d, 0, sizeof(*d));
	d->boot = b;
	*n = 0;
	if (!cfv)
		return err__set("%s: TDVF metadata: no CFV section (the variable store TDVF measures)",
				l->tdvf.path);
	for (int i = 0; i < 3; i++)
		if (!served(b, 0, files[i]))
			return err__set("RTMR0: the launch serves no fw_cfg file %s (TDVF measures it)",
					files[i]);
	/* The initrd is hashed from its path: it must be what is served. */
	if (initrd && (!l->initrd.path || initrd->data != l->initrd.data ||
		       initrd->len != l->initrd.size))
		return err__set("RTMR2: the launch serves an initrd that is not the mapped file %s",
				l->initrd.path ? l->initrd.path : "(none)");
	if (tdvf_events__kernel_job(b, d, &jobs[(*n)++]) < 0)
		return -1;
	jobs[(*n)++] = (struct job){ .fn = cfv_job, .arg = d, .cost = cfv->raw_size };
	if (initrd)
		jobs[(*n)++] = (struct job){ .fn = initrd_job, .arg = d, .cost = initrd->len };
	return 0;
}

int tdvf_events__kernel_job(const struct tdvf_boot *b, struct tdvf_digests *d, struct job *job)
{
	const struct blob *k = &b->layout->kernel;
	const struct fw_cfg_item *setup = served(b, FW_CFG_SETUP_DATA, NULL);
	const struct fw_cfg_item *rest = served(b, FW_CFG_KERNEL_DATA, NULL);

	d->boot = b;
	/* Checked before any job runs: what is hashed is what is served. */
	if (!setup || !rest || !k->path || setup->len > k->size ||
	    rest->data != k->data + setup->len || setup->len + rest->len != k->size)
		return err__set("RTMR1: the launch serves no kernel through fw_cfg, or not the "
				"mapped file %s", k->path ? k->path : "(none)");
	*job = (struct job){ .fn = kernel_job, .arg = d, .cost = k->size };
	return 0;
}

int tdvf_events__log(const struct tdvf_digests *d, struct rtmr_log *log)
{
	memset(log, 0, sizeof(*log));
	if (firmware_events(log, d) < 0 || boot_events(log, d) < 0)
		return -1;
	return 0;
}

int tdvf_events__build(const struct tdvf_boot *b, struct rtmr_log *log)
{
	struct job jobs[TDVF_JOBS];
	struct tdvf_digests d;
	size_t n;

	if (tdvf_events__jobs(b, &d, jobs, &n) < 0 || jobs__run(jobs, n) < 0)
		return -1;
	return tdvf_events__log(&d, log);
}

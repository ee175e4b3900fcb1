#include <openssl/evp.h>
#include <string.h>

#include "arch/x86/firmware.h"
#include "loader/error.h"
#include "loader/ovmf.h"
#include "loader/sev.h"
#include "tests/unit/fw-image.h"
#include "tests/unit/test.h"

#define PAGE 4096

struct expect_op {
	enum plan_kind kind;
	uint64_t gpa, len;
	const char *what;
};

static void expect_ops(const struct plan *p, const struct expect_op *want, size_t n)
{
	ck_assert_uint_eq(p->nops, n);
	for (size_t i = 0; i < n; i++) {
		const struct plan_op *op = &p->ops[i];

		ck_assert_msg(op->kind == want[i].kind && op->gpa == want[i].gpa &&
			      op->len == want[i].len && !strcmp(op->what, want[i].what),
			      "op %zu: %s %s %#llx+%#llx, want %s %s %#llx+%#llx", i,
			      plan__kind_name(op->kind), op->what, (unsigned long long)op->gpa,
			      (unsigned long long)op->len, plan__kind_name(want[i].kind),
			      want[i].what, (unsigned long long)want[i].gpa,
			      (unsigned long long)want[i].len);
	}
}

static void hashes(struct sev_hashes *h)
{
	uint8_t k[32], i[32];

	memset(k, 0x11, 32);
	memset(i, 0x22, 32);
	ck_assert_int_eq(sev_hashes__fill(h, k, i, "console=ttyS0"), 0);
}

/* A plan for FIRMWARE (under vectors/) with the launch in CFG. */
static int build(struct plan *p, struct sev_launch *cfg, const char *firmware)
{
	plan__init(p);
	ck_assert_int_eq(plan__map(p, test__shared(firmware), &cfg->firmware), 0);
	err__clear();
	return sev__build_plan(p, cfg);
}

START_TEST(snp_debian_amdsev)
{
	static const struct expect_op want[] = {
		{ PLAN_NORMAL, 0xffc00000, 0x400000, "firmware" },
		{ PLAN_ZERO, 0x800000, 0x9000, "SNP_SEC_MEM" },
		{ PLAN_ZERO, 0x80a000, 0x3000, "SNP_SEC_MEM" },
		{ PLAN_SECRETS, 0x80d000, 0x1000, "SNP_SECRETS" },
		{ PLAN_CPUID, 0x80e000, 0x1000, "CPUID" },
		{ PLAN_ZERO, 0x80f000, 0x1000, "SVSM_CAA" },
		{ PLAN_ZERO, 0x811000, 0x1f000, "SNP_SEC_MEM" },
		{ PLAN_NORMAL, 0x810000, 0x1000, "SNP_KERNEL_HASHES" },
		{ PLAN_VMSA, 0, PAGE, "vmsa0" },
		{ PLAN_VMSA, 0, PAGE, "vmsa1" },
	};
	struct sev_hashes h;
	struct sev_launch cfg = {
		.mode = SEV_MODE_SNP, .hashes = &h, .vcpus = 2, .vcpu_sig = 0x800f12,
		.vmm = SEV_VMM_QEMU, .era = VMSA_ERA_INIT2, .guest_features = 0x21,
	};
	uint8_t table[SEV_HASHES_PADDED_LEN];
	const uint8_t *page;
	struct plan p;

	hashes(&h);
	ck_assert_int_eq(build(&p, &cfg, "vectors/firmware/OVMF.amdsev.fd"), 1);
	expect_ops(&p, want, 10);
	ck_assert_int_eq(plan__validate(&p), 0);
	ck_assert_uint_eq(p.ops[9].vcpu, 1);
	ck_assert_uint_eq(p.vcpus, 2);
	/* The table sits at SEV_HASH_TABLE_RV's offset in a zero page. */
	sev_hashes__table(&h, table);
	page = p.ops[7].data;
	for (int i = 0; i < 0xc00; i++)
		ck_assert_uint_eq(page[i], 0);
	ck_assert_mem_eq(page + 0xc00, table, sizeof(table));
	for (int i = 0xc00 + sizeof(table); i < PAGE; i++)
		ck_assert_uint_eq(page[i], 0);
	/* BSP at the reset vector, APs at the reset block; SNP features. */
	ck_assert_uint_eq(p.ops[8].data[0x178] | p.ops[8].data[0x179] << 8, 0xfff0);
	ck_assert_uint_eq(p.ops[9].data[0x178] | p.ops[9].data[0x179] << 8, 0xb004);
	ck_assert_uint_eq(p.ops[9].data[0x3b0], 0x21);
	plan__exit(&p);

	/* No kernel: the hashes section is launched as zeros. */
	cfg.hashes = NULL;
	ck_assert_int_eq(build(&p, &cfg, "vectors/firmware/OVMF.amdsev.fd"), 1);
	ck_assert_int_eq(p.ops[7].kind, PLAN_ZERO);
	ck_assert_ptr_null(p.ops[7].data);
	plan__exit(&p);

	/* The firmware alone: what snp:ovmf-hash measures. */
	cfg.firmware_only = true;
	ck_assert_int_eq(build(&p, &cfg, "vectors/firmware/OVMF.amdsev.fd"), 1);
	expect_ops(&p, want, 1);
	/* A VMM backs the firmware window: it is no RAM. */
	ck_assert_uint_eq(p.fw_gpa, 0xffc00000);
	ck_assert_uint_eq(p.fw_size, 0x400000);
	plan__exit(&p);
}
END_TEST

START_TEST(snp_cloud_vmms)
{
	struct sev_launch cfg = {
		.mode = SEV_MODE_SNP, .vcpus = 1, .vmm = SEV_VMM_EC2, .guest_features = 1,
	};
	struct plan p;

	/* ec2: the CPUID page after every other section, before the VMSAs. */
	ck_assert_int_eq(build(&p, &cfg, "vectors/firmware/OVMF.amdsev.fd"), 1);
	ck_assert_uint_eq(p.nops, 9);
	ck_assert_str_eq(p.ops[4].what, "SVSM_CAA");
	ck_assert_int_eq(p.ops[7].kind, PLAN_CPUID);
	ck_assert_int_eq(p.ops[8].kind, PLAN_VMSA);
	plan__exit(&p);

	/* gce: SEC_MEM is copied unmeasured. */
	cfg.vmm = SEV_VMM_GCE;
	ck_assert_int_eq(build(&p, &cfg, "vectors/firmware/OVMF.amdsev.fd"), 1);
	ck_assert_int_eq(p.ops[1].kind, PLAN_UNMEASURED);
	ck_assert_int_eq(p.ops[6].kind, PLAN_UNMEASURED);
	ck_assert_int_eq(p.ops[5].kind, PLAN_ZERO);      /* SVSM_CAA stays zero */
	plan__exit(&p);
}
END_TEST

START_TEST(sev_and_seves)
{
	static const struct expect_op want[] = {
		{ PLAN_NORMAL, 0xfffff000, PAGE, "firmware" },
		{ PLAN_NORMAL, 0x810c00, 176, "sev-hashes" },
		{ PLAN_VMSA, 0, PAGE, "vmsa0" },
		{ PLAN_VMSA, 0, PAGE, "vmsa1" },
		{ PLAN_VMSA, 0, PAGE, "vmsa2" },
	};
	struct sev_hashes h;
	struct sev_launch cfg = { .mode = SEV_MODE_SEV, .hashes = &h, .vcpus = 3,
				  .guest_features = 0x21 };
	uint8_t table[SEV_HASHES_PADDED_LEN];
	struct plan p;

	hashes(&h);
	sev_hashes__table(&h, table);
	ck_assert_int_eq(build(&p, &cfg, "vectors/sev-snp-measure/ovmf_AmdSev_suffix.bin"), 1);
	expect_ops(&p, want, 2);
	ck_assert_mem_eq(p.ops[1].data, table, sizeof(table));
	plan__exit(&p);

	cfg.mode = SEV_MODE_SEV_ES;
	ck_assert_int_eq(build(&p, &cfg, "vectors/sev-snp-measure/ovmf_AmdSev_suffix.bin"), 1);
	expect_ops(&p, want, 5);
	ck_assert_uint_eq(p.ops[3].data[0x3b0], 0);     /* no SEV features for SEV-ES */
	plan__exit(&p);

	/* A firmware without a hashes table cannot take a kernel. */
	ck_assert_int_eq(build(&p, &cfg, "vectors/sev-snp-measure/ovmf_OvmfX64_suffix.bin"), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "ovmf_OvmfX64_suffix.bin: Kernel specified but OVMF doesn't support"));
	plan__exit(&p);
}
END_TEST

START_TEST(snp_refusals)
{
	struct sev_hashes h;
	struct sev_launch cfg = { .mode = SEV_MODE_SNP, .hashes = &h, .vcpus = 1 };
	struct fw_image m;
	struct plan p;

	hashes(&h);
	ck_assert_int_eq(build(&p, &cfg, "vectors/firmware/bookworm_OVMF.fd"), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "bookworm_OVMF.fd: Kernel specified but OVMF metadata doesn't include SNP_KERNEL_HASHES section"));
	plan__exit(&p);

	/* No metadata at all: firmware and VMSAs only. */
	cfg.hashes = NULL;
	ck_assert_int_eq(build(&p, &cfg, "vectors/firmware/bookworm_OVMF_CODE_4M.fd"), 1);
	ck_assert_uint_eq(p.nops, 2);
	ck_assert_int_eq(p.ops[1].kind, PLAN_VMSA);
	plan__exit(&p);

	/* Not whole pages; no reset block; an AP reset EIP of 0. */
	plan__init(&p);
	fw_image__init(&m, PAGE + 100);
	fw_image__u32(&m, &ovmf_guid_sev_es_reset, 0x80b004);
	fw_image__close(&m);
	cfg.firmware = (struct blob){ "odd.fd", m.b, m.size };
	ck_assert_int_eq(sev__build_plan(&p, &cfg), -1);
	ck_assert_str_eq(err__msg(), "odd.fd: size 4196 is not a multiple of 4 KiB (SNP measures whole pages)");
	fw_image__free(&m);

	fw_image__init(&m, PAGE);
	fw_image__close(&m);
	cfg.firmware = (struct blob){ "noreset.fd", m.b, m.size };
	ck_assert_int_eq(sev__build_plan(&p, &cfg), -1);
	ck_assert_str_eq(err__msg(), "noreset.fd: SEV_ES_RESET_BLOCK: no such entry in the footer table");
	fw_image__free(&m);

	fw_image__init(&m, PAGE);
	fw_image__u32(&m, &ovmf_guid_sev_es_reset, 0);
	fw_image__close(&m);
	cfg.firmware = (struct blob){ "zero.fd", m.b, m.size };
	cfg.vcpus = 2;
	ck_assert_int_eq(sev__build_plan(&p, &cfg), -1);
	ck_assert_ptr_nonnull(strstr(err__msg(), "zero.fd: SEV_ES_RESET_BLOCK: AP reset EIP is 0"));
	fw_image__free(&m);

	/* A kernel-hashes section of ~4 GiB: one line, nothing allocated or
	 * hashed (QEMU and sev-snp-measure fill exactly one page). */
	fw_image__init(&m, 4 * PAGE);
	fw_image__u32(&m, &ovmf_guid_sev_es_reset, 0x80b004);
	fw_image__u32x2(&m, &ovmf_guid_sev_hash_table, 0xc00, 0x400);
	fw_image__u32(&m, &ovmf_guid_sev_metadata, 0x800);
	fw_image__close(&m);
	fw_image__asev(&m, 0x800, (const uint32_t[][3]){ { 0, 0xfff00000, 0x10 } }, 1);
	cfg.firmware = (struct blob){ "huge.fd", m.b, m.size };
	cfg.hashes = &h;
	cfg.vcpus = 1;
	ck_assert_int_eq(sev__build_plan(&p, &cfg), -1);
	ck_assert_str_eq(err__msg(), "huge.fd: SEV metadata SNP_KERNEL_HASHES size: 0xfff00000, a kernel's hashes need exactly one page");
	fw_image__free(&m);
	plan__exit(&p);
}
END_TEST

START_TEST(snp_svsm)
{
	static const uint64_t ovmf_gpa = 0x100000000ull - 3653632;
	static const uint64_t svsm_gpa = 0x100000000ull - 3653632 - 540672 - 1138688;
	static const struct expect_op want[] = {
		{ PLAN_NORMAL, ovmf_gpa, 3653632, "firmware" },
		{ PLAN_NORMAL, svsm_gpa, 1138688, "svsm" },
		{ PLAN_ZERO, 0, 0x9e000, "SNP_SEC_MEM" },
		{ PLAN_SECRETS, 0x9e000, PAGE, "SNP_SECRETS" },
		{ PLAN_CPUID, 0x9f000, PAGE, "CPUID" },
		{ PLAN_VMSA, 0, PAGE, "vmsa0" },
		{ PLAN_VMSA, 0, PAGE, "vmsa1" },
	};
	struct sev_launch cfg = { .mode = SEV_MODE_SNP_SVSM, .vcpus = 2, .vcpu_sig = 0x800f12,
				  .vars_size = 540672 };
	const uint8_t *rip;
	struct plan p;

	plan__init(&p);
	ck_assert_int_eq(plan__map(&p, test__shared("vectors/sev-snp-measure/svsm.bin"), &cfg.svsm), 0);
	ck_assert_int_eq(plan__map(&p, test__shared("vectors/sev-snp-measure/svsm_ovmf.fd"), &cfg.firmware), 0);
	ck_assert_int_eq(sev__build_plan(&p, &cfg), 2);
	expect_ops(&p, want, 7);
	ck_assert_int_eq(plan__validate(&p), 0);
	/* Every vCPU enters the SVSM at SVSM_INFO's offset (0) in its image. */
	ck_assert_ptr_eq(p.ops[5].data, p.ops[6].data);
	rip = p.ops[5].data + 0x178;
	ck_assert_uint_eq(rip[0] | rip[1] << 8 | rip[2] << 16 | (uint64_t)rip[3] << 24, svsm_gpa);

	cfg.vmm = SEV_VMM_EC2;
	ck_assert_int_eq(sev__build_plan(&p, &cfg), -1);
	ck_assert_str_eq(err__msg(), "--vmm-type ec2: snp:svsm mode is only implemented for QEMU");
	cfg.vmm = SEV_VMM_QEMU;
	cfg.vars_size = 100;
	ck_assert_int_eq(sev__build_plan(&p, &cfg), -1);
	ck_assert_str_eq(err__msg(), "--vars-size 100: not a multiple of 4 KiB");
	plan__exit(&p);
}
END_TEST

START_TEST(hashes_table_layout)
{
	uint8_t t[SEV_HASHES_PADDED_LEN], want[32], k[32], rd[32];
	struct sev_hashes h, h2;

	memset(k, 0xab, 32);
	memset(rd, 0xcd, 32);
	ck_assert_int_eq(sev_hashes__fill(&h, k, rd, NULL), 0);
	ck_assert_int_eq(sev_hashes__fill(&h2, k, NULL, ""), 0);
	EVP_Digest("", 1, want, NULL, EVP_sha256(), NULL);
	ck_assert_mem_eq(h.cmdline, want, 32);
	ck_assert_mem_eq(h2.cmdline, want, 32);
	ck_assert_mem_eq(h.initrd, rd, 32);
	EVP_Digest("", 0, want, NULL, EVP_sha256(), NULL);
	ck_assert_mem_eq(h2.initrd, want, 32);
	ck_assert_int_eq(sev_hashes__fill(&h, k, NULL, "a b"), 0);
	EVP_Digest("a b", 4, want, NULL, EVP_sha256(), NULL);
	ck_assert_mem_eq(h.cmdline, want, 32);
	ck_assert_mem_eq(h.kernel, k, 32);

	sev_hashes__table(&h, t);
	/* 9438d606-4f22-4cc9-b479-a793d411fd21, length 168 */
	ck_assert_mem_eq(t, ((uint8_t[]){ 0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c,
					   0xb4, 0x79 }), 10);
	ck_assert_uint_eq(t[16] | t[17] << 8, 168);
	/* cmdline, initrd, kernel entries of 50 bytes each */
	ck_assert_uint_eq(t[18], 0xd8);
	ck_assert_uint_eq(t[34] | t[35] << 8, 50);
	ck_assert_mem_eq(t + 36, h.cmdline, 32);
	ck_assert_uint_eq(t[68], 0x31);
	ck_assert_mem_eq(t + 86, h.initrd, 32);
	ck_assert_uint_eq(t[118], 0x37);
	ck_assert_mem_eq(t + 136, h.kernel, 32);
	for (int i = 168; i < 176; i++)
		ck_assert_uint_eq(t[i], 0);
}
END_TEST

static void sha256_file(const char *path, uint8_t out[32])
{
	struct blob b;

	ck_assert_int_eq(blob__open(&b, path), 0);
	EVP_Digest(b.data ? (const void *)b.data : "", b.size, out, NULL, EVP_sha256(), NULL);
	blob__close(&b);
}

/* The table of what fw_cfg serves is the table of the files (QEMU serves an
 * SEV guest the kernel unpatched); an empty initrd is none. */
START_TEST(hashes_of_what_is_served)
{
	const char *kernel = test__shared("vectors/kernel/vmlinuz-6.1.0-56-cloud-amd64");
	const char *initrd = test__shared("vectors/kernel/initrd.bin");
	struct x86_boot_cfg boot = { .kernel = kernel, .initrd = initrd, .cmdline = "ro quiet",
				     .mem_size = 1ull << 30, .vcpus = 2 };
	uint8_t k[32], rd[32];
	struct sev_hashes served, files;
	struct plan p;

	sha256_file(kernel, k);
	sha256_file(initrd, rd);
	plan__init(&p);
	ck_assert_int_eq(sev_hashes__served(&served, &p.fw_cfg), -1);
	ck_assert_str_eq(err__msg(), "fw_cfg: no kernel, or no NUL-terminated command line, to hash");
	ck_assert_int_eq(x86__firmware_fw_cfg(&p, &boot), 0);
	ck_assert_int_eq(sev_hashes__served(&served, &p.fw_cfg), 0);
	ck_assert_int_eq(sev_hashes__fill(&files, k, rd, "ro quiet"), 0);
	ck_assert_mem_eq(&served, &files, sizeof(files));
	plan__exit(&p);

	boot.initrd = test__shared("vectors/kernel/empty");
	boot.cmdline = NULL;
	plan__init(&p);
	ck_assert_int_eq(x86__firmware_fw_cfg(&p, &boot), 0);
	ck_assert_int_eq(sev_hashes__served(&served, &p.fw_cfg), 0);
	ck_assert_int_eq(sev_hashes__fill(&files, k, NULL, NULL), 0);
	ck_assert_mem_eq(&served, &files, sizeof(files));
	plan__exit(&p);
}
END_TEST

static Suite *sev_plan_suite(void)
{
	Suite *s = suite_create("sev-plan");
	TCase *t = tcase_create("build");

	tcase_add_test(t, snp_debian_amdsev);
	tcase_add_test(t, snp_cloud_vmms);
	tcase_add_test(t, sev_and_seves);
	tcase_add_test(t, snp_refusals);
	tcase_add_test(t, snp_svsm);
	tcase_add_test(t, hashes_table_layout);
	tcase_add_test(t, hashes_of_what_is_served);
	suite_add_tcase(s, t);
	return s;
}
TEST_SUITE(sev_plan_suite)

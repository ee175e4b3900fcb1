#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/dtb.h"
#include "arch/arm64/memmap.h"
#include "loader/error.h"
#include "tests/unit/boot-test.h"
#include "tests/unit/test.h"

#define BUF_LEN (ARM64_DTB_BASE_SIZE + 2048)

static uint8_t dtb[BUF_LEN];

static int build(uint32_t vcpus, const char *cmdline, uint64_t initrd, uint64_t initrd_size)
{
	const struct arm64_dtb_cfg cfg = { .mem_size = 0x20000000, .vcpus = vcpus,
					   .cmdline = cmdline, .initrd = initrd,
					   .initrd_size = initrd_size };
	int size = arm64__dtb_build(dtb, sizeof(dtb), &cfg);

	ck_assert_msg(size > 0, "%s", err__msg());
	ck_assert_int_eq(fdt_check_header(dtb), 0);
	ck_assert_int_eq((int)fdt_totalsize(dtb), size);
	return size;
}

static int node(const char *path)
{
	int off = fdt_path_offset(dtb, path);

	ck_assert_msg(off >= 0, "%s: %s", path, fdt_strerror(off));
	return off;
}

static const void *prop(const char *path, const char *name, int want_len)
{
	int len;
	const void *v = fdt_getprop(dtb, node(path), name, &len);

	ck_assert_msg(v, "%s: no %s", path, name);
	if (want_len >= 0)
		ck_assert_int_eq(len, want_len);
	return v;
}

static uint32_t cell(const void *v, int i)
{
	return fdt32_to_cpu(((const fdt32_t *)v)[i]);
}

static uint64_t cell64(const void *v, int i)
{
	return (uint64_t)cell(v, i) << 32 | cell(v, i + 1);
}

START_TEST(shape)
{
	const void *v;

	build(2, "console=ttyAMA0 earlycon", 0x40600000, 0x1234);
	ck_assert_str_eq(prop("/", "compatible", -1), "linux,dummy-virt");
	ck_assert_uint_eq(cell(prop("/", "#address-cells", 4), 0), 2);
	ck_assert_uint_eq(cell(prop("/", "#size-cells", 4), 0), 2);
	ck_assert_uint_eq(cell(prop("/", "interrupt-parent", 4), 0), ARM64_DTB_PHANDLE_GIC);

	v = prop("/memory@40000000", "reg", 16);
	ck_assert_uint_eq(cell64(v, 0), ARM64_RAM_BASE);
	ck_assert_uint_eq(cell64(v, 2), 0x20000000);
	ck_assert_str_eq(prop("/memory@40000000", "device_type", -1), "memory");

	ck_assert_str_eq(prop("/psci", "compatible", -1), "arm,psci-0.2");
	ck_assert_str_eq(prop("/psci", "method", -1), "hvc");

	v = prop("/interrupt-controller@8000000", "reg", 32);
	ck_assert_uint_eq(cell64(v, 0), ARM64_GIC_DIST_BASE);
	ck_assert_uint_eq(cell64(v, 2), ARM64_GIC_DIST_SIZE);
	ck_assert_uint_eq(cell64(v, 4), ARM64_GIC_REDIST_BASE);
	ck_assert_uint_eq(cell64(v, 6), 2 * ARM64_GIC_REDIST_SIZE);
	ck_assert_str_eq(prop("/interrupt-controller@8000000", "compatible", -1), "arm,gic-v3");
	prop("/interrupt-controller@8000000", "interrupt-controller", 0);
	ck_assert_uint_eq(fdt_node_offset_by_phandle(dtb, ARM64_DTB_PHANDLE_GIC),
			  node("/interrupt-controller@8000000"));

	/* PPIs 13 14 11 10, level-high: INTIDs 29 30 27 26. */
	v = prop("/timer", "interrupts", 48);
	for (int i = 0; i < 4; i++) {
		static const uint32_t ppi[] = { 13, 14, 11, 10 };

		ck_assert_uint_eq(cell(v, 3 * i), 1);
		ck_assert_uint_eq(cell(v, 3 * i + 1), ppi[i]);
		ck_assert_uint_eq(cell(v, 3 * i + 2), 4);
	}
	ck_assert_str_eq(prop("/timer", "compatible", -1), "arm,armv8-timer");

	v = prop("/serial@9000000", "reg", 16);
	ck_assert_uint_eq(cell64(v, 0), ARM64_UART_BASE);
	ck_assert_uint_eq(cell64(v, 2), ARM64_UART_SIZE);
	ck_assert_int_eq(memcmp(prop("/serial@9000000", "compatible", 24),
				"arm,pl011\0arm,primecell", 24), 0);
	v = prop("/serial@9000000", "interrupts", 12);
	ck_assert_uint_eq(cell(v, 0), 0);
	ck_assert_uint_eq(cell(v, 1), ARM64_UART_SPI);
	ck_assert_uint_eq(cell(v, 2), 4);
	v = prop("/serial@9000000", "clocks", 8);
	ck_assert_uint_eq(fdt_node_offset_by_phandle(dtb, cell(v, 0)), node("/apb-pclk"));
	ck_assert_uint_eq(cell(v, 1), cell(v, 0));
	ck_assert_uint_eq(cell(prop("/apb-pclk", "clock-frequency", 4), 0), 24000000);

	v = prop("/debug-exit@9100000", "reg", 16);
	ck_assert_uint_eq(cell64(v, 0), ARM64_DEBUG_EXIT_BASE);
	ck_assert_str_eq(prop("/debug-exit@9100000", "compatible", -1), "cvm,debug-exit");

	ck_assert_str_eq(prop("/chosen", "bootargs", -1), "console=ttyAMA0 earlycon");
	ck_assert_str_eq(prop("/chosen", "stdout-path", -1), "/serial@9000000");
	ck_assert_str_eq(prop("/aliases", "serial0", -1), "/serial@9000000");
	ck_assert_uint_eq(cell64(prop("/chosen", "linux,initrd-start", 8), 0), 0x40600000);
	ck_assert_uint_eq(cell64(prop("/chosen", "linux,initrd-end", 8), 0), 0x40601234);
	/* Nothing that differs from boot to boot. */
	ck_assert_ptr_null(fdt_getprop(dtb, node("/chosen"), "kaslr-seed", NULL));
	ck_assert_ptr_null(fdt_getprop(dtb, node("/chosen"), "rng-seed", NULL));
}
END_TEST

START_TEST(cpus_follow_kvm_mpidrs)
{
	int cpus, n = 0, off;

	build(ARM64_MAX_VCPUS, NULL, 0, 0);
	cpus = node("/cpus");
	ck_assert_uint_eq(cell(prop("/cpus", "#address-cells", 4), 0), 1);
	ck_assert_uint_eq(cell(prop("/cpus", "#size-cells", 4), 0), 0);
	fdt_for_each_subnode(off, dtb, cpus) {
		char name[32];

		snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)arm64__mpidr(n));
		ck_assert_str_eq(fdt_get_name(dtb, off, NULL), name);
		ck_assert_uint_eq(cell(fdt_getprop(dtb, off, "reg", NULL), 0), arm64__mpidr(n));
		ck_assert_str_eq(fdt_getprop(dtb, off, "enable-method", NULL), "psci");
		ck_assert_str_eq(fdt_getprop(dtb, off, "device_type", NULL), "cpu");
		n++;
	}
	ck_assert_int_eq(n, ARM64_MAX_VCPUS);
	ck_assert_uint_eq(cell64(prop("/interrupt-controller@8000000", "reg", 32), 6),
			  ARM64_MAX_VCPUS * ARM64_GIC_REDIST_SIZE);
	/* The redistributors end where the UART begins. */
	ck_assert_uint_eq(ARM64_GIC_REDIST_BASE + ARM64_MAX_VCPUS * ARM64_GIC_REDIST_SIZE,
			  ARM64_UART_BASE);
	/* No initrd: no initrd properties; no cmdline: empty bootargs. */
	ck_assert_ptr_null(fdt_getprop(dtb, node("/chosen"), "linux,initrd-start", NULL));
	ck_assert_ptr_null(fdt_getprop(dtb, node("/chosen"), "linux,initrd-end", NULL));
	ck_assert_str_eq(prop("/chosen", "bootargs", 1), "");

	ck_assert_uint_eq(arm64__mpidr(0), 0);
	ck_assert_uint_eq(arm64__mpidr(15), 0xf);
	ck_assert_uint_eq(arm64__mpidr(16), 0x100);
	ck_assert_uint_eq(arm64__mpidr(122), 0x70a);
	ck_assert_uint_eq(arm64__mpidr(4096), 0x10000);
}
END_TEST

/* The same inputs give the same bytes: the DTB can be measured. */
START_TEST(deterministic)
{
	static uint8_t first[BUF_LEN];
	int size = build(4, "a b c", 0x41000000, 77);

	memcpy(first, dtb, sizeof(first));
	memset(dtb, 0xa5, sizeof(dtb));
	ck_assert_int_eq(build(4, "a b c", 0x41000000, 77), size);
	ck_assert_int_eq(memcmp(first, dtb, sizeof(dtb)), 0);
	ck_assert_int_ne(build(4, "a b d", 0x41000000, 77), 0);
	ck_assert_int_ne(memcmp(first, dtb, (size_t)size), 0);
}
END_TEST

START_TEST(buffer_too_small)
{
	const struct arm64_dtb_cfg cfg = { .mem_size = 0x10000000, .vcpus = 1 };
	uint8_t small[256];

	err__clear();
	ck_assert_int_eq(arm64__dtb_build(small, sizeof(small), &cfg), -1);
	ck_assert_int_eq(err__status(), CVM_EXIT_FAIL);
	ck_assert_str_eq(err__msg(), "device tree: FDT_ERR_NOSPACE");
}
END_TEST

/* dtc reads the blob back without a warning, and says what we meant. */
START_TEST(dtc_decompiles)
{
	static const char *const lines[] = {
		"\tcompatible = \"linux,dummy-virt\";",
		"\t\tbootargs = \"console=ttyAMA0\";",
		"\t\tlinux,initrd-start = <0x00 0x40600000>;",
		"\t\tlinux,initrd-end = <0x00 0x40600400>;",
		"\t\tstdout-path = \"/serial@9000000\";",
		"\tmemory@40000000 {",
		"\t\treg = <0x00 0x40000000 0x00 0x20000000>;",
		"\t\tcpu@0 {",
		"\t\tcpu@2 {",
		"\t\t\tenable-method = \"psci\";",
		"\t\tmethod = \"hvc\";",
		"\t\treg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x60000>;",
		"\t\tinterrupts = <0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>;",
		"\t\tcompatible = \"arm,pl011\\0arm,primecell\";",
		"\t\tinterrupts = <0x00 0x01 0x04>;",
		"\t\tclock-names = \"uartclk\\0apb_pclk\";",
		"\tdebug-exit@9100000 {",
	};
	char out[16384], err[4096], cmd[4200];
	char *path;
	int size = build(3, "console=ttyAMA0", 0x40600000, 0x400);

	if (test__run(NULL, "command -v dtc", NULL, 0, NULL, 0) != 0)
		ck_abort_msg("dtc is not installed (Debian device-tree-compiler; make deps)");
	path = boot_test__file(dtb, (size_t)size, (uint64_t)size);
	snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts -o - %s", path);
	ck_assert_int_eq(test__run(NULL, cmd, out, sizeof(out), err, sizeof(err)), 0);
	boot_test__remove(path);
	ck_assert_msg(err[0] == 0, "dtc warns: %s", err);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ck_assert_msg(strstr(out, lines[i]), "no line '%s' in:\n%s", lines[i], out);
}
END_TEST

static Suite *arm64_dtb_suite(void)
{
	Suite *s = suite_create("arm64-dtb");
	TCase *t = tcase_create("core");

	tcase_add_test(t, shape);
	tcase_add_test(t, cpus_follow_kvm_mpidrs);
	tcase_add_test(t, deterministic);
	tcase_add_test(t, buffer_too_small);
	tcase_add_test(t, dtc_decompiles);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(arm64_dtb_suite)

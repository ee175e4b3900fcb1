#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/dtb.h"
#include "arch/arm64/memmap.h"
#include "loader/error.h"

/* The GIC binding's interrupt specifier: type, number, flags. */
#define IRQ_SPI          0
#define IRQ_PPI          1
#define IRQ_LEVEL_HIGH   4
#define UART_CLOCK_HZ    24000000u      /* a fixed APB clock, as QEMU's virt board has */

/* Property NAME: one <type number level-high> triple for each of NUMS (4 at most). */
static int prop_irqs(void *f, const char *name, unsigned type, const unsigned *nums, size_t n)
{
	fdt32_t cells[3 * 4];

	for (size_t i = 0; i < n; i++) {
		cells[3 * i] = cpu_to_fdt32(type);
		cells[3 * i + 1] = cpu_to_fdt32(nums[i]);
		cells[3 * i + 2] = cpu_to_fdt32(IRQ_LEVEL_HIGH);
	}
	return fdt_property(f, name, cells, (int)(3 * n * sizeof(cells[0])));
}

/* A reg of 2-cell address/size pairs (the root's #address-cells and
 * #size-cells); N pairs at most 2. */
static int prop_reg(void *f, const uint64_t *pairs, size_t n)
{
	fdt64_t cells[4];

	for (size_t i = 0; i < 2 * n; i++)
		cells[i] = cpu_to_fdt64(pairs[i]);
	return fdt_property(f, "reg", cells, (int)(2 * n * sizeof(cells[0])));
}

static int begin_node_at(void *f, const char *name, uint64_t addr)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%s@%llx", name, (unsigned long long)addr);
	return fdt_begin_node(f, buf);
}

uint64_t arm64__mpidr(uint32_t vcpu)
{
	return (vcpu & 0xfull) | ((vcpu >> 4) & 0xffull) << 8 | ((vcpu >> 12) & 0xffull) << 16;
}

static int add_cpus(void *f, uint32_t vcpus)
{
	int r = fdt_begin_node(f, "cpus");

	r = r ?: fdt_property_u32(f, "#address-cells", 1);
	r = r ?: fdt_property_u32(f, "#size-cells", 0);
	for (uint32_t i = 0; i < vcpus && !r; i++) {
		uint64_t mpidr = arm64__mpidr(i);

		r = begin_node_at(f, "cpu", mpidr);
		r = r ?: fdt_property_string(f, "device_type", "cpu");
		r = r ?: fdt_property_string(f, "compatible", "arm,arm-v8");
		r = r ?: fdt_property_u32(f, "reg", (uint32_t)mpidr);
		r = r ?: fdt_property_string(f, "enable-method", "psci");
		r = r ?: fdt_end_node(f);
	}
	return r ?: fdt_end_node(f);
}

static int add_gic(void *f, uint32_t vcpus)
{
	const uint64_t reg[] = { ARM64_GIC_DIST_BASE, ARM64_GIC_DIST_SIZE, ARM64_GIC_REDIST_BASE,
				 (uint64_t)vcpus * ARM64_GIC_REDIST_SIZE };
	int r = begin_node_at(f, "interrupt-controller", ARM64_GIC_DIST_BASE);

	r = r ?: fdt_property_string(f, "compatible", "arm,gic-v3");
	r = r ?: fdt_property_u32(f, "#interrupt-cells", 3);
	r = r ?: fdt_property(f, "interrupt-controller", NULL, 0);
	/* An address space of its own, as for an ITS child; dtc wants one in
	 * every interrupt provider. */
	r = r ?: fdt_property_u32(f, "#address-cells", 2);
	r = r ?: fdt_property_u32(f, "#size-cells", 2);
	r = r ?: fdt_property(f, "ranges", NULL, 0);
	r = r ?: prop_reg(f, reg, 2);
	r = r ?: fdt_property_u32(f, "phandle", ARM64_DTB_PHANDLE_GIC);
	return r ?: fdt_end_node(f);
}

static int add_timer(void *f)
{
	/* The binding's order: secure, non-secure physical, virtual, hypervisor. */
	static const unsigned ppis[] = { ARM64_TIMER_PPI_SEC, ARM64_TIMER_PPI_PHYS,
					 ARM64_TIMER_PPI_VIRT, ARM64_TIMER_PPI_HYP };
	int r = fdt_begin_node(f, "timer");

	r = r ?: fdt_property_string(f, "compatible", "arm,armv8-timer");
	r = r ?: prop_irqs(f, "interrupts", IRQ_PPI, ppis, 4);
	r = r ?: fdt_property(f, "always-on", NULL, 0);
	return r ?: fdt_end_node(f);
}

static int add_uart(void *f)
{
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char clock_names[] = "uartclk\0apb_pclk";
	const fdt32_t clocks[] = { cpu_to_fdt32(ARM64_DTB_PHANDLE_CLK),
				   cpu_to_fdt32(ARM64_DTB_PHANDLE_CLK) };
	const uint64_t reg[] = { ARM64_UART_BASE, ARM64_UART_SIZE };
	const unsigned spi = ARM64_UART_SPI;
	int r = fdt_begin_node(f, "apb-pclk");

	r = r ?: fdt_property_string(f, "compatible", "fixed-clock");
	r = r ?: fdt_property_u32(f, "#clock-cells", 0);
	r = r ?: fdt_property_u32(f, "clock-frequency", UART_CLOCK_HZ);
	r = r ?: fdt_property_string(f, "clock-output-names", "clk24mhz");
	r = r ?: fdt_property_u32(f, "phandle", ARM64_DTB_PHANDLE_CLK);
	r = r ?: fdt_end_node(f);

	r = r ?: begin_node_at(f, "serial", ARM64_UART_BASE);
	r = r ?: fdt_property(f, "compatible", compat, sizeof(compat));
	r = r ?: prop_reg(f, reg, 1);
	r = r ?: prop_irqs(f, "interrupts", IRQ_SPI, &spi, 1);
	r = r ?: fdt_property(f, "clocks", clocks, sizeof(clocks));
	r = r ?: fdt_property(f, "clock-names", clock_names, sizeof(clock_names));
	return r ?: fdt_end_node(f);
}

static int add_debug_exit(void *f)
{
	const uint64_t reg[] = { ARM64_DEBUG_EXIT_BASE, ARM64_DEBUG_EXIT_SIZE };
	int r = begin_node_at(f, "debug-exit", ARM64_DEBUG_EXIT_BASE);

	r = r ?: fdt_property_string(f, "compatible", "cvm,debug-exit");
	r = r ?: prop_reg(f, reg, 1);
	return r ?: fdt_end_node(f);
}

static int add_chosen(void *f, const struct arm64_dtb_cfg *cfg, const char *uart)
{
	int r = fdt_begin_node(f, "chosen");

	r = r ?: fdt_property_string(f, "bootargs", cfg->cmdline ? cfg->cmdline : "");
	r = r ?: fdt_property_string(f, "stdout-path", uart);
	if (cfg->initrd_size) {
		r = r ?: fdt_property_u64(f, "linux,initrd-start", cfg->initrd);
		r = r ?: fdt_property_u64(f, "linux,initrd-end", cfg->initrd + cfg->initrd_size);
	}
	r = r ?: fdt_end_node(f);
	r = r ?: fdt_begin_node(f, "aliases");
	r = r ?: fdt_property_string(f, "serial0", uart);
	return r ?: fdt_end_node(f);
}

int arm64__dtb_build(void *buf, size_t len, const struct arm64_dtb_cfg *cfg)
{
	static const char compat[] = "linux,dummy-virt";
	const uint64_t mem[] = { ARM64_RAM_BASE, cfg->mem_size };
	char uart[32];
	int r;

	snprintf(uart, sizeof(uart), "/serial@%llx", (unsigned long long)ARM64_UART_BASE);
	memset(buf, 0, len);
	r = fdt_create(buf, len > INT32_MAX ? INT32_MAX : (int)len);
	r = r ?: fdt_finish_reservemap(buf);
	r = r ?: fdt_begin_node(buf, "");
	r = r ?: fdt_property_string(buf, "compatible", compat);
	r = r ?: fdt_property_string(buf, "model", "cvm");
	r = r ?: fdt_property_u32(buf, "#address-cells", 2);
	r = r ?: fdt_property_u32(buf, "#size-cells", 2);
	r = r ?: fdt_property_u32(buf, "interrupt-parent", ARM64_DTB_PHANDLE_GIC);

	r = r ?: add_chosen(buf, cfg, uart);
	r = r ?: begin_node_at(buf, "memory", ARM64_RAM_BASE);
	r = r ?: fdt_property_string(buf, "device_type", "memory");
	r = r ?: prop_reg(buf, mem, 1);
	r = r ?: fdt_end_node(buf);
	r = r ?: add_cpus(buf, cfg->vcpus);
	r = r ?: fdt_begin_node(buf, "psci");
	r = r ?: fdt_property_string(buf, "compatible", "arm,psci-0.2");
	r = r ?: fdt_property_string(buf, "method", "hvc");
	r = r ?: fdt_end_node(buf);
	r = r ?: add_gic(buf, cfg->vcpus);
	r = r ?: add_timer(buf);
	r = r ?: add_uart(buf);
	r = r ?: add_debug_exit(buf);
	r = r ?: fdt_end_node(buf);
	r = r ?: fdt_finish(buf);
	if (r)
		return err__set_status(CVM_EXIT_FAIL, "device tree: %s", fdt_strerror(r));
	return (int)fdt_totalsize(buf);
}

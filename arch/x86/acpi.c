/* Table layouts: ACPI 6.3 (FADT revision 6, MADT revision 5, FACS version
 * 2).  The tables blob is ordered as QEMU orders its own: FACS first (it
 * must be 64-byte aligned), DSDT, FADT, MADT, XSDT. */
#include <stdio.h>
#include <string.h>

#include "arch/x86/acpi-pm.h"
#include "arch/x86/acpi.h"
#include "arch/x86/cmos.h"
#include "arch/x86/memmap.h"
#include "arch/x86/pci-host.h"
#include "loader/aml.h"
#include "loader/bytes.h"
#include "loader/error.h"
#include "vmm/uart.h"

enum { BLOB_RSDP, BLOB_TABLES };

#define TABLES_PAD    0x20000   /* QEMU's ACPI_BUILD_TABLE_SIZE */
#define FACS_SIZE     64

/* FADT offsets (ACPI 6.3, table 5-33). */
#define FADT_SIZE          276
#define FADT_FACS          36
#define FADT_DSDT          40
#define FADT_SCI_INT       46
#define FADT_PM1A_EVT      56
#define FADT_PM1A_CNT      64
#define FADT_PM_TMR        76
#define FADT_PM1_EVT_LEN   88
#define FADT_PM1_CNT_LEN   89
#define FADT_PM_TMR_LEN    91
#define FADT_P_LVL2_LAT    96
#define FADT_P_LVL3_LAT    98
#define FADT_CENTURY       108
#define FADT_BOOT_ARCH     109
#define FADT_FLAGS         112
#define FADT_RESET_REG     116
#define FADT_RESET_VALUE   128
#define FADT_MINOR         131
#define FADT_X_DSDT        140
#define FADT_X_PM1A_EVT    148
#define FADT_X_PM1A_CNT    172
#define FADT_X_PM_TMR      208

#define FADT_WBINVD        (1u << 0)
#define FADT_PROC_C1       (1u << 2)
#define FADT_PWR_BUTTON    (1u << 4)    /* no fixed-feature power button */
#define FADT_SLP_BUTTON    (1u << 5)    /* no fixed-feature sleep button */
#define FADT_RESET_REG_SUP (1u << 10)
#define BOOT_LEGACY_DEVICES 0x0001      /* ISA devices: COM1, the RTC */
#define BOOT_NO_VGA         0x0004      /* and no 8042 bit: Linux skips i8042 */
#define C_STATE_NONE       0x0fff       /* C2 and C3 latencies meaning "none" */
#define GAS_SYSTEM_IO      1

/* MADT (ACPI 6.3, 5.2.12). */
#define MADT_PCAT_COMPAT   1
#define MADT_LAPIC         0
#define MADT_IOAPIC        1
#define MADT_ISO           2
#define MADT_LAPIC_NMI     4
#define LAPIC_ENABLED      1
#define ISO_CONFORMS       0x0
#define ISO_HIGH_LEVEL     0xd          /* active high (01), level (11 << 2) */
#define ALL_PROCESSORS     0xff

static void gas_io(uint8_t *g, uint8_t bits, uint16_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = bits;
	bytes__put_le(g + 4, 8, port);
}

static size_t add_facs(struct acpi_builder *b)
{
	uint8_t f[FACS_SIZE] = "FACS";

	bytes__put_le(f + 4, 4, sizeof(f));
	f[32] = 2;                              /* version */
	return acpi__append(b, BLOB_TABLES, f, sizeof(f));
}

static void cpu_device(struct aml *a, uint8_t i)
{
	char name[8];

	snprintf(name, sizeof(name), "C%03X", i);       /* C000..C0FD */
	aml__device_begin(a, name);
	aml__name(a, "_HID");
	aml__string(a, "ACPI0007");
	aml__name(a, "_UID");
	aml__int(a, i);                         /* the MADT's processor UID */
	aml__end(a);
}

static int add_dsdt(struct acpi_builder *b, const struct x86_acpi_cfg *cfg, size_t *off)
{
	struct aml a;
	size_t dsdt = acpi__table_begin(b, BLOB_TABLES, "DSDT", 2);

	aml__init(&a);
	aml__scope_begin(&a, "\\_SB_");
	aml__device_begin(&a, "COM1");
	aml__name(&a, "_HID");
	aml__eisaid(&a, "PNP0501");
	aml__name(&a, "_UID");
	aml__int(&a, 1);
	aml__name(&a, "_CRS");
	aml__resources_begin(&a);
	aml__io(&a, UART_COM1_PORT, 0, UART_NR_PORTS);
	aml__irq(&a, UART_COM1_IRQ);
	aml__end(&a);
	aml__end(&a);
	if (cfg->fw_cfg) {
		/* What QEMU declares, so the guest's fw_cfg driver finds it. */
		aml__device_begin(&a, "FWCF");
		aml__name(&a, "_HID");
		aml__string(&a, FW_CFG_ACPI_DEVICE_ID);
		aml__name(&a, "_STA");
		aml__int(&a, 0xb);              /* present, enabled, functioning, not shown */
		aml__name(&a, "_CRS");
		aml__resources_begin(&a);
		aml__io(&a, X86_PORT_FW_CFG, 1, X86_PORT_FW_CFG_LEN);
		aml__end(&a);
		aml__end(&a);
	}
	for (uint32_t i = 0; i < cfg->vcpus; i++)
		cpu_device(&a, i);
	aml__end(&a);
	/* \_S5: SLP_TYPa, SLP_TYPb, reserved: what acpi-pm.c powers off on. */
	aml__name(&a, "_S5_");
	aml__package_begin(&a, 4);
	for (int i = 0; i < 4; i++)
		aml__int(&a, i < 2 ? ACPI_S5_SLP_TYP : 0);
	aml__end(&a);
	if (a.failed || a.depth) {
		aml__exit(&a);
		return err__set_status(CVM_EXIT_FAIL, "DSDT: out of memory");
	}
	acpi__append(b, BLOB_TABLES, a.buf, a.len);
	aml__exit(&a);
	acpi__table_end(b, BLOB_TABLES, dsdt);
	*off = dsdt;
	return 0;
}

static size_t add_fadt(struct acpi_builder *b, size_t facs, size_t dsdt)
{
	size_t fadt = acpi__table_begin(b, BLOB_TABLES, "FACP", 6);
	uint8_t f[FADT_SIZE] = { 0 };

	bytes__put_le(f + FADT_SCI_INT, 2, X86_ACPI_SCI_IRQ);
	bytes__put_le(f + FADT_PM1A_EVT, 4, X86_PORT_ACPI_PM + ACPI_PM1_STS);
	bytes__put_le(f + FADT_PM1A_CNT, 4, X86_PORT_ACPI_PM + ACPI_PM1_CNT);
	bytes__put_le(f + FADT_PM_TMR, 4, X86_PORT_ACPI_PM + ACPI_PM_TMR);
	f[FADT_PM1_EVT_LEN] = ACPI_PM1_EVT_LEN;
	f[FADT_PM1_CNT_LEN] = ACPI_PM1_CNT_LEN;
	f[FADT_PM_TMR_LEN] = ACPI_PM_TMR_LEN;
	bytes__put_le(f + FADT_P_LVL2_LAT, 2, C_STATE_NONE);
	bytes__put_le(f + FADT_P_LVL3_LAT, 2, C_STATE_NONE);
	f[FADT_CENTURY] = CMOS_CENTURY;
	bytes__put_le(f + FADT_BOOT_ARCH, 2, BOOT_LEGACY_DEVICES | BOOT_NO_VGA);
	/* A 24-bit PM timer (no TMR_VAL_EXT), as PIIX4's. */
	bytes__put_le(f + FADT_FLAGS, 4, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON |
		      FADT_SLP_BUTTON | FADT_RESET_REG_SUP);
	gas_io(f + FADT_RESET_REG, 8, X86_PORT_PCI_CONFIG + PCI_HOST_RESET_CONTROL);
	f[FADT_RESET_VALUE] = PCI_HOST_RESET_VALUE;
	f[FADT_MINOR] = 3;                      /* ACPI 6.3 */
	gas_io(f + FADT_X_PM1A_EVT, 8 * ACPI_PM1_EVT_LEN, X86_PORT_ACPI_PM + ACPI_PM1_STS);
	gas_io(f + FADT_X_PM1A_CNT, 8 * ACPI_PM1_CNT_LEN, X86_PORT_ACPI_PM + ACPI_PM1_CNT);
	gas_io(f + FADT_X_PM_TMR, 8 * ACPI_PM_TMR_LEN, X86_PORT_ACPI_PM + ACPI_PM_TMR);
	acpi__append(b, BLOB_TABLES, f + ACPI_HEADER, sizeof(f) - ACPI_HEADER);
	/* FACS and DSDT as 32-bit pointers, the DSDT also as 64-bit X_DSDT;
	 * X_FIRMWARE_CTRL stays 0 (it would override FIRMWARE_CTRL). */
	acpi__pointer(b, BLOB_TABLES, fadt + FADT_FACS, 4, BLOB_TABLES, facs);
	acpi__pointer(b, BLOB_TABLES, fadt + FADT_DSDT, 4, BLOB_TABLES, dsdt);
	acpi__pointer(b, BLOB_TABLES, fadt + FADT_X_DSDT, 8, BLOB_TABLES, dsdt);
	acpi__table_end(b, BLOB_TABLES, fadt);
	return fadt;
}

static void iso(struct acpi_builder *b, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	uint8_t e[10] = { MADT_ISO, sizeof(e), 0 /* ISA */, irq };

	bytes__put_le(e + 4, 4, gsi);
	bytes__put_le(e + 8, 2, flags);
	acpi__append(b, BLOB_TABLES, e, sizeof(e));
}

static size_t add_madt(struct acpi_builder *b, uint32_t vcpus)
{
	size_t madt = acpi__table_begin(b, BLOB_TABLES, "APIC", 5);
	uint8_t h[8], io[12] = { MADT_IOAPIC, sizeof(io), vcpus /* as the MP table */ };
	uint8_t nmi[6] = { MADT_LAPIC_NMI, sizeof(nmi), ALL_PROCESSORS, 0, 0, 1 /* LINT1 */ };

	bytes__put_le(h, 4, X86_LAPIC_ADDR);
	bytes__put_le(h + 4, 4, MADT_PCAT_COMPAT);     /* the 8259s are there */
	acpi__append(b, BLOB_TABLES, h, sizeof(h));
	for (uint32_t i = 0; i < vcpus; i++) {
		uint8_t e[8] = { MADT_LAPIC, sizeof(e), i /* UID */, i /* APIC id */ };

		bytes__put_le(e + 4, 4, LAPIC_ENABLED);
		acpi__append(b, BLOB_TABLES, e, sizeof(e));
	}
	bytes__put_le(io + 4, 4, X86_IOAPIC_ADDR);     /* GSI base 0 */
	acpi__append(b, BLOB_TABLES, io, sizeof(io));
	/* The PIT on pin 2, as the MP table says; the SCI level, active high. */
	iso(b, 0, 2, ISO_CONFORMS);
	iso(b, X86_ACPI_SCI_IRQ, X86_ACPI_SCI_IRQ, ISO_HIGH_LEVEL);
	acpi__append(b, BLOB_TABLES, nmi, sizeof(nmi));
	acpi__table_end(b, BLOB_TABLES, madt);
	return madt;
}

int x86__acpi_build(struct acpi_builder *b, const struct x86_acpi_cfg *cfg)
{
	size_t facs, dsdt = 0, t[2];

	if (cfg->vcpus < 1 || cfg->vcpus > X86_ACPI_MAX_CPUS)
		return err__set("vcpus: %u is not within 1..%d (ACPI MADT)", cfg->vcpus,
				X86_ACPI_MAX_CPUS);
	/* Index order is BLOB_RSDP, BLOB_TABLES; QEMU allocates them so too. */
	acpi__alloc(b, ACPI_FILE_RSDP, 16, ACPI_ZONE_FSEG, 1);
	acpi__alloc(b, ACPI_FILE_TABLES, FACS_SIZE, ACPI_ZONE_HIGH, TABLES_PAD);
	facs = add_facs(b);
	if (add_dsdt(b, cfg, &dsdt) < 0)
		return -1;
	t[0] = add_fadt(b, facs, dsdt);
	t[1] = add_madt(b, cfg->vcpus);
	acpi__rsdp(b, BLOB_RSDP, BLOB_TABLES, acpi__xsdt(b, BLOB_TABLES, t, 2));
	if (b->failed)
		return err__set_status(CVM_EXIT_FAIL, "ACPI tables: out of memory");
	return 0;
}

int x86__acpi_fw_cfg(struct plan *p, struct fw_cfg_list *l, const struct x86_acpi_cfg *cfg)
{
	struct acpi_builder b;
	int ret;

	acpi__init(&b);
	ret = x86__acpi_build(&b, cfg);
	if (!ret)
		ret = acpi__fw_cfg(&b, p, l);
	acpi__exit(&b);
	return ret;
}

_Static_assert(X86_ACPI_RSDP_ADDR + ACPI_RSDP_SIZE <= X86_ACPI_TABLES_ADDR,
	       "the RSDP ends before the tables");

int x86__acpi_direct(struct plan *p, const struct x86_acpi_cfg *cfg, struct x86_acpi_direct *out)
{
	static const uint64_t gpa[2] = { [BLOB_RSDP] = X86_ACPI_RSDP_ADDR,
					  [BLOB_TABLES] = X86_ACPI_TABLES_ADDR };
	struct acpi_builder b;
	int ret;

	acpi__init(&b);
	ret = x86__acpi_build(&b, cfg);
	if (!ret)
		ret = acpi__place(&b, p, gpa, out->blob);
	acpi__exit(&b);
	if (ret)
		return -1;
	if (out->blob[BLOB_TABLES].len > X86_HIGH_MEM - X86_ACPI_TABLES_ADDR)
		return err__set("ACPI tables: %zu bytes for %u vCPUs do not fit below 1 MiB",
				out->blob[BLOB_TABLES].len, cfg->vcpus);
	out->rsdp = X86_ACPI_RSDP_ADDR;
	return 0;
}

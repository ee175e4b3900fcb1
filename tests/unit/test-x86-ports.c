#include <string.h>
#include <time.h>

#include "arch/x86/acpi-pm.h"
#include "arch/x86/cmos.h"
#include "arch/x86/debugcon.h"
#include "arch/x86/pci-host.h"
#include "loader/bytes.h"
#include "tests/unit/test.h"

/* The port models OVMF and Linux probe.  Expected values: ACPI 6.3 (PM
 * block), the MC146818 data sheet and QEMU's pc_cmos_init (CMOS), the
 * PCI 3.0 spec and Intel's 82441FX / 82371AB data sheets (PCI), and what
 * OVMF's AcpiTimerLib, PlatformPei and ResetSystemLib read and write. */

struct rec {
	uint64_t now_ns;
	int64_t now_s;
	unsigned poweroffs, resets;
	char log[16];
	unsigned nlog;
};

static struct rec r;

static uint64_t fake_ns(void *ctx)
{
	return ((struct rec *)ctx)->now_ns;
}

static int64_t fake_s(void *ctx)
{
	return ((struct rec *)ctx)->now_s;
}

static void poweroff(void *ctx)
{
	((struct rec *)ctx)->poweroffs++;
}

static void reset(void *ctx)
{
	((struct rec *)ctx)->resets++;
}

static void log_byte(void *ctx, uint8_t b)
{
	struct rec *x = ctx;

	if (x->nlog < sizeof(x->log))
		x->log[x->nlog++] = b;
}

static const struct acpi_pm_ops pm_ops = { .poweroff = poweroff, .clock_ns = fake_ns };
static const struct pci_host_ops pci_ops = { .reset = reset };

typedef void io_fn(void *ctx, uint64_t offset, bool is_write, uint8_t *data, unsigned size);

static uint64_t in(io_fn *fn, void *dev, uint64_t off, unsigned size)
{
	uint8_t b[8];

	memset(b, 0x5a, sizeof(b));
	fn(dev, off, false, b, size);
	return bytes__get_le(b, size);
}

static void out(io_fn *fn, void *dev, uint64_t off, unsigned size, uint64_t v)
{
	uint8_t b[8];

	bytes__put_le(b, size, v);
	fn(dev, off, true, b, size);
}

/* --- ACPI PM --- */

static uint32_t timer_ref(uint64_t ns)
{
	return (uint32_t)((unsigned __int128)ns * 3579545 / 1000000000) & 0xffffff;
}

START_TEST(pm_timer_counts_at_3_58_mhz)
{
	static const uint64_t t[] = { 0, 1, 279, 280, 1000, 1000000000, 4687500000ull,
				      5000000000ull, 6000000000000ull, 123456789012345678ull };
	struct acpi_pm pm;

	memset(&r, 0, sizeof(r));
	r.now_ns = 777;                         /* power-on: the timer's zero */
	acpi_pm__init(&pm, &pm_ops, &r);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		r.now_ns = 777 + t[i];
		ck_assert_uint_eq(acpi_pm__timer(t[i]), timer_ref(t[i]));
		ck_assert_uint_eq(in(acpi_pm__io, &pm, ACPI_PM_TMR, 4), timer_ref(t[i]));
		ck_assert_uint_eq(in(acpi_pm__io, &pm, ACPI_PM_TMR + 1, 1),
				  timer_ref(t[i]) >> 8 & 0xff);
	}
	ck_assert_uint_eq(acpi_pm__timer(1000000000), 3579545);
	ck_assert_uint_eq(acpi_pm__timer(5000000000ull), 17897725 - 0x1000000); /* wrapped */
	/* Read-only, and the block ends at 12 bytes. */
	out(acpi_pm__io, &pm, ACPI_PM_TMR, 4, 0);
	ck_assert_uint_eq(in(acpi_pm__io, &pm, ACPI_PM_TMR, 4), timer_ref(t[9]));
	ck_assert_uint_eq(in(acpi_pm__io, &pm, 12, 4), 0xffffffff);
	/* The host clock moves forward. */
	ck_assert_uint_le(acpi_pm__host_clock(NULL), acpi_pm__host_clock(NULL));
	acpi_pm__exit(&pm);
}
END_TEST

START_TEST(pm1_control_powers_off_on_s5)
{
	struct acpi_pm pm;
	uint16_t v;

	memset(&r, 0, sizeof(r));
	acpi_pm__init(&pm, &pm_ops, &r);
	ck_assert_uint_eq(in(acpi_pm__io, &pm, ACPI_PM1_CNT, 2), ACPI_PM1_CNT_SCI_EN);
	ck_assert_uint_eq(in(acpi_pm__io, &pm, ACPI_PM1_STS, 2), 0);
	/* PM1_EN keeps what is written; PM1_STS has nothing to clear. */
	out(acpi_pm__io, &pm, ACPI_PM1_EN, 2, 0x0120);
	ck_assert_uint_eq(in(acpi_pm__io, &pm, ACPI_PM1_EN, 2), 0x0120);
	out(acpi_pm__io, &pm, ACPI_PM1_STS, 2, 0xffff);
	ck_assert_uint_eq(in(acpi_pm__io, &pm, ACPI_PM1_STS, 2), 0);
	ck_assert_uint_eq(in(acpi_pm__io, &pm, 0, 4), 0x01200000);

	/* Sleep types other than _S5's do nothing; SLP_EN reads as 0. */
	out(acpi_pm__io, &pm, ACPI_PM1_CNT, 2, 5 << 10 | ACPI_PM1_CNT_SLP_EN);
	ck_assert_uint_eq(r.poweroffs, 0);
	ck_assert_uint_eq(in(acpi_pm__io, &pm, ACPI_PM1_CNT, 2), 5 << 10 | ACPI_PM1_CNT_SCI_EN);
	/* SCI_EN cannot be cleared: the platform is always in ACPI mode. */
	out(acpi_pm__io, &pm, ACPI_PM1_CNT, 2, 0);
	ck_assert_uint_eq(in(acpi_pm__io, &pm, ACPI_PM1_CNT, 2), ACPI_PM1_CNT_SCI_EN);

	/* Linux's acpi_hw_legacy_sleep: SLP_TYP, then SLP_TYP | SLP_EN. */
	out(acpi_pm__io, &pm, ACPI_PM1_CNT, 2, ACPI_S5_SLP_TYP << 10 | 1);
	ck_assert_uint_eq(r.poweroffs, 0);
	out(acpi_pm__io, &pm, ACPI_PM1_CNT, 2, ACPI_S5_SLP_TYP << 10 | 1 | ACPI_PM1_CNT_SLP_EN);
	ck_assert_uint_eq(r.poweroffs, 1);

	/* OVMF's ResetShutdown: IoBitFieldWrite16 (bits 10-13 = 0), IoOr16. */
	out(acpi_pm__io, &pm, ACPI_PM1_CNT, 2, 7 << 10 | 1);
	v = in(acpi_pm__io, &pm, ACPI_PM1_CNT, 2);
	out(acpi_pm__io, &pm, ACPI_PM1_CNT, 2, v & ~0x3c00);
	v = in(acpi_pm__io, &pm, ACPI_PM1_CNT, 2);
	ck_assert_uint_eq(r.poweroffs, 1);
	out(acpi_pm__io, &pm, ACPI_PM1_CNT, 2, v | ACPI_PM1_CNT_SLP_EN);
	ck_assert_uint_eq(r.poweroffs, 2);

	/* A byte write of the high half does it too. */
	out(acpi_pm__io, &pm, ACPI_PM1_CNT + 1, 1, ACPI_PM1_CNT_SLP_EN >> 8);
	ck_assert_uint_eq(r.poweroffs, 3);
	acpi_pm__exit(&pm);
}
END_TEST

/* --- CMOS --- */

static uint8_t cmos_rd(struct cmos *c, uint8_t reg)
{
	out(cmos__io, c, 0, 1, reg);
	return in(cmos__io, c, 1, 1);
}

static void cmos_wr(struct cmos *c, uint8_t reg, uint8_t v)
{
	out(cmos__io, c, 0, 1, reg);
	out(cmos__io, c, 1, 1, v);
}

/* OVMF's PlatformGetSystemMemorySizeBelow4gb and the above-4 GiB sum. */
static void check_mem(uint64_t mem, uint16_t kib_1m, uint16_t u64k_16m, uint32_t u64k_4g)
{
	struct cmos c;

	cmos__init(&c, mem, fake_s, &r);
	ck_assert_uint_eq(cmos_rd(&c, 0x15) | cmos_rd(&c, 0x16) << 8, 640);
	ck_assert_uint_eq(cmos_rd(&c, 0x17) | cmos_rd(&c, 0x18) << 8, kib_1m);
	ck_assert_uint_eq(cmos_rd(&c, 0x30) | cmos_rd(&c, 0x31) << 8, kib_1m);
	ck_assert_uint_eq(cmos_rd(&c, 0x34) | cmos_rd(&c, 0x35) << 8, u64k_16m);
	ck_assert_uint_eq(cmos_rd(&c, 0x5b) | cmos_rd(&c, 0x5c) << 8 | cmos_rd(&c, 0x5d) << 16,
			  u64k_4g);
	cmos__exit(&c);
}

START_TEST(cmos_memory_size)
{
	check_mem(16ull << 20, 15 * 1024, 0, 0);
	check_mem(20ull << 20, 19 * 1024, 64, 0);
	check_mem(512ull << 20, 0xffff, (512 - 16) * 16, 0);
	/* 0x1f00 64 KiB units + 16 MiB: OVMF's formula gives 512 MiB back. */
	ck_assert_uint_eq(((uint64_t)0x1f00 << 16) + (16 << 20), 512ull << 20);
	check_mem(3ull << 30, 0xffff, 0xbf00, 0);
	check_mem(8ull << 30, 0xffff, 0xbf00, (5ull << 30) >> 16);
	check_mem(1ull << 46, 0xffff, 0xbf00, 0xffffff & (((1ull << 46) - (3ull << 30)) >> 16));
}
END_TEST

START_TEST(cmos_clock)
{
	struct cmos c;

	memset(&r, 0, sizeof(r));
	r.now_s = 1709214307;                   /* Thu 2024-02-29 13:45:07 UTC */
	cmos__init(&c, 64 << 20, fake_s, &r);
	ck_assert_uint_eq(cmos_rd(&c, CMOS_REG_A), 0x26);
	ck_assert_uint_eq(cmos_rd(&c, CMOS_REG_B), CMOS_B_24H);
	ck_assert_uint_eq(cmos_rd(&c, CMOS_REG_C), 0);
	ck_assert_uint_eq(cmos_rd(&c, CMOS_REG_D), CMOS_D_VRT);
	/* BCD, 24-hour. */
	ck_assert_uint_eq(cmos_rd(&c, 0x00), 0x07);
	ck_assert_uint_eq(cmos_rd(&c, 0x02), 0x45);
	ck_assert_uint_eq(cmos_rd(&c, 0x04), 0x13);
	ck_assert_uint_eq(cmos_rd(&c, 0x06), 0x05);     /* Sunday = 1 */
	ck_assert_uint_eq(cmos_rd(&c, 0x07), 0x29);
	ck_assert_uint_eq(cmos_rd(&c, 0x08), 0x02);
	ck_assert_uint_eq(cmos_rd(&c, 0x09), 0x24);
	ck_assert_uint_eq(cmos_rd(&c, CMOS_CENTURY), 0x20);
	/* The clock follows the host. */
	r.now_s += 60;
	ck_assert_uint_eq(cmos_rd(&c, 0x02), 0x46);
	/* Binary, then 12-hour BCD (bit 7: PM). */
	cmos_wr(&c, CMOS_REG_B, CMOS_B_24H | CMOS_B_BINARY);
	ck_assert_uint_eq(cmos_rd(&c, 0x04), 13);
	ck_assert_uint_eq(cmos_rd(&c, 0x09), 24);
	cmos_wr(&c, CMOS_REG_B, 0);
	ck_assert_uint_eq(cmos_rd(&c, 0x04), 0x81);
	r.now_s -= 13 * 3600;                   /* 00:46: 12 AM */
	ck_assert_uint_eq(cmos_rd(&c, 0x04), 0x12);
	/* Clock writes are dropped; UIP never shows; C and D are read-only. */
	cmos_wr(&c, 0x00, 0x59);
	ck_assert_uint_eq(cmos_rd(&c, 0x00), 0x07);
	cmos_wr(&c, CMOS_REG_A, 0xa6);
	ck_assert_uint_eq(cmos_rd(&c, CMOS_REG_A), 0x26);
	cmos_wr(&c, CMOS_REG_D, 0);
	ck_assert_uint_eq(cmos_rd(&c, CMOS_REG_D), CMOS_D_VRT);
	/* NVRAM keeps what is written; the index takes 7 bits, bit 7 is the
	 * NMI mask; the index port reads as all-ones. */
	cmos_wr(&c, 0x40, 0xab);
	ck_assert_uint_eq(cmos_rd(&c, 0x40), 0xab);
	ck_assert_uint_eq(cmos_rd(&c, 0xc0), 0xab);
	ck_assert(c.nmi_masked);
	ck_assert_uint_eq(in(cmos__io, &c, 0, 1), 0xff);
	/* A 16-bit access covers index then data. */
	out(cmos__io, &c, 0, 2, 0xcd << 8 | 0x41);
	ck_assert_uint_eq(cmos_rd(&c, 0x41), 0xcd);
	ck_assert_int_le(cmos__host_clock(NULL) - time(NULL), 1);
	cmos__exit(&c);
}
END_TEST

/* --- PCI configuration space --- */

static uint32_t cfg_rd(struct pci_host *h, unsigned devfn, unsigned reg, unsigned size)
{
	out(pci_host__io, h, 0, 4, 0x80000000u | devfn << 8 | (reg & 0xfc));
	return in(pci_host__io, h, 4 + (reg & 3), size);
}

START_TEST(pci_host_bridge_and_pm_function)
{
	struct pci_host h;

	memset(&r, 0, sizeof(r));
	pci_host__init(&h, &pci_ops, &r);
	/* Linux's type-1 probe: the address register reads back. */
	out(pci_host__io, &h, 3, 1, 0x01);      /* outb(0x01, 0xcfb): ignored */
	out(pci_host__io, &h, 0, 4, 0x80000000);
	ck_assert_uint_eq(in(pci_host__io, &h, 0, 4), 0x80000000);
	out(pci_host__io, &h, 0, 4, 0xffffffff);
	ck_assert_uint_eq(in(pci_host__io, &h, 0, 4), 0x80fffffc);
	ck_assert_uint_eq(in(pci_host__io, &h, 0, 2), 0xffff);

	/* 00:00.0, the i440FX: what OVMF's PciRead16 (0, 0, 0, 2) gets. */
	ck_assert_uint_eq(cfg_rd(&h, 0, 0, 4), 0x12378086);
	ck_assert_uint_eq(cfg_rd(&h, 0, 2, 2), 0x1237);
	ck_assert_uint_eq(cfg_rd(&h, 0, 0x0a, 2), 0x0600);
	ck_assert_uint_eq(cfg_rd(&h, 0, 0x0e, 1), 0);   /* single function */
	ck_assert_uint_eq(cfg_rd(&h, 0, 0x10, 4), 0);   /* no BARs */
	/* 00:01.3, the PIIX4 PM function, configured: PMBA 0xb000 (I/O),
	 * PMREGMISC.PMIOSE set, so AcpiTimerLib finds the timer at 0xb008. */
	ck_assert_uint_eq(cfg_rd(&h, PIIX4_PM_DEVFN, 0, 4), 0x71138086);
	ck_assert_uint_eq(cfg_rd(&h, PIIX4_PM_DEVFN, PIIX4_PMBA, 4), 0xb001);
	ck_assert_uint_eq(cfg_rd(&h, PIIX4_PM_DEVFN, PIIX4_PMBA + 1, 1), 0xb0);
	ck_assert_uint_eq(cfg_rd(&h, PIIX4_PM_DEVFN, PIIX4_PMREGMISC, 1) & 1, 1);
	ck_assert_uint_eq(cfg_rd(&h, PIIX4_PM_DEVFN, 0x3c, 2), 0x0109);
	/* Read-only: OVMF's PciAndThenOr32 on the PMBA changes nothing. */
	out(pci_host__io, &h, 4, 4, 0x1234);
	ck_assert_uint_eq(cfg_rd(&h, PIIX4_PM_DEVFN, PIIX4_PMBA, 4), 0xb001);
	/* Nothing else: 00:01.0, other functions, other buses, disabled. */
	ck_assert_uint_eq(cfg_rd(&h, 1 << 3, 0, 4), 0xffffffff);
	ck_assert_uint_eq(cfg_rd(&h, 2 << 3, 0, 2), 0xffff);
	ck_assert_uint_eq(cfg_rd(&h, 0x100 | 0, 0, 4), 0xffffffff);   /* bus 1 */
	out(pci_host__io, &h, 0, 4, 0);
	ck_assert_uint_eq(in(pci_host__io, &h, 4, 4), 0xffffffff);
	ck_assert_uint_eq(in(pci_host__io, &h, 8, 1), 0xff);          /* past 0xcff */

	/* 0xcf9: bit 2 resets (Linux reboot=pci, the FADT reset value 6). */
	out(pci_host__io, &h, PCI_HOST_RESET_CONTROL, 1, 0x02);
	ck_assert_uint_eq(r.resets, 0);
	ck_assert_uint_eq(in(pci_host__io, &h, PCI_HOST_RESET_CONTROL, 1), 0x02);
	out(pci_host__io, &h, PCI_HOST_RESET_CONTROL, 1, PCI_HOST_RESET_VALUE);
	ck_assert_uint_eq(r.resets, 1);
	ck_assert_uint_eq(in(pci_host__io, &h, PCI_HOST_RESET_CONTROL, 1), 0x02);
	pci_host__exit(&h);
}
END_TEST

START_TEST(debugcon_log)
{
	struct debugcon d = { log_byte, &r };

	memset(&r, 0, sizeof(r));
	ck_assert_uint_eq(in(debugcon__io, &d, 0, 1), DEBUGCON_MAGIC);
	ck_assert_uint_eq(in(debugcon__io, &d, 0, 2), 0xff00 | DEBUGCON_MAGIC);
	out(debugcon__io, &d, 0, 1, 'O');
	out(debugcon__io, &d, 0, 2, 0x4b4b);    /* only the low byte reaches 0x402 */
	ck_assert_uint_eq(r.nlog, 2);
	ck_assert_int_eq(memcmp(r.log, "OK", 2), 0);
}
END_TEST

static Suite *x86_ports_suite(void)
{
	Suite *s = suite_create("x86-ports");
	TCase *t = tcase_create("models");

	tcase_add_test(t, pm_timer_counts_at_3_58_mhz);
	tcase_add_test(t, pm1_control_powers_off_on_s5);
	tcase_add_test(t, cmos_memory_size);
	tcase_add_test(t, cmos_clock);
	tcase_add_test(t, pci_host_bridge_and_pm_function);
	tcase_add_test(t, debugcon_log);
	suite_add_tcase(s, t);
	return s;
}

TEST_SUITE(x86_ports_suite)

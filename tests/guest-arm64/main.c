/* The arm64 test guest's flow: report what the device tree says, act on
 * the cvmtest.* words, check, give a verdict through the debug-exit
 * register (PSCI SYSTEM_OFF where there is none). */
#include "arm64.h"

#define PAGE_SIZE	4096
#define SHARE_MARK	"cvm-guest shared page"

static struct guest_boot boot;
static struct dt_info dt;
/* The page a protected VM shares with the host, and then uses. */
static uint8_t shared_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

void *phys__map(uint64_t pa, uint64_t len)
{
	(void)len;
	return (void *)pa;		/* the MMU is off: physical = virtual */
}

void guest_exit(uint8_t status)
{
	uint64_t reg = dt.debug_exit;

	/* Once only: should the write fault, the exception's verdict ends
	 * the run through SYSTEM_OFF. */
	dt.debug_exit = 0;
	if (reg)
		mmio_write8(reg, status);
	psci__call(PSCI_SYSTEM_OFF, 0, 0, 0);
	cpu_idle_forever();		/* neither ended the VM */
}

void guest_exception(uint64_t vector)
{
	static bool nested;
	uint64_t esr, elr, far;

	if (nested)
		cpu_idle_forever();
	nested = true;
	asm volatile("mrs %0, esr_el1; mrs %1, elr_el1; mrs %2, far_el1"
		     : "=r"(esr), "=r"(elr), "=r"(far));
	say("exception vector %lu ESR 0x%lx ELR 0x%lx FAR 0x%lx", vector, esr, elr, far);
	report__check(false, "unexpected exception");
	report__verdict();
}

static void check_cpus(void)
{
	uint64_t expected = 1;
	uint32_t answered = 1;

	report__word(boot.cmdline, "cvmtest.cpus", 1, DT_MAX_CPUS, &expected);
	if (expected > 1) {
		if (dt.psci)
			answered = smp__start(&dt);
		else
			report__check(false, "no psci node to start the other CPUs with");
	}
	say("cpus %u of %lu", answered, expected);
	report__check(answered == expected, "cpus answered != cvmtest.cpus");
}

/* pKVM: learn the sharing granule, share one page granule by granule, then
 * use it (a write the host may read, read back). */
static void check_pkvm(void)
{
	const char *mark = SHARE_MARK;
	int64_t granule = psci__call(PKVM_HYP_MEMINFO, 0, 0, 0);
	uint64_t page = (uint64_t)shared_page;

	if (granule <= 0 || granule > PAGE_SIZE || PAGE_SIZE % granule) {
		say("pkvm HYP_MEMINFO returned 0x%lx", (uint64_t)granule);
		report__check(false, "pkvm HYP_MEMINFO failed");
		return;
	}
	for (uint64_t off = 0; off < PAGE_SIZE; off += (uint64_t)granule) {
		int64_t r = psci__call(PKVM_MEM_SHARE, page + off, 0, 0);

		if (r) {
			say("pkvm MEM_SHARE 0x%lx returned 0x%lx", page + off, (uint64_t)r);
			report__check(false, "pkvm MEM_SHARE failed");
			return;
		}
	}
	for (size_t i = 0; i < sizeof(SHARE_MARK); i++)
		shared_page[i] = (uint8_t)mark[i];
	for (size_t i = 0; i < sizeof(SHARE_MARK); i++)
		report__check(shared_page[i] == (uint8_t)mark[i], "shared page reads back wrong");
	say("pkvm granule %lu shared 0x%016lx", (uint64_t)granule, page);
}

/* An MMIO access no hypervisor can decode from its fault syndrome (a load
 * pair from the UART: ISV = 0).  KVM stops the VM there and cvm-run reports
 * where, reading the instruction from guest memory: from the image (a page
 * a protected VM keeps to itself), or with SHARED from a copy of the two
 * instructions in the shared page.  Nothing should come back. */
void nisv_load_pair(uint64_t addr);
asm(".pushsection .text\n"
    ".global nisv_load_pair\n"
    ".type nisv_load_pair, %function\n"
    "nisv_load_pair:\n"
    "	ldp x0, x1, [x0]\n"
    "	b .\n"
    ".size nisv_load_pair, . - nisv_load_pair\n"
    ".popsection");
#define NISV_CODE_SIZE	8
#define NISV_OFFSET	256		/* in the shared page, after the mark */

static void undecodable_mmio(bool shared)
{
	void (*fn)(uint64_t) = nisv_load_pair;
	uint8_t *copy = shared_page + NISV_OFFSET;

	if (shared) {
		for (size_t i = 0; i < NISV_CODE_SIZE; i++)
			copy[i] = ((const uint8_t *)nisv_load_pair)[i];
		/* The MMU is off: the address is the physical one. */
		asm volatile("dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb"
			     : : "r"(copy) : "memory");
		fn = (void (*)(uint64_t))(void *)copy;
	}
	say("nisv at 0x%016lx (%s)", (uint64_t)fn, shared ? "shared page" : "image");
	fn(dt.uart ? dt.uart : DEFAULT_UART);
	report__check(false, "undecodable MMIO access came back");
}

static void report_dt(uint64_t dtb)
{
	say("dtb 0x%016lx %u bytes", dtb, dt.size);
	say("cmdline \"%s\"%s", boot.cmdline, boot.cmdline_truncated ? " (truncated)" : "");
	for (uint32_t i = 0; i < boot.nr_map; i++)
		say("memory 0x%016lx-0x%016lx", boot.map[i].addr,
		    boot.map[i].addr + boot.map[i].size);
	say("dt cpus %u psci %s uart 0x%lx debug-exit 0x%lx", dt.nr_cpus,
	    dt.psci ? dt.psci : "none", dt.uart, dt.debug_exit);
	report__check(boot.nr_map > 0, "no memory node");
	report__check(dt.chosen, "no /chosen node");
	report__check(dt.nr_cpus > 0, "no cpu nodes");
	report__check(boot__ram_covers(&boot, dtb, dtb + dt.size), "device tree outside RAM");
}

void guest_main(uint64_t dtb)
{
	uint64_t el, n;
	const char *bad;

	serial__init(DEFAULT_UART);
	asm volatile("mrs %0, CurrentEL" : "=r"(el));
	el = (el >> 2) & 3;
	say("hello (arm64 entry at EL%lu)", el);
	report__check(el == 1, "not entered at EL1");
	bad = dt__read(dtb, &boot, &dt);
	if (bad) {
		report__check(false, bad);
		report__verdict();
	}
	if (dt.uart && dt.uart != DEFAULT_UART)
		serial__init(dt.uart);
	psci__use_smc(dt.psci && dt.psci[0] == 's');
	report_dt(dtb);

	if (report__word(boot.cmdline, "cvmtest.exit", 0, 255, &n)) {
		say("exit %lu", n);
		guest_exit((uint8_t)n);
	}
	report__check(boot__ram_covers(&boot, (uint64_t)_image_start, (uint64_t)_end),
		      "no RAM entry covers the guest image");
	check_cpus();
	report__initrd(&boot);
	if (cmdline__has(boot.cmdline, "cvmtest.pkvm"))
		check_pkvm();
	if (cmdline__has(boot.cmdline, "cvmtest.nisv") ||
	    cmdline__has(boot.cmdline, "cvmtest.nisv-shared"))
		undecodable_mmio(cmdline__has(boot.cmdline, "cvmtest.nisv-shared"));
	report__verdict();
}

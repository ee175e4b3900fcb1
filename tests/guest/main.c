/* The x86 test guest's one flow, whatever the entry: report what the loader
 * passed, act on the cvmtest.* words, check, give a verdict on port 0xf4. */
#include "guest.h"
#include "io.h"

#define EXIT_PORT	0xf4
#define MAX_CPUS	255		/* xAPIC IDs */

static struct guest_boot boot;

void guest_exit(uint8_t status)
{
	outb(EXIT_PORT, status);
	cpu_halt_forever();		/* a VMM without the exit port */
}

static void check_cpus(void)
{
	uint64_t expected = 1;
	uint32_t answered = 1;

	report__word(boot.cmdline, "cvmtest.cpus", 1, MAX_CPUS, &expected);
	if (expected > 1) {
		if (boot__ram_covers(&boot, SMP_TRAMPOLINE, SMP_TRAMPOLINE + 0x1000))
			answered = smp__start((uint32_t)expected, NULL);
		else
			report__check(false, "AP trampoline page is not RAM");
	}
	say("cpus %u of %lu", answered, expected);
	report__check(answered == expected, "cpus answered != cvmtest.cpus");
}

void guest_main(uint64_t kind, uint64_t info)
{
	const char *bad;
	uint64_t n;

	serial__init();
	say("hello (%s entry)", kind == ENTRY_PVH ? "pvh" : "linux64");
	bad = kind == ENTRY_PVH ? pvh__read(info, &boot) : linux__read(info, &boot);
	if (bad) {
		report__check(false, bad);
		report__verdict();
	}
	say("cmdline \"%s\"%s", boot.cmdline, boot.cmdline_truncated ? " (truncated)" : "");
	for (uint32_t i = 0; i < boot.nr_map; i++)
		say("e820 0x%016lx-0x%016lx %u", boot.map[i].addr,
		    boot.map[i].addr + boot.map[i].size, boot.map[i].type);

	if (report__word(boot.cmdline, "cvmtest.exit", 0, 255, &n)) {
		say("exit %lu", n);
		guest_exit((uint8_t)n);
	}
	if (report__word(boot.cmdline, "cvmtest.garbage", 0, UINT64_MAX, &n)) {
		uint64_t cpus = 1, hc = 0;

		report__word(boot.cmdline, "cvmtest.cpus", 1, MAX_CPUS, &cpus);
		report__word(boot.cmdline, "cvmtest.garbage-hc", 0, 1, &hc);
		say("garbage on %u cpus", garbage__run(n, cmdline__word_hash(boot.cmdline,
								      "cvmtest.garbage"),
						       boot__map_top(&boot), (uint32_t)cpus, hc));
		say("garbage done");
		guest_exit(0);
	}

	report__check(boot__ram_covers(&boot, (uint64_t)_image_start, (uint64_t)_end),
		      "no RAM entry covers the guest image");
	if (report__word(boot.cmdline, "cvmtest.convert", 0, UINT32_MAX, &n)) {
		uint64_t cpus = 1;

		report__word(boot.cmdline, "cvmtest.cpus", 1, MAX_CPUS, &cpus);
		bad = convert__run(&boot, n, (uint32_t)cpus);
		report__check(!bad, bad);
		report__verdict();
	}
	check_cpus();
	report__initrd(&boot);
	report__verdict();
}

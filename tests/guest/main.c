/* The test guest's one flow, whatever the entry: report what the loader
 * passed, act on the cvmtest.* words, check, give a verdict on port 0xf4. */
#include "guest.h"
#include "io.h"

#define EXIT_PORT	0xf4
#define MAX_CPUS	255		/* xAPIC IDs */

static struct guest_boot boot;
static const char *failure;		/* the first failed check */

static void __attribute__((noreturn)) guest_exit(uint8_t status)
{
	outb(EXIT_PORT, status);
	cpu_halt_forever();		/* a VMM without the exit port */
}

static void __attribute__((noreturn)) verdict(void)
{
	if (failure) {
		say("verdict FAIL %s", failure);
		guest_exit(1);
	}
	say("verdict PASS");
	guest_exit(0);
}

static void check(bool ok, const char *reason)
{
	if (!ok && !failure)
		failure = reason;
}

/* The value of a numeric cvmtest word in [min, max]: false when absent;
 * a bad value fails the run. */
static bool word_value(const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *val = cmdline__value(boot.cmdline, key);

	if (!val)
		return false;
	if (!cmdline__u64(val, out) || *out < min || *out > max) {
		say("bad value for %s", key);
		failure = "bad cvmtest word";
		verdict();
	}
	return true;
}

static void check_cpus(void)
{
	uint64_t expected = 1;
	uint32_t answered = 1;

	word_value("cvmtest.cpus", 1, MAX_CPUS, &expected);
	if (expected > 1) {
		if (boot__ram_covers(&boot, SMP_TRAMPOLINE, SMP_TRAMPOLINE + 0x1000))
			answered = smp__start((uint32_t)expected, NULL);
		else
			check(false, "AP trampoline page is not RAM");
	}
	say("cpus %u of %lu", answered, expected);
	check(answered == expected, "cpus answered != cvmtest.cpus");
}

static void check_initrd(void)
{
	uint64_t expected;
	bool want = word_value("cvmtest.initrd", 0, UINT32_MAX, &expected);
	uint32_t sum;

	if (!boot.initrd_size) {
		say("initrd none");
		check(!want, "no initrd");
		return;
	}
	if (boot.initrd + boot.initrd_size < boot.initrd ||
	    !boot__ram_covers(&boot, boot.initrd, boot.initrd + boot.initrd_size)) {
		say("initrd 0x%lx+%lu bytes is not in RAM", boot.initrd, boot.initrd_size);
		check(false, "initrd outside RAM");
		return;
	}
	sum = cksum__phys(boot.initrd, boot.initrd_size);
	if (!want)
		say("initrd %lu bytes cksum %u", boot.initrd_size, sum);
	else if (sum == expected)
		say("initrd %lu bytes cksum %u ok", boot.initrd_size, sum);
	else
		say("initrd %lu bytes cksum %u MISMATCH (expected %lu)",
		    boot.initrd_size, sum, expected);
	check(!want || sum == expected, "initrd cksum mismatch");
}

void guest_main(uint64_t kind, uint64_t info)
{
	const char *bad;
	uint64_t n;

	serial__init();
	say("hello (%s entry)", kind == ENTRY_PVH ? "pvh" : "linux64");
	bad = kind == ENTRY_PVH ? pvh__read(info, &boot) : linux__read(info, &boot);
	if (bad) {
		failure = bad;
		verdict();
	}
	say("cmdline \"%s\"%s", boot.cmdline, boot.cmdline_truncated ? " (truncated)" : "");
	for (uint32_t i = 0; i < boot.nr_map; i++)
		say("e820 0x%016lx-0x%016lx %u", boot.map[i].addr,
		    boot.map[i].addr + boot.map[i].size, boot.map[i].type);

	if (word_value("cvmtest.exit", 0, 255, &n)) {
		say("exit %lu", n);
		guest_exit((uint8_t)n);
	}
	if (word_value("cvmtest.garbage", 0, UINT64_MAX, &n)) {
		garbage__run(n, cmdline__word_hash(boot.cmdline, "cvmtest.garbage"),
			     boot__map_top(&boot));
		say("garbage done");
		guest_exit(0);
	}

	check(boot__ram_covers(&boot, (uint64_t)_image_start, (uint64_t)_end),
	      "no RAM entry covers the guest image");
	if (word_value("cvmtest.convert", 0, UINT32_MAX, &n)) {
		uint64_t cpus = 1;

		word_value("cvmtest.cpus", 1, MAX_CPUS, &cpus);
		bad = convert__run(&boot, n, (uint32_t)cpus);
		check(!bad, bad);
		verdict();
	}
	check_cpus();
	check_initrd();
	verdict();
}

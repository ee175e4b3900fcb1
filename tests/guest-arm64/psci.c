/* SMCCC calls (PSCI, the pKVM hypercalls) and starting the other CPUs. */
#include "arm64.h"

#define ANSWER_SECONDS		10		/* counter time a started CPU may take */

static bool use_smc;
/* One answer word per cpu node; ap_entry writes 1 into its own. */
static volatile uint32_t answered[DT_MAX_CPUS];

void psci__use_smc(bool smc)
{
	use_smc = smc;
}

int64_t psci__call(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 asm("x0") = fn;
	register uint64_t x1 asm("x1") = a1;
	register uint64_t x2 asm("x2") = a2;
	register uint64_t x3 asm("x3") = a3;

	/* SMCCC 1.0 leaves x4-x17 unknown on return. */
	if (use_smc)
		asm volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : :
			     "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
			     "x14", "x15", "x16", "x17", "memory");
	else
		asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : :
			     "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
			     "x14", "x15", "x16", "x17", "memory");
	return (int64_t)x0;
}

static uint64_t counter(void)
{
	uint64_t v;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static uint64_t counter_hz(void)
{
	uint64_t v;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

static uint32_t count_answers(uint32_t n)
{
	uint32_t got = 0;

	for (uint32_t i = 0; i < n; i++)
		got += answered[i];
	return got;
}

uint32_t smp__start(const struct dt_info *dt)
{
	uint64_t self = read_mpidr(), deadline;
	uint32_t started = 0;

	for (uint32_t i = 0; i < dt->nr_cpus; i++) {
		int64_t r;

		if (dt->mpidr[i] == self)
			continue;
		r = psci__call(PSCI_CPU_ON, dt->mpidr[i], (uint64_t)ap_entry,
			       (uint64_t)&answered[i]);
		if (r)
			say("cpu 0x%lx CPU_ON error 0x%lx", dt->mpidr[i], (uint64_t)r);
		else
			started++;
	}
	deadline = counter() + ANSWER_SECONDS * counter_hz();
	while (count_answers(dt->nr_cpus) < started && counter() < deadline)
		asm volatile("yield");
	return 1 + count_answers(dt->nr_cpus);
}

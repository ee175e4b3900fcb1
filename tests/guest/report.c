/* The verdict and the checks behind it, whatever the architecture. */
#include "common.h"

static const char *failure;		/* the first failed check */

void report__check(bool ok, const char *reason)
{
	if (!ok && !failure)
		failure = reason;
}

void report__verdict(void)
{
	if (failure) {
		say("verdict FAIL %s", failure);
		guest_exit(1);
	}
	say("verdict PASS");
	guest_exit(0);
}

bool report__word(const char *cmdline, const char *key, uint64_t min, uint64_t max,
		  uint64_t *out)
{
	const char *val = cmdline__value(cmdline, key);

	if (!val)
		return false;
	if (!cmdline__u64(val, out) || *out < min || *out > max) {
		say("bad value for %s", key);
		failure = "bad cvmtest word";
		report__verdict();
	}
	return true;
}

void report__initrd(const struct guest_boot *b)
{
	uint64_t expected;
	bool want = report__word(b->cmdline, "cvmtest.initrd", 0, UINT32_MAX, &expected);
	uint32_t sum;

	if (!b->initrd_size) {
		say("initrd none");
		report__check(!want, "no initrd");
		return;
	}
	if (b->initrd + b->initrd_size < b->initrd ||
	    !boot__ram_covers(b, b->initrd, b->initrd + b->initrd_size)) {
		say("initrd 0x%lx+%lu bytes is not in RAM", b->initrd, b->initrd_size);
		report__check(false, "initrd outside RAM");
		return;
	}
	sum = cksum__phys(b->initrd, b->initrd_size);
	if (!want)
		say("initrd %lu bytes cksum %u", b->initrd_size, sum);
	else if (sum == expected)
		say("initrd %lu bytes cksum %u ok", b->initrd_size, sum);
	else
		say("initrd %lu bytes cksum %u MISMATCH (expected %lu)", b->initrd_size, sum,
		    expected);
	report__check(!want || sum == expected, "initrd cksum mismatch");
}

/* libFuzzer target: CCA realm operation scripts (loader/realm-ops.c), and
 * the RIM replay of whatever parses.  The first byte picks the RMM semantics;
 * the rest is the script.  Data files resolve under a directory holding one
 * 5000-byte file "b", so mapped, short and past-EOF granules are reached. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/error.h"
#include "loader/realm-ops.h"
#include "measure/rim.h"

static char dir[] = "/tmp/cvm-fuzz-realm-ops-XXXXXX";
static char path[sizeof(dir) + 4];

static void remove_dir(void)
{
	unlink(path);
	rmdir(dir);
}

static const char *data_dir(void)
{
	static int made;
	FILE *f;

	if (made)
		return dir;
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/b", dir);
	f = fopen(path, "wb");
	if (!f)
		abort();
	for (int i = 0; i < 5000; i++)
		fputc(i * 31, f);
	fclose(f);
	atexit(remove_dir);
	made = 1;
	return dir;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum plan_rmm rmms[3] = { PLAN_RMM_ANY, PLAN_RMM_1_0, PLAN_RMM_2_0 };
	struct realm_ops ro = { 0 };
	uint8_t rim[RIM_MAX];
	struct plan p;

	if (!size)
		return 0;
	plan__init(&p);
	if (realm_ops__parse(&p, &ro, "fuzz.ops", data_dir(), (const char *)data + 1, size - 1,
			     rmms[data[0] % 3]) == 0) {
		if (rim__replay(&p, rim, NULL) < 0 && p.realm->rmm != PLAN_RMM_ANY)
			abort();        /* a plan that parsed must replay */
	} else if (err__status() != 2 || !*err__msg() || strchr(err__msg(), '\n')) {
		abort();                /* bad input: status 2 and one line */
	}
	realm_ops__exit(&ro);
	plan__exit(&p);
	return 0;
}

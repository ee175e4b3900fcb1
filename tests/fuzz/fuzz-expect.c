/* The --expect pattern compiler and matcher: a pattern up to the first NUL,
 * then console bytes (CR and LF start new lines). */
#include "tests/fuzz/fuzz.h"
#include "vmm/expect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char pattern[EXPECT_MAX_PATTERN + 2];
	struct expect *e;
	size_t n;

	for (n = 0; n < size && n < sizeof(pattern) - 1 && data[n]; n++)
		pattern[n] = data[n];
	pattern[n] = 0;
	e = expect__new(pattern, "--expect");
	if (!e)
		return 0;
	for (size_t i = n + 1; i < size; i++) {
		if (data[i] == '\n' || data[i] == '\r')
			expect__newline(e);
		else
			expect__feed(e, data[i]);
	}
	expect__free(e);
	return 0;
}

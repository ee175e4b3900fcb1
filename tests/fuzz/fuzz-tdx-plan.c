/* The TDX launch plan of a firmware file (sections inside the guest's RAM,
 * one TD_HOB, zero padding not allocated) and, when small, its MRTD.  The
 * first 8 bytes are the memory size. */
#include "loader/tdx.h"
#include "measure/mrtd.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t mem = fuzz__take(&data, &size, 8) & ((1ull << 53) - 1);
	struct tdx_layout l;
	uint8_t mrtd[MRTD_SIZE];
	struct plan p;
	char path[32];
	int fd = fuzz__file(data, size, path);
	struct tdx_launch cfg = { path, mem };

	if (fd < 0)
		return 0;
	plan__init(&p);
	if (tdx__build_plan(&p, &cfg, &l) == 0 && mrtd__stream_bytes(&p) < (4u << 20))
		mrtd__replay(&p, size & 1 ? MRTD_TWO_PASS : MRTD_SINGLE_PASS, mrtd);
	plan__exit(&p);
	close(fd);
	return 0;
}

/* Page-aligned copies of plan bytes for the ioctls that read their source
 * with get_user_pages, page by page (TDX's INIT_MEM_REGION, CCA's
 * RMI_POPULATE): the source must start on a page and cover whole pages,
 * zeros included.  One buffer, grown as needed, reused op after op. */
#ifndef CVM_STAGING_H
#define CVM_STAGING_H

#include <stddef.h>
#include <stdint.h>

struct staging {
	uint8_t *buf;
	size_t len;
};

/* DATA itself when it is page-aligned and LEN is SIZE; otherwise a copy of
 * LEN bytes of DATA (NULL: none) zero-filled to SIZE, a whole number of
 * pages.  NULL with err__set_status() naming WHAT when memory runs out. */
const uint8_t *staging__get(struct staging *s, const uint8_t *data, uint64_t len,
			    uint64_t size, const char *what);
void staging__exit(struct staging *s);

#endif

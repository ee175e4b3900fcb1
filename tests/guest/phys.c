/* Physical memory access.  entry.S identity-maps 0-4 GiB; anything higher
 * goes through a two-entry window of 2 MiB pages at virtual 4 GiB, so the
 * page tables stay a few static pages whatever the guest's RAM size. */
#include "guest.h"

#define SZ_2M		0x200000ull
#define SZ_4G		0x100000000ull
#define PDE_LARGE	0x83ull		/* present, writable, 2 MiB page */
#define WINDOW_VA	SZ_4G

extern uint64_t window_pd[512];		/* entry.S: mapped at WINDOW_VA */

void *phys__map(uint64_t pa, uint64_t len)
{
	uint64_t base = pa & ~(SZ_2M - 1);

	if (pa < SZ_4G && len <= SZ_4G - pa)
		return (void *)pa;
	for (int i = 0; i < 2; i++) {
		window_pd[i] = (base + i * SZ_2M) | PDE_LARGE;
		asm volatile("invlpg (%0)" : : "r"(WINDOW_VA + i * SZ_2M) : "memory");
	}
	return (void *)(WINDOW_VA + (pa - base));
}

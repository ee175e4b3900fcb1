/* TDX runtime measurement registers: an event log whose digests extend
 * RTMR[i] = SHA-384(RTMR[i] || digest), each register starting at zero. */
#ifndef CVM_RTMR_H
#define CVM_RTMR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RTMR_COUNT 4
#define RTMR_SIZE  48

/* TCG PC Client event types that TDVF and the Linux EFI stub log. */
enum tcg_event_type {
	EV_SEPARATOR                     = 0x4,
	EV_EVENT_TAG                     = 0x6,
	EV_PLATFORM_CONFIG_FLAGS         = 0xa,
	EV_EFI_VARIABLE_DRIVER_CONFIG    = 0x80000001,
	EV_EFI_VARIABLE_BOOT             = 0x80000002,
	EV_EFI_BOOT_SERVICES_APPLICATION = 0x80000003,
	EV_EFI_ACTION                    = 0x80000007,
	EV_EFI_PLATFORM_FIRMWARE_BLOB2   = 0x8000000a,
	EV_EFI_HANDOFF_TABLES2           = 0x8000000b,
};

struct rtmr_event {
	unsigned reg;                   /* 0..RTMR_COUNT-1 */
	uint32_t type;                  /* enum tcg_event_type */
	uint8_t digest[RTMR_SIZE];
	char desc[48];
};

#define RTMR_MAX_EVENTS 32

struct rtmr_log {
	struct rtmr_event ev[RTMR_MAX_EVENTS];
	size_t n;
};

/* Appends an event whose digest is filled in by the caller (now or later);
 * NULL when the log is full. */
struct rtmr_event *rtmr__add(struct rtmr_log *log, unsigned reg, uint32_t type,
			     const char *desc);
/* The registers after every event of LOG, in order. */
void rtmr__replay(const struct rtmr_log *log, uint8_t out[RTMR_COUNT][RTMR_SIZE]);
/* "EV_SEPARATOR", ... or "EV_UNKNOWN" */
const char *rtmr__type_name(uint32_t type);
/* One line per event: "RTMRn TYPE DIGEST DESC". */
void rtmr__print(FILE *f, const struct rtmr_log *log);

#endif

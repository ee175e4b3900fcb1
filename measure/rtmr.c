#include <openssl/evp.h>
#include <string.h>

#include "measure/digest.h"
#include "measure/output.h"
#include "measure/rtmr.h"

struct rtmr_event *rtmr__add(struct rtmr_log *log, unsigned reg, uint32_t type,
			     const char *desc)
{
	struct rtmr_event *e;

	if (log->n == RTMR_MAX_EVENTS || reg >= RTMR_COUNT)
		return NULL;
	e = &log->ev[log->n++];
	memset(e, 0, sizeof(*e));
	e->reg = reg;
	e->type = type;
	strncpy(e->desc, desc, sizeof(e->desc) - 1);
	return e;
}

void rtmr__replay(const struct rtmr_log *log, uint8_t out[RTMR_COUNT][RTMR_SIZE])
{
	memset(out, 0, RTMR_COUNT * RTMR_SIZE);
	for (size_t i = 0; i < log->n; i++) {
		const struct rtmr_event *e = &log->ev[i];
		uint8_t buf[2 * RTMR_SIZE];

		memcpy(buf, out[e->reg], RTMR_SIZE);
		memcpy(buf + RTMR_SIZE, e->digest, RTMR_SIZE);
		EVP_Digest(buf, sizeof(buf), out[e->reg], NULL, digest__sha384(), NULL);
	}
}

const char *rtmr__type_name(uint32_t type)
{
	switch (type) {
	case EV_SEPARATOR:                     return "EV_SEPARATOR";
	case EV_EVENT_TAG:                     return "EV_EVENT_TAG";
	case EV_PLATFORM_CONFIG_FLAGS:         return "EV_PLATFORM_CONFIG_FLAGS";
	case EV_EFI_VARIABLE_DRIVER_CONFIG:    return "EV_EFI_VARIABLE_DRIVER_CONFIG";
	case EV_EFI_VARIABLE_BOOT:             return "EV_EFI_VARIABLE_BOOT";
	case EV_EFI_BOOT_SERVICES_APPLICATION: return "EV_EFI_BOOT_SERVICES_APPLICATION";
	case EV_EFI_ACTION:                    return "EV_EFI_ACTION";
	case EV_EFI_PLATFORM_FIRMWARE_BLOB2:   return "EV_EFI_PLATFORM_FIRMWARE_BLOB2";
	case EV_EFI_HANDOFF_TABLES2:           return "EV_EFI_HANDOFF_TABLES2";
	}
	return "EV_UNKNOWN";
}

void rtmr__print(FILE *f, const struct rtmr_log *log)
{
	for (size_t i = 0; i < log->n; i++) {
		const struct rtmr_event *e = &log->ev[i];

		fprintf(f, "RTMR%u %-32s ", e->reg, rtmr__type_name(e->type));
		out__hex(f, e->digest, RTMR_SIZE);
		fprintf(f, " %s\n", e->desc);
	}
}

/* Just enough ACPI Machine Language (ACPI 6.3, chapter 20) to write a DSDT
 * of named data objects: Scope, Device, Name, Package, integers, strings,
 * EISA ids and resource templates with IO and IRQ descriptors.  No methods.
 *
 * Scope, Device, Package and resource templates nest: *_begin() opens one,
 * aml__end() closes the innermost and writes its PkgLength in front.  Names
 * are one NameSeg of four characters ("COM1", "_HID"), or "\\" plus one for
 * the root ("\\_SB_").  Like loader/acpi.h, failure (out of memory, a name
 * that is not a NameSeg, unbalanced nesting) is sticky: check a->failed
 * before using the bytes. */
#ifndef CVM_AML_H
#define CVM_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 8

struct aml {
	uint8_t *buf;
	size_t len, cap;
	size_t open[AML_MAX_DEPTH];     /* where each open object's body starts */
	uint8_t kind[AML_MAX_DEPTH];
	unsigned depth;
	bool failed;
};

void aml__init(struct aml *a);
void aml__exit(struct aml *a);

void aml__scope_begin(struct aml *a, const char *name);
void aml__device_begin(struct aml *a, const char *name);
void aml__package_begin(struct aml *a, uint8_t count);
/* A Buffer holding resource descriptors; aml__end() adds the end tag. */
void aml__resources_begin(struct aml *a);
void aml__end(struct aml *a);

/* Name (NAME, ...): follow with exactly one data object. */
void aml__name(struct aml *a, const char *name);
void aml__int(struct aml *a, uint64_t v);
void aml__string(struct aml *a, const char *s);
/* A compressed EISA id such as "PNP0501", as an integer. */
void aml__eisaid(struct aml *a, const char *id);

/* Resource descriptors (ACPI 6.3, 6.4.2): IO (Decode16, BASE, BASE, ALIGN,
 * LEN) and IRQNoFlags () {IRQ}. */
void aml__io(struct aml *a, uint16_t base, uint8_t align, uint8_t len);
void aml__irq(struct aml *a, uint8_t irq);

#endif

#include <stddef.h>
#include <string.h>

#include "arch/x86/mptable.h"
#include "loader/error.h"

/* Intel MP spec 1.4, chapter 4: every structure is packed little-endian. */
struct mpf_intel {
	char signature[4];      /* "_MP_" */
	uint32_t physptr;
	uint8_t length;         /* in 16-byte units */
	uint8_t specification;
	uint8_t checksum;
	uint8_t feature[5];
} __attribute__((packed));

struct mpc_table {
	char signature[4];      /* "PCMP" */
	uint16_t length;
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char product[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t count;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag;
	uint32_t cpufeature;    /* CPUID 1 EAX signature */
	uint32_t featureflag;   /* CPUID 1 EDX */
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type;
	uint8_t busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags;
	uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {             /* I/O and local interrupt assignment */
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic;
	uint8_t dstirq;
} __attribute__((packed));

_Static_assert(sizeof(struct mpf_intel) == 16, "MP floating pointer");
_Static_assert(sizeof(struct mpc_table) == 44, "MP config header");
_Static_assert(sizeof(struct mpc_cpu) == X86_MPTABLE_CPU_SIZE, "MP processor entry");
_Static_assert(sizeof(struct mpc_bus) == 8 && sizeof(struct mpc_ioapic) == 8 &&
	       sizeof(struct mpc_intsrc) == 8, "MP 8-byte entries");

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC };
enum { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };

#define CPU_ENABLED       0x01
#define CPU_BOOTPROCESSOR 0x02
#define MP_APIC_VERSION   0x14  /* KVM's local APIC */
#define MP_IOAPIC_VERSION 0x11
#define MP_ISA_BUS        0
#define MP_ALL_LAPICS     0xff
#define MP_CPU_SIGNATURE  0x600         /* family 6: informational only */
#define MP_CPU_FEATURES   0x201         /* FPU, APIC */

static uint8_t checksum(const uint8_t *b, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

static uint8_t *intsrc(uint8_t *at, uint8_t type, uint8_t irqtype, uint8_t bus_irq,
		       uint8_t dstapic, uint8_t dstirq)
{
	struct mpc_intsrc s = {
		.type = type, .irqtype = irqtype, .irqflag = 0 /* conforms to the bus */,
		.srcbus = MP_ISA_BUS, .srcbusirq = bus_irq, .dstapic = dstapic, .dstirq = dstirq,
	};

	memcpy(at, &s, sizeof(s));
	return at + sizeof(s);
}

int x86__mptable_add(struct plan *p, uint32_t vcpus)
{
	size_t size = X86_MPTABLE_FIXED_SIZE + vcpus * X86_MPTABLE_CPU_SIZE;
	struct mpf_intel mpf = { .signature = "_MP_", .length = 1, .specification = 4 };
	struct mpc_table mpc = {
		.signature = "PCMP", .spec = 4, .oem = "CVM     ", .product = "CVM-RUN     ",
		.lapic = X86_LAPIC_ADDR,
	};
	struct mpc_bus bus = { .type = MP_BUS, .busid = MP_ISA_BUS, .bustype = "ISA   " };
	struct mpc_ioapic ioapic = {
		.type = MP_IOAPIC, .apicid = vcpus, .apicver = MP_IOAPIC_VERSION, .flags = 1,
		.apicaddr = X86_IOAPIC_ADDR,
	};
	uint8_t *buf, *at, *table;

	if (vcpus == 0 || vcpus > X86_MPTABLE_MAX_CPUS)
		return err__set("vcpus: %u is not within 1..%llu (the MP table at %#llx)", vcpus,
				(unsigned long long)X86_MPTABLE_MAX_CPUS,
				(unsigned long long)X86_MPTABLE_ADDR);
	buf = plan__alloc(p, size);
	if (!buf)
		return -1;
	table = buf + sizeof(mpf);
	at = table + sizeof(mpc);
	for (uint32_t i = 0; i < vcpus; i++) {
		struct mpc_cpu cpu = {
			.type = MP_PROCESSOR, .apicid = i, .apicver = MP_APIC_VERSION,
			.cpuflag = CPU_ENABLED | (i == 0 ? CPU_BOOTPROCESSOR : 0),
			.cpufeature = MP_CPU_SIGNATURE, .featureflag = MP_CPU_FEATURES,
		};

		memcpy(at, &cpu, sizeof(cpu));
		at += sizeof(cpu);
	}
	memcpy(at, &bus, sizeof(bus));
	at += sizeof(bus);
	memcpy(at, &ioapic, sizeof(ioapic));
	at += sizeof(ioapic);
	/* ISA IRQ0 (the PIT) arrives on IOAPIC pin 2, as on PCs and with KVM's
	 * in-kernel PIT; IRQ2 is the 8259 cascade, so its pin is IRQ0's. */
	for (uint8_t irq = 0; irq < 16; irq++)
		if (irq != 2)
			at = intsrc(at, MP_INTSRC, MP_INT, irq, vcpus, irq == 0 ? 2 : irq);
	/* Virtual-wire mode: the 8259 on LINT0, NMI on LINT1, every LAPIC. */
	at = intsrc(at, MP_LINTSRC, MP_EXTINT, 0, MP_ALL_LAPICS, 0);
	at = intsrc(at, MP_LINTSRC, MP_NMI, 0, MP_ALL_LAPICS, 1);

	mpc.length = at - table;
	mpc.count = vcpus + 2 + 15 + 2;
	memcpy(table, &mpc, sizeof(mpc));
	table[offsetof(struct mpc_table, checksum)] = checksum(table, mpc.length);

	mpf.physptr = X86_MPTABLE_ADDR + sizeof(mpf);
	memcpy(buf, &mpf, sizeof(mpf));
	buf[offsetof(struct mpf_intel, checksum)] = checksum(buf, sizeof(mpf));

	return plan__add(p, PLAN_LOAD, X86_MPTABLE_ADDR, size, buf, "mptable") ? 0 : -1;
}

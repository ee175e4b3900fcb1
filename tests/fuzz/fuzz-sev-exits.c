/* libFuzzer target: what a hostile SEV guest hands cvm-run at run time, as
 * the SNP and SEV-ES backends' exit hook (arch/x86/kvm-sev.c, kvm-snp.c)
 * sees it: termination requests (a GHCB MSR value, or a GHCB GPA whose
 * SW_EXITINFO1 the guest wrote) and certificate requests (any GPA and page
 * count) against a small guest RAM, with a certificate table to serve.
 *
 * Input: one byte picks the backend and the exit (SEV_TERM, REQ_CERTS or
 * another reason), two little-endian u64 operands follow, the rest fills
 * guest RAM.  Build (libFuzzer, clang):
 *   CFLAGS='-O1 -g -fsanitize=fuzzer-no-link,address -Wno-gnu-variable-sized-type-not-at-end' \
 *        make CC=clang BUILD=build-fuzz build-fuzz/libcvm.a
 *   clang -g -fsanitize=fuzzer,address -I. -Iarch/x86 -D_GNU_SOURCE \
 *        tests/fuzz/fuzz-sev-exits.c build-fuzz/libcvm.a -lelf -lcrypto -pthread */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/kvm-abi.h"
#include "arch/x86/kvm-sev.h"
#include "loader/bytes.h"
#include "vmm/tee.h"
#include "vmm/vm.h"

#define RAM_BASE 0x10000ull
#define RAM_SIZE 0x10000ull

static uint8_t ram[RAM_SIZE];
static uint8_t certs[5000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm_config cfg;
	static struct kvm_run run;
	struct sev_state s = { .fd = -1, .certs = certs, .certs_len = sizeof(certs) };
	struct vm vm = { .cfg = &cfg, .tee_state = &s };
	struct vcpu v = { .vm = &vm, .run = &run };
	uint64_t a, b;
	bool more;

	if (size < 17)
		return 0;
	a = bytes__get_le(data + 1, 8);
	b = bytes__get_le(data + 9, 8);
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data + 17, size - 17 < RAM_SIZE ? size - 17 : RAM_SIZE);
	vm.tee = data[0] & 1 ? &tee_sev_es : &tee_snp;
	s.mode = data[0] & 1 ? SEV_MODE_SEV_ES : SEV_MODE_SNP;
	vm.mem.model = MEM_SHARED;
	vm.mem.slots[0] = (struct guest_slot){ RAM_BASE, RAM_SIZE, ram, 0 };
	vm.mem.nslots = 1;
	pthread_mutex_init(&vm.lock, NULL);
	pthread_cond_init(&vm.ended, NULL);
	memset(&run, 0, sizeof(run));
	switch (data[0] >> 1 & 3) {
	case 0:
		run.exit_reason = KVM_EXIT_SYSTEM_EVENT;
		run.system_event.type = KVM_SYSTEM_EVENT_SEV_TERM;
		run.system_event.ndata = b & 1;
		run.system_event.data[0] = a;
		break;
	case 1:
		run.exit_reason = KVM_EXIT_SNP_REQ_CERTS;
		kvm_run__snp_req_certs(&run)->gpa = a;
		kvm_run__snp_req_certs(&run)->npages = b;
		break;
	default:
		run.exit_reason = (uint32_t)a;
		run.system_event.type = (uint32_t)b;
	}
	vm.tee->handle_exit(&v, &more);
	pthread_cond_destroy(&vm.ended);
	pthread_mutex_destroy(&vm.lock);
	return 0;
}

/* arm64's --tee backends: pKVM protected VMs, and Arm CCA realms on the
 * posted (unmerged) v14 KVM ABI. */
#include "arch/arm64/kvm-tee.h"

const struct tee_ops *const arch__tees[] = { &tee_pkvm, &tee_realm, NULL };

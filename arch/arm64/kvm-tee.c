/* arm64's --tee backends: pKVM protected VMs.  Arm CCA realms (--tee
 * realm) need the unmerged RMI ABI and are not in this build. */
#include "arch/arm64/kvm-tee.h"

const struct tee_ops *const arch__tees[] = { &tee_pkvm, NULL };

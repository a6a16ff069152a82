// Registration of every CPU kernel family.
#ifndef RILL_RUNTIME_KERNELS_STANDARD_KERNELS_H_
#define RILL_RUNTIME_KERNELS_STANDARD_KERNELS_H_

#include "absl/status/status.h"

namespace rill {

class KernelRegistry;

absl::Status RegisterStandardKernels(KernelRegistry& registry);

// All of rill's CPU kernels, validated against GlobalOpRegistry(). Filled on
// first use; thread-safe.
const KernelRegistry& GlobalKernelRegistry();

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_STANDARD_KERNELS_H_

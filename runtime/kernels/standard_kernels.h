// Registration of every CPU kernel family.
#ifndef RILL_RUNTIME_KERNELS_STANDARD_KERNELS_H_
#define RILL_RUNTIME_KERNELS_STANDARD_KERNELS_H_

#include "absl/status/status.h"

namespace rill {

class KernelRegistry;

absl::Status RegisterStandardKernels(KernelRegistry& registry);

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_STANDARD_KERNELS_H_

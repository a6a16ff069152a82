#include "runtime/kernels/standard_kernels.h"

#include "graph/status_macros.h"
#include "ops/op_registry.h"
#include "runtime/kernel_registry.h"
#include "runtime/kernels/kernel_families.h"

namespace rill {

absl::Status RegisterStandardKernels(KernelRegistry& registry) {
  RETURN_IF_ERROR(RegisterPlaceholderKernels(registry));
  RETURN_IF_ERROR(RegisterMatMulKernels(registry));
  RETURN_IF_ERROR(RegisterBiasAddKernels(registry));
  RETURN_IF_ERROR(RegisterCwiseBinaryKernels(registry));
  RETURN_IF_ERROR(RegisterCwiseUnaryKernels(registry));
  RETURN_IF_ERROR(RegisterConcatSplitKernels(registry));
  RETURN_IF_ERROR(RegisterArrayKernels(registry));
  RETURN_IF_ERROR(RegisterLinalgKernels(registry));
  RETURN_IF_ERROR(RegisterStateKernels(registry));
  RETURN_IF_ERROR(RegisterRandomKernels(registry));
  return absl::OkStatus();
}

const KernelRegistry& GlobalKernelRegistry() {
  // Leaked on purpose: kernels may be created during static destruction of
  // other objects, so the registry must never be destroyed.
  static const KernelRegistry* const registry = [] {
    auto* reg = new KernelRegistry();
    absl::Status s = RegisterStandardKernels(*reg);
    s.Update(reg->Validate(GlobalOpRegistry()));
    // Registration is fixed code, not user input: a failure is a build bug.
    RILL_CHECK(s.ok());
    return reg;
  }();
  return *registry;
}

}  // namespace rill

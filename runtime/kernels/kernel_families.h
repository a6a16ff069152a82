// Registration entry points of the CPU kernel families (one .cc each).
// RegisterStandardKernels (standard_kernels.h) calls them all.
#ifndef RILL_RUNTIME_KERNELS_KERNEL_FAMILIES_H_
#define RILL_RUNTIME_KERNELS_KERNEL_FAMILIES_H_

#include "absl/status/status.h"

namespace rill {

class KernelRegistry;

// Placeholder, PlaceholderWithDefault, Const, Identity, NoOp (all dtypes).
absl::Status RegisterPlaceholderKernels(KernelRegistry& registry);
// MatMul: float, double, int32, int64.
absl::Status RegisterMatMulKernels(KernelRegistry& registry);
// BiasAdd (NHWC, NCHW): float, double, int32, int64.
absl::Status RegisterBiasAddKernels(KernelRegistry& registry);
// Add, AddV2, Sub, Mul, RealDiv with broadcasting: float, double, int32, int64.
absl::Status RegisterCwiseBinaryKernels(KernelRegistry& registry);
// Sigmoid, Tanh (float, double); Relu (float, double, int32, int64).
absl::Status RegisterCwiseUnaryKernels(KernelRegistry& registry);
// ConcatV2, Split (all dtypes).
absl::Status RegisterConcatSplitKernels(KernelRegistry& registry);
// Fill, Reshape, Shape (all dtypes).
absl::Status RegisterArrayKernels(KernelRegistry& registry);
// Qr (float, double); DiagPart, MatrixDiagPart, Transpose (all dtypes); Sign
// (float, double, int32, int64).
absl::Status RegisterLinalgKernels(KernelRegistry& registry);

// VariableV2, Assign (variables live in the Session's VariableStorage).
absl::Status RegisterStateKernels(KernelRegistry& registry);
// RandomUniform, RandomStandardNormal, TruncatedNormal: float, double.
absl::Status RegisterRandomKernels(KernelRegistry& registry);

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_KERNEL_FAMILIES_H_

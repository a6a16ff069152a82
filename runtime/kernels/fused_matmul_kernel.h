// FusedMatMulKernel: a dense layer outside the GRU pattern — MatMul, BiasAdd
// and optionally Relu, Sigmoid or Tanh (TensorFlow's _FusedMatMul) — as one
// kernel: one sgemm into the output, then bias and activation in one pass
// over it. No intermediate tensors; Const weights are read at a padded
// stride (gemm.h). The executor substitutes it for a matched subgraph
// (runtime/matmul_fusion.h), keeping the last node's name. float only.
//
// Inputs: a [M, K] (or [K, M] with transpose_a), b [K, N] (or [N, K]),
// bias [N]; output [M, N].
#ifndef RILL_RUNTIME_KERNELS_FUSED_MATMUL_KERNEL_H_
#define RILL_RUNTIME_KERNELS_FUSED_MATMUL_KERNEL_H_

#include <vector>

#include "runtime/kernels/fused_gru_kernel.h"
#include "runtime/kernels/gemm.h"

namespace rill {

enum class FusedActivation { kNone, kRelu, kSigmoid, kTanh };

class FusedMatMulKernel : public FusedKernel {
 public:
  // `constant_weights`: b is a Const value (see OpKernel::SetConstantInputs).
  FusedMatMulKernel(bool transpose_a, bool transpose_b, FusedActivation activation,
                    bool constant_weights)
      : transpose_a_(transpose_a),
        transpose_b_(transpose_b),
        activation_(activation),
        constant_weights_(constant_weights) {}

  const char* name() const override { return "FusedMatMul"; }
  // [M, N]; InvalidArgument (TensorFlow's MatMul and BiasAdd kernel texts)
  // unless a and b are matrices with matching inner dimensions and bias is
  // a vector of N. Compute checks the same.
  absl::Status OutputShapes(absl::Span<const Tensor* const> inputs,
                            std::vector<TensorShape>* shapes) const override;
  absl::Status Compute(KernelContext& ctx) const override;

 private:
  const bool transpose_a_;
  const bool transpose_b_;
  const FusedActivation activation_;
  const bool constant_weights_;
  PaddedOperandCache b_cache_;
};

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_FUSED_MATMUL_KERNEL_H_

// FusedMatMulKernel: a dense layer outside the GRU pattern — MatMul, BiasAdd
// and optionally Relu, Sigmoid or Tanh (TensorFlow's _FusedMatMul) — as one
// kernel: one sgemm into the output, then bias and activation in one pass
// over it. No intermediate tensors; Const and variable weights are read at
// a padded stride (gemm.h). The executor substitutes it for a matched subgraph
// (runtime/matmul_fusion.h), keeping the last node's name. float only.
//
// Inputs: a [M, K] (or [K, M] with transpose_a), b [K, N] (or [N, K]),
// bias [N]; output [M, N]. When a is a ConcatV2 along columns (a dense
// layer on [x, h], as BasicRNNCell builds it), the kernel takes its pieces
// a_1 [M, K_1] ... a_n [M, K_n] instead of a and multiplies each by its
// rows of b, accumulating: the concatenated copy is never made.
#ifndef RILL_RUNTIME_KERNELS_FUSED_MATMUL_KERNEL_H_
#define RILL_RUNTIME_KERNELS_FUSED_MATMUL_KERNEL_H_

#include <memory>
#include <vector>

#include "runtime/kernels/fused_gru_kernel.h"
#include "runtime/kernels/gemm.h"

namespace rill {

enum class FusedActivation { kNone, kRelu, kSigmoid, kTanh };

class FusedMatMulKernel : public FusedKernel {
 public:
  // `weight_source`: where b comes from (Const and variable weights at a
  // slow stride are read from a padded copy kept across runs, shared
  // through `store` when set).
  // `pieces`: how many inputs make up a (the values of an absorbed ConcatV2
  // along columns; 1 for a plain a). REQUIRES: !transpose_a when pieces > 1.
  FusedMatMulKernel(bool transpose_a, bool transpose_b, FusedActivation activation,
                    InputSource weight_source, int pieces = 1,
                    DerivedWeightStore* store = nullptr)
      : transpose_a_(transpose_a),
        transpose_b_(transpose_b),
        activation_(activation),
        pieces_(pieces),
        b_cache_(KeepsDerivedValues(weight_source)
                     ? std::make_unique<PaddedOperandCache>(weight_source, store)
                     : nullptr) {}

  const char* name() const override { return "FusedMatMul"; }
  // [M, N]; InvalidArgument (TensorFlow's ConcatV2, MatMul and BiasAdd
  // kernel texts) unless the pieces of a are matrices with M rows each, a and
  // b have matching inner dimensions and bias is a vector of N. Compute
  // checks the same.
  absl::Status OutputShapes(absl::Span<const Tensor* const> inputs,
                            std::vector<TensorShape>* shapes) const override;
  absl::Status Compute(KernelContext& ctx) const override;

 private:
  const bool transpose_a_;
  const bool transpose_b_;
  const FusedActivation activation_;
  const int pieces_;
  const std::unique_ptr<PaddedOperandCache> b_cache_;  // Null: b not kept.
};

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_FUSED_MATMUL_KERNEL_H_

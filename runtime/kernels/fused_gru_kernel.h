// FusedGruKernel: one TensorFlow GRUCell step — the 14 nodes GRUCell emits
// (ConcatV2, MatMul, BiasAdd, Sigmoid, Split, Mul, ConcatV2, MatMul, BiasAdd,
// Tanh, Mul, Sub, Mul, Add/AddV2) — as one kernel:
//
//   [r, u] = sigmoid([x, h] · W_ru + b_ru);  c = tanh([x, r ⊙ h] · W_c + b_c)
//   h'     = u ⊙ h + (1 − u) ⊙ c
//
// Two sgemm calls, bias + activation + gating fused into one pass over each
// GEMM result, and no intermediate tensors (scratch is per thread and reused).
// It is not an op of the registry: the executor substitutes it for a matched
// GRU subgraph (runtime/gru_fusion.h), keeping the final node's name.
//
// Inputs, in order: x [B, I], h [B, H], w_ru [I+H, 2H], b_ru [2H],
// w_c [I+H, H], b_c [H]; output: h' [B, H]. float only.
#ifndef RILL_RUNTIME_KERNELS_FUSED_GRU_KERNEL_H_
#define RILL_RUNTIME_KERNELS_FUSED_GRU_KERNEL_H_

#include <vector>

#include "absl/types/span.h"
#include "runtime/kernel.h"

namespace rill {

// A kernel that stands for several graph nodes computes its own output
// shapes (there is no single op whose shape function applies).
class FusedKernel : public OpKernel {
 public:
  // Names the fused step in profiles ("FusedGRUCell").
  virtual const char* name() const = 0;
  virtual absl::Status OutputShapes(absl::Span<const Tensor* const> inputs,
                                    std::vector<TensorShape>* shapes) const = 0;
};

class FusedGruKernel : public FusedKernel {
 public:
  // `input_size` and `units` are the static I and H (validated by the
  // graph's shape inference of the original nodes).
  FusedGruKernel(int64_t input_size, int64_t units) : input_size_(input_size), units_(units) {}

  // [B, H]; InvalidArgument if x and h disagree on B (possible only when the
  // batch was unknown at build time).
  const char* name() const override { return "FusedGRUCell"; }
  absl::Status OutputShapes(absl::Span<const Tensor* const> inputs,
                            std::vector<TensorShape>* shapes) const override;
  absl::Status Compute(KernelContext& ctx) const override;

 private:
  int64_t input_size_;
  int64_t units_;
};

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_FUSED_GRU_KERNEL_H_

// FusedGruKernel: one TensorFlow GRUCell step — the 14 nodes GRUCell emits
// (ConcatV2, MatMul, BiasAdd, Sigmoid, Split, Mul, ConcatV2, MatMul, BiasAdd,
// Tanh, Mul, Sub, Mul, Add/AddV2) — as one kernel:
//
//   [r, u] = sigmoid([x, h] · W_ru + b_ru);  c = tanh([x, r ⊙ h] · W_c + b_c)
//   h'     = u ⊙ h + (1 − u) ⊙ c
//
// Two GEMMs (PackedGemm against weights packed once when they are Const or
// variable values and the batch is small, oneDNN's sgemm otherwise), bias + activation + gating
// fused into one pass over each GEMM result, and no intermediate tensors
// (scratch is per thread and reused).
// It is not an op of the registry: the executor substitutes it for a matched
// GRU subgraph (runtime/gru_fusion.h), keeping the final node's name.
//
// Inputs, in order: x [B, I], h [B, H], w_ru [I+H, 2H], b_ru [2H],
// w_c [I+H, H], b_c [H] (without w_ru and w_c when the plan bound their
// Const nodes to the kernel); output: h' [B, H]. float only.
#ifndef RILL_RUNTIME_KERNELS_FUSED_GRU_KERNEL_H_
#define RILL_RUNTIME_KERNELS_FUSED_GRU_KERNEL_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "runtime/kernel.h"
#include "runtime/kernels/gru_weights.h"

namespace rill {

// A kernel that stands for several graph nodes computes its own output
// shapes (there is no single op whose shape function applies).
class FusedKernel : public OpKernel {
 public:
  // Names the fused step in profiles ("FusedGRUCell").
  virtual const char* name() const = 0;
  virtual absl::Status OutputShapes(absl::Span<const Tensor* const> inputs,
                                    std::vector<TensorShape>* shapes) const = 0;
  // Called by the plan once, before any run, with the outputs nothing reads
  // (not fetched, no consumer): the kernel may leave those unset, and the
  // plan drops whatever it sets. By default all outputs are produced.
  virtual void SetUnusedOutputs(const std::vector<bool>& unused) {}
};

// InvalidArgument unless every x in `xs` is [B, input_size], `h` is
// [B, units] and `weights` are W_ru [I+H, 2H], b_ru [2H], W_c [I+H, H],
// b_c [H], B being h's first dimension. The match fixed I and H from static
// shapes, but a fed or partially known tensor is only compatible with them
// (a state fed as [B, 1], a batch that differs): fused kernels check what
// they read, which the replaced nodes' shape functions would have rejected.
absl::Status CheckGruInputShapes(absl::Span<const Tensor* const> xs, const Tensor& h,
                                 absl::Span<const TensorShape* const> weights,
                                 int64_t input_size, int64_t units);

// How many slices of batch rows a GRU of `steps` steps runs in on
// `threads` intra-op threads: each slice is computed on one thread as a
// GRU of its own (rows do not depend on each other, so the threads need
// not meet between the products), at the cost of every thread reading all
// of the weights instead of its share. 1: the rows stay together and the
// threads share the products' columns. At least 16 rows per slice and
// enough multiply-adds to be worth waking a thread for.
int GruRowSlices(int64_t batch, int64_t input_size, int64_t units, int steps, int threads);

class FusedGruKernel : public FusedKernel {
 public:
  // `input_size` and `units` are the static I and H (validated by the
  // graph's shape inference of the original nodes). `weight_source`: where
  // the weights come from, which decides whether their GEMM layout is
  // prepared once (Const), once per value (variables) or per call;
  // `store` (may be null) shares that layout with the Session's other plans.
  FusedGruKernel(int64_t input_size, int64_t units, InputSource weight_source,
                 DerivedWeightStore* store = nullptr)
      : input_size_(input_size), units_(units), weights_(weight_source, store) {}
  // W_ru and W_c bound at plan time (GruWeightCache): the inputs are then
  // x, h, b_ru, b_c.
  FusedGruKernel(int64_t input_size, int64_t units, const Node* w_ru, const Node* w_c,
                 DerivedWeightStore* store)
      : input_size_(input_size), units_(units), weights_(w_ru, w_c, store) {}

  const char* name() const override { return "FusedGRUCell"; }
  // [B, H]; InvalidArgument unless the inputs have exactly the shapes above
  // (CheckGruInputShapes; Compute checks the same).
  absl::Status OutputShapes(absl::Span<const Tensor* const> inputs,
                            std::vector<TensorShape>* shapes) const override;
  absl::Status Compute(KernelContext& ctx) const override;

 private:
  int64_t input_size_;
  int64_t units_;
  GruWeightCache weights_;
};

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_FUSED_GRU_KERNEL_H_

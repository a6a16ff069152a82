// FusedGruSequenceKernel: T chained GRU steps sharing one set of weights (an
// unrolled static_rnn) as one kernel:
//
//   g = σ([x_t, h] · W_ru + b_ru) = [r, u]
//   c = tanh([x_t, r ⊙ h] · W_c + b_c),  h' = u ⊙ h + (1 − u) ⊙ c
//
// How the products run depends on the batch B (measured, see
// fused_gru_sequence_kernel.cc and bench/separate_measurements.md):
// - B < 8: the input projections of many steps are hoisted into one large
//   GEMM (x_t · W[:I] for all t), each step multiplies only the state, with
//   PackedGemm (weights packed once).
// - 8 <= B < 64: each step multiplies [x_t, h] by the whole packed kernel.
// - B >= 64: projections hoisted over chunks of about 1 MiB (they stay in
//   L2), every product on oneDNN's sgemm from padded weights.
// With several intra-op threads, at least 16 rows per thread and 2^21
// multiply-adds per slice (GruRowSlices), the rows are split into slices,
// each a recurrence of its own on one thread (rows do not depend on each
// other, so no barriers). Each slice hoists or not for its own number of
// rows; all multiply as the largest slice would (B = 127 on 2 threads: both
// slices on oneDNN), so one form of the weights serves them all. With
// fewer rows and enough work per step
// below B = 64, the threads of one OpenMP team share each step's units
// (two barriers per step) instead of splitting every GEMM: with hoisted
// projections each thread owns a slice of the units for the whole
// sequence; with direct steps each starts on its own slice and takes over
// another's panels when it runs out first (team_chunks.h).
// Hoisting reassociates the sums (x·W_x + h·W_h instead of [x, h]·W), so
// results differ from the step-by-step graph by float rounding only.
//
// Inputs: x_0 .. x_{T-1} [B, I], h_0 [B, H], W_ru, b_ru, W_c, b_c.
// Outputs: h_1 .. h_T [B, H]. float only. Peak memory is the weights'
// packed or padded copy, per-thread scratch (a chunk of projections, at
// most 4 MiB or one step's if that is larger, or a few rows of [x, h], plus
// a few states; with row slices each slice's thread keeps its own, for its
// rows, between runs) and the states that are read.
#ifndef RILL_RUNTIME_KERNELS_FUSED_GRU_SEQUENCE_KERNEL_H_
#define RILL_RUNTIME_KERNELS_FUSED_GRU_SEQUENCE_KERNEL_H_

#include "runtime/kernels/fused_gru_kernel.h"

namespace rill {

class FusedGruSequenceKernel : public FusedKernel {
 public:
  // `weight_source`, `store`: as for FusedGruKernel.
  FusedGruSequenceKernel(int steps, int64_t input_size, int64_t units,
                         InputSource weight_source, DerivedWeightStore* store = nullptr)
      : steps_(steps),
        input_size_(input_size),
        units_(units),
        weights_(weight_source, store) {}
  // W_ru and W_c bound at plan time (GruWeightCache): the inputs are then
  // x_0 .. x_{T-1}, h_0, b_ru, b_c.
  FusedGruSequenceKernel(int steps, int64_t input_size, int64_t units, const Node* w_ru,
                         const Node* w_c, DerivedWeightStore* store)
      : steps_(steps), input_size_(input_size), units_(units), weights_(w_ru, w_c, store) {}

  const char* name() const override { return "FusedGRUSequence"; }
  absl::Status OutputShapes(absl::Span<const Tensor* const> inputs,
                            std::vector<TensorShape>* shapes) const override;
  absl::Status Compute(KernelContext& ctx) const override;
  // Unused states (typically all but the last, in an RNN whose final state
  // alone is fetched) stay in the kernel's scratch: no tensor is written.
  void SetUnusedOutputs(const std::vector<bool>& unused) override { unused_ = unused; }

 private:
  int steps_;
  int64_t input_size_;
  int64_t units_;
  GruWeightCache weights_;
  std::vector<bool> unused_;  // Empty: every output is used.
};

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_FUSED_GRU_SEQUENCE_KERNEL_H_

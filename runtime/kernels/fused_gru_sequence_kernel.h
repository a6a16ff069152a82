// FusedGruSequenceKernel: T chained GRU steps sharing one set of weights (an
// unrolled static_rnn) as one kernel. The input projections of all steps are
// hoisted into two large GEMMs before the recurrence,
//
//   P_ru = [x_0; ...; x_{T-1}] · W_ru[:I]     P_c = [x_0; ...] · W_c[:I]
//
// so each step multiplies only the state: g = σ(P_ru_t + h · W_ru[I:] + b_ru),
// c = tanh(P_c_t + (r ⊙ h) · W_c[I:] + b_c), h' = u ⊙ h + (1 − u) ⊙ c.
// The sums are reassociated (x·W_x + h·W_h instead of [x, h]·W), so results
// differ from the step-by-step graph by float rounding only.
//
// Inputs: x_0 .. x_{T-1} [B, I], h_0 [B, H], W_ru, b_ru, W_c, b_c.
// Outputs: h_1 .. h_T [B, H]. float only. Peak memory is the weights' padded
// copy, the chunk scratch (<= 16 MiB) and the states that are read.
#ifndef RILL_RUNTIME_KERNELS_FUSED_GRU_SEQUENCE_KERNEL_H_
#define RILL_RUNTIME_KERNELS_FUSED_GRU_SEQUENCE_KERNEL_H_

#include "runtime/kernels/fused_gru_kernel.h"

namespace rill {

class FusedGruSequenceKernel : public FusedKernel {
 public:
  // `constant_weights`: as for FusedGruKernel.
  FusedGruSequenceKernel(int steps, int64_t input_size, int64_t units, bool constant_weights)
      : steps_(steps), input_size_(input_size), units_(units), weights_(constant_weights) {}

  const char* name() const override { return "FusedGRUSequence"; }
  absl::Status OutputShapes(absl::Span<const Tensor* const> inputs,
                            std::vector<TensorShape>* shapes) const override;
  absl::Status Compute(KernelContext& ctx) const override;
  // Unused states (typically all but the last, in an RNN whose final state
  // alone is fetched) are written to two scratch rows instead of tensors.
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

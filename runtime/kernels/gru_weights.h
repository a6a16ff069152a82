// The GRU kernels' weights as GEMM operands. GRU weights are [I+H, 2H] and
// [I+H, H] with H usually a power of two: the slow strides of gemm.h. The
// fused kernels read them from padded copies (PaddedLeadingDim).
#ifndef RILL_RUNTIME_KERNELS_GRU_WEIGHTS_H_
#define RILL_RUNTIME_KERNELS_GRU_WEIGHTS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "graph/tensor.h"
#include "runtime/kernels/constant_cache.h"
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/packed_gemm.h"

namespace rill {

// W_ru [I+H, 2H] and W_c [I+H, H] as the GEMMs read them.
struct GruWeightsView {
  GemmOperand ru;
  GemmOperand c;
};

// The weights packed for PackedGemm: W_ru split into its r and u columns,
// and W_c, each [I+H, H]. A sequence multiplies [x_t, h] (rows from 0) or
// only h (rows from I) by them at every step.
struct GruPackedWeights {
  PackedMatrix r;
  PackedMatrix u;
  PackedMatrix c;
};

// Per-thread scratch of at least `floats` floats, 64-byte aligned, reused
// across steps and runs (zeroed only when it grows). Valid until the next
// call on the same thread. ResourceExhausted if it cannot grow.
absl::StatusOr<float*> GruScratch(int64_t floats);

// With `constant` (the plan found both weights to be Const values, the same
// on every run), the padded copies are made on the first Compute and kept.
// Otherwise (variables) each call copies, or uses the tensors as they are
// when the caller says the copy does not pay.
class GruWeightCache {
 public:
  explicit GruWeightCache(bool constant) : constant_(constant) {}

  bool constant() const { return constant_; }

  // `copy`: for non-constant weights, make padded copies for this call (a
  // sequence reads the weights T times) or use them in place (a single
  // step, where copying costs more than it saves). Thread-safe.
  // ResourceExhausted if a copy cannot be allocated.
  absl::StatusOr<GruWeightsView> Get(const Tensor& w_ru, const Tensor& w_c, bool copy) const;

  // The packed weights (their shapes checked by the caller): packed on the
  // first call and kept for constant weights (the result then reads the
  // kept panels without owning them: valid while the cache lives), packed on
  // every call otherwise. Thread-safe. ResourceExhausted if they cannot be
  // allocated.
  absl::StatusOr<GruPackedWeights> GetPacked(const Tensor& w_ru, const Tensor& w_c) const;

 private:
  const bool constant_;
  PaddedOperandCache ru_;
  PaddedOperandCache c_;
  ConstantCache<GruPackedWeights, 2> packed_;
};

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_GRU_WEIGHTS_H_

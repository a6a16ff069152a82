// The GRU kernels' weights as GEMM operands. GRU weights are [I+H, 2H] and
// [I+H, H] with H usually a power of two: the slow strides of gemm.h. The
// fused kernels read them from padded copies (PaddedLeadingDim).
#ifndef RILL_RUNTIME_KERNELS_GRU_WEIGHTS_H_
#define RILL_RUNTIME_KERNELS_GRU_WEIGHTS_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "graph/tensor.h"
#include "runtime/input_source.h"
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

// The weights as the GRU kernels read them, kept across runs as their
// source allows (runtime/input_source.h): once for Const weights, once per
// value for variables, never for fed or computed ones.
class GruWeightCache {
 public:
  // With a `store`, kept copies are shared with the Session's other plans.
  explicit GruWeightCache(InputSource source, DerivedWeightStore* store = nullptr)
      : source_(source), store_(store), ru_(source, store), c_(source, store) {}

  // Whether the weights' copies are kept across calls (Const or variable
  // weights), so a kernel may prefer the packed form even for one step.
  bool keeps_copies() const { return KeepsDerivedValues(source_); }

  // When weights that are not kept (fed or computed, a variable's first
  // use) are copied to padded strides for one call.
  enum class CopyForCall {
    kNever,         // Read in place.
    kIfSlowStride,  // A matrix at a slow stride only (a step of many rows).
    kAlways,        // A sequence, which reads the weights T times.
  };

  // The weights as the products read them: the kept padded copies
  // (PaddedOperandCache), else per `copy` copies for this call or the
  // tensors in place. Thread-safe. ResourceExhausted if a copy cannot be
  // allocated.
  absl::StatusOr<GruWeightsView> Get(const Tensor& w_ru, const Tensor& w_c,
                                     CopyForCall copy) const;

  // The packed weights (their shapes checked by the caller): the kept
  // panels (a Const's from the first call, a variable's from the second
  // call with the same value), else panels packed for this call with
  // `pack_if_not_kept`, nullopt without. Kept panels of Const weights are
  // read without owning them (valid while the cache lives). Thread-safe.
  // ResourceExhausted if they cannot be allocated.
  absl::StatusOr<std::optional<GruPackedWeights>> GetPacked(const Tensor& w_ru,
                                                            const Tensor& w_c,
                                                            bool pack_if_not_kept) const;

  // How many times variable weights were copied or packed (for tests).
  int64_t variable_derivations() const {
    return ru_.variable_copies() + c_.variable_copies() + variable_packed_.derivations();
  }

 private:
  const InputSource source_;
  DerivedWeightStore* const store_;  // Outlives the cache; may be null.
  PaddedOperandCache ru_;
  PaddedOperandCache c_;
  ConstantCache<GruPackedWeights, 2> packed_;
  // The packed values own their panels, so a run keeps the panels it reads
  // alive when another run replaces them.
  VariableCache<GruPackedWeights, 2> variable_packed_;
};

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_GRU_WEIGHTS_H_

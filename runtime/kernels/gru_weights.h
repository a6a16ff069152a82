// The GRU kernels' weights as GEMM operands. GRU weights are [I+H, 2H] and
// [I+H, H] with H usually a power of two: the slow strides of gemm.h. The
// fused kernels read them from padded copies (PaddedLeadingDim).
#ifndef RILL_RUNTIME_KERNELS_GRU_WEIGHTS_H_
#define RILL_RUNTIME_KERNELS_GRU_WEIGHTS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "graph/node.h"
#include "graph/tensor.h"
#include "runtime/input_source.h"
#include "runtime/kernels/constant_cache.h"
#include "runtime/kernels/derived_weight_store.h"
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

// One call's weights among the kernel's inputs: W_ru [I+H, 2H], b_ru [2H],
// W_c [I+H, H], b_c [H]. W_ru and W_c are null when the plan bound them to
// the kernel (GruWeightCache's bound constructor): they are then not inputs.
struct GruWeightInputs {
  const Tensor* w_ru = nullptr;
  const Tensor* b_ru = nullptr;
  const Tensor* w_c = nullptr;
  const Tensor* b_c = nullptr;
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
  // W_ru and W_c bound at plan time: the values of these Const nodes, read
  // only to derive the forms the products read. With a `store`, each form
  // is shared with the Session's other plans, and a Session that owns its
  // graph releases each value as its form is made
  // (DeriveFromConst in derived_weight_store.h): the form can restore it, so the
  // process holds the weights once.
  GruWeightCache(const Node* w_ru, const Node* w_c, DerivedWeightStore* store)
      : source_(InputSource::kConstant),
        store_(store),
        bound_ru_(w_ru),
        bound_c_(w_c),
        ru_(source_, store),
        c_(source_, store) {}

  bool bound() const { return bound_ru_ != nullptr; }
  // How many of the kernel's inputs are weights: b_ru and b_c when bound,
  // else all four.
  int num_inputs() const { return bound() ? 2 : 4; }
  // The weights among `inputs` (num_inputs() of them, in the order above).
  GruWeightInputs Inputs(absl::Span<const Tensor* const> inputs) const;
  // The shapes of W_ru, b_ru, W_c and b_c (bound ones from their nodes).
  std::array<const TensorShape*, 4> Shapes(const GruWeightInputs& w) const;

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
  absl::StatusOr<GruWeightsView> Get(const GruWeightInputs& w, CopyForCall copy) const;

  // The packed weights (their shapes checked by the caller): the kept
  // panels (a Const's from the first call, a variable's from the second
  // call with the same value), else panels packed for this call with
  // `pack_if_not_kept`, nullopt without. Kept panels of Const weights are
  // read without owning them (valid while the cache lives). Thread-safe.
  // ResourceExhausted if they cannot be allocated.
  absl::StatusOr<std::optional<GruPackedWeights>> GetPacked(const GruWeightInputs& w,
                                                            bool pack_if_not_kept) const;

  // How many times variable weights were copied or packed (for tests).
  int64_t variable_derivations() const {
    return ru_.variable_copies() + c_.variable_copies() + variable_packed_.derivations();
  }

 private:
  // The bound weights' padded copies and packed panels, made once.
  struct BoundPadded {
    std::shared_ptr<const GemmOperand> ru, c;
  };
  absl::StatusOr<std::shared_ptr<const BoundPadded>> DeriveBoundPadded() const;
  absl::StatusOr<std::shared_ptr<const GruPackedWeights>> DeriveBoundPacked() const;

  const InputSource source_;
  DerivedWeightStore* const store_;  // Outlives the cache; may be null.
  const Node* const bound_ru_ = nullptr;  // Both set or both null.
  const Node* const bound_c_ = nullptr;
  PaddedOperandCache ru_;
  PaddedOperandCache c_;
  ConstantCache<BoundPadded, 0> bound_padded_;
  ConstantCache<GruPackedWeights, 0> bound_packed_;
  ConstantCache<GruPackedWeights, 2> packed_;
  // The packed values own their panels, so a run keeps the panels it reads
  // alive when another run replaces them.
  VariableCache<GruPackedWeights, 2> variable_packed_;
};

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_GRU_WEIGHTS_H_

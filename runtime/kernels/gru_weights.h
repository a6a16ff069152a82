// The GRU kernels' weights, laid out for oneDNN's sgemm.
//
// dnnl_sgemm loses up to 2.4x when the rows of B are a multiple of 2 KiB
// apart (they then map to the same cache sets): on this machine's Zen 3 at
// M=64, K=512, 1 thread, a [512, 1024] B runs at 38 GFLOP/s unpadded and 74
// with its rows 1040 floats apart; N=512: 52 vs 75; N=2048: 36 vs 88 (see
// bench/RESULTS.md). GRU weights are [I+H, 2H] and [I+H, H] with H usually a
// power of two, so the fused kernels read them from a copy whose rows are
// PaddedLeadingDim() floats apart.
#ifndef RILL_RUNTIME_KERNELS_GRU_WEIGHTS_H_
#define RILL_RUNTIME_KERNELS_GRU_WEIGHTS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "graph/tensor.h"

namespace rill {

// Row stride, in floats, for a row-major matrix with `n` columns read as a
// GEMM operand: n rounded up to 64 bytes, plus 64 bytes when that is a
// multiple of 512 bytes.
int64_t PaddedLeadingDim(int64_t n);

// W_ru [I+H, 2H] and W_c [I+H, H] as the GEMMs read them.
struct GruWeightsView {
  Tensor storage;  // Keeps a prepared copy alive while it is read.
  const float* w_ru = nullptr;
  int64_t ld_ru = 0;
  const float* w_c = nullptr;
  int64_t ld_c = 0;
};

// Prepares the padded copy. With `constant` (the plan found both weights to
// be Const values, which never change between runs), the copy is made on the
// first Compute and kept; it is remade only if a run passes other buffers.
// Otherwise (variables) each run copies into its own scratch, or uses the
// tensors as they are when the caller says the copy does not pay.
// Per-thread scratch of at least `floats` floats, reused across steps and
// runs (not zeroed). Valid until the next call on the same thread.
float* GruScratch(size_t floats);

class GruWeightCache {
 public:
  explicit GruWeightCache(bool constant) : constant_(constant) {}

  bool constant() const { return constant_; }

  // `copy`: for non-constant weights, make a padded copy for this call (a
  // sequence reads the weights T times) or use them in place (a single
  // step, where copying costs more than it saves). Thread-safe.
  // ResourceExhausted if the copy cannot be allocated.
  absl::StatusOr<GruWeightsView> Get(const Tensor& w_ru, const Tensor& w_c, bool copy) const;

 private:
  const bool constant_;
  mutable absl::Mutex mu_;
  // The prepared copy and the tensors it was made from (held so their
  // buffers cannot be reused while the copy stands for them).
  mutable GruWeightsView prepared_ ABSL_GUARDED_BY(mu_);
  mutable Tensor source_ru_ ABSL_GUARDED_BY(mu_);
  mutable Tensor source_c_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_GRU_WEIGHTS_H_

#include "runtime/kernels/gru_weights.h"

#include <cstring>
#include <memory>

#include "graph/status_macros.h"

namespace rill {
namespace {

// Copies rows x cols floats from `src` (rows `cols` apart) to `dst` (rows
// `ld` apart); the padding stays zero.
void CopyRows(const float* src, int64_t rows, int64_t cols, float* dst, int64_t ld) {
  for (int64_t r = 0; r < rows; ++r) {
    std::memcpy(dst + r * ld, src + r * cols, cols * sizeof(float));
  }
}

// Padded copies of w_ru and w_c in one new buffer, W_ru's rows first.
absl::StatusOr<GruWeightsView> MakePadded(const Tensor& w_ru, const Tensor& w_c) {
  const int64_t rows = w_ru.dim(0), n_ru = w_ru.dim(1), n_c = w_c.dim(1);
  const int64_t ld_ru = PaddedLeadingDim(n_ru), ld_c = PaddedLeadingDim(n_c);
  GruWeightsView view;
  ASSIGN_OR_RETURN(view.storage,
                   Tensor::Allocate(DT_FLOAT, TensorShape({rows * (ld_ru + ld_c)})));
  float* base = view.storage.data<float>();
  CopyRows(w_ru.data<float>(), rows, n_ru, base, ld_ru);
  CopyRows(w_c.data<float>(), rows, n_c, base + rows * ld_ru, ld_c);
  view.w_ru = base;
  view.ld_ru = ld_ru;
  view.w_c = base + rows * ld_ru;
  view.ld_c = ld_c;
  return view;
}

}  // namespace

int64_t PaddedLeadingDim(int64_t n) {
  constexpr int64_t kLine = 64 / sizeof(float);
  int64_t ld = (n + kLine - 1) / kLine * kLine;
  if (ld % (512 / sizeof(float)) == 0) ld += kLine;
  return ld;
}

float* GruScratch(size_t floats) {
  thread_local std::unique_ptr<float[]> buffer;
  thread_local size_t size = 0;
  if (size < floats) {
    buffer.reset();  // Release first: the peak is one buffer, not two.
    buffer = std::make_unique<float[]>(floats);
    size = floats;
  }
  return buffer.get();
}

absl::StatusOr<GruWeightsView> GruWeightCache::Get(const Tensor& w_ru, const Tensor& w_c,
                                                   bool copy) const {
  if (!constant_) {
    if (copy) return MakePadded(w_ru, w_c);
    GruWeightsView view;
    view.w_ru = w_ru.data<float>();
    view.ld_ru = w_ru.dim(1);
    view.w_c = w_c.data<float>();
    view.ld_c = w_c.dim(1);
    return view;
  }
  absl::MutexLock lock(&mu_);
  if (!prepared_.storage.initialized() || source_ru_.buffer() != w_ru.buffer() ||
      source_c_.buffer() != w_c.buffer() || source_ru_.shape() != w_ru.shape() ||
      source_c_.shape() != w_c.shape()) {
    ASSIGN_OR_RETURN(prepared_, MakePadded(w_ru, w_c));
    source_ru_ = w_ru;
    source_c_ = w_c;
  }
  return prepared_;  // A copy sharing the buffer: valid even if replaced later.
}

}  // namespace rill

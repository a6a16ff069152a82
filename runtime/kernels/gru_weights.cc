#include "runtime/kernels/gru_weights.h"

#include "graph/status_macros.h"

namespace rill {

absl::StatusOr<float*> GruScratch(int64_t floats) {
  // A tensor buffer: 64-byte aligned (the kernels pad their rows to whole
  // cache lines, which only helps if row 0 starts on one).
  thread_local Tensor buffer;
  if (buffer.num_elements() < floats) {
    buffer = Tensor();  // Release first: the peak is one buffer, not two.
    ASSIGN_OR_RETURN(buffer, Tensor::Allocate(DT_FLOAT, TensorShape({floats})));
  }
  return buffer.data<float>();
}

absl::StatusOr<GruWeightsView> GruWeightCache::Get(const Tensor& w_ru, const Tensor& w_c,
                                                   bool copy) const {
  GruWeightsView view;
  if (constant_) {
    ASSIGN_OR_RETURN(view.ru, ru_.Get(w_ru));
    ASSIGN_OR_RETURN(view.c, c_.Get(w_c));
  } else if (copy) {
    ASSIGN_OR_RETURN(view.ru, PaddedCopy(w_ru));
    ASSIGN_OR_RETURN(view.c, PaddedCopy(w_c));
  } else {
    view.ru = InPlaceOperand(w_ru);
    view.c = InPlaceOperand(w_c);
  }
  return view;
}

namespace {

absl::StatusOr<GruPackedWeights> PackWeights(const Tensor& w_ru, const Tensor& w_c) {
  const int64_t rows = w_c.dim(0), units = w_c.dim(1);
  const float* ru = w_ru.data<float>();
  GruPackedWeights packed;
  ASSIGN_OR_RETURN(packed.r, PackedMatrix::Pack(ru, 2 * units, rows, units));
  ASSIGN_OR_RETURN(packed.u, PackedMatrix::Pack(ru + units, 2 * units, rows, units));
  ASSIGN_OR_RETURN(packed.c, PackedMatrix::Pack(w_c.data<float>(), units, rows, units));
  return packed;
}

}  // namespace

absl::StatusOr<GruPackedWeights> GruWeightCache::GetPacked(const Tensor& w_ru,
                                                           const Tensor& w_c) const {
  if (!constant_) return PackWeights(w_ru, w_c);
  ASSIGN_OR_RETURN(const GruPackedWeights* cached,
                   packed_.Get({&w_ru, &w_c}, [&] { return PackWeights(w_ru, w_c); }));
  if (cached == nullptr) return PackWeights(w_ru, w_c);
  return GruPackedWeights{cached->r.View(), cached->u.View(), cached->c.View()};
}

}  // namespace rill

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

absl::StatusOr<GruWeightsView> GruWeightCache::Get(const Tensor& w_ru, const Tensor& w_c,
                                                   CopyForCall copy) const {
  auto copy_matrix = [copy](const Tensor& w) {
    return copy == CopyForCall::kAlways ||
           (copy == CopyForCall::kIfSlowStride && IsSlowStride(w.dim(1)));
  };
  GruWeightsView view;
  ASSIGN_OR_RETURN(view.ru, ru_.Get(w_ru, copy_matrix(w_ru)));
  ASSIGN_OR_RETURN(view.c, c_.Get(w_c, copy_matrix(w_c)));
  return view;
}

absl::StatusOr<std::optional<GruPackedWeights>> GruWeightCache::GetPacked(
    const Tensor& w_ru, const Tensor& w_c, bool pack_if_not_kept) const {
  const std::array<const Tensor*, 2> sources = {&w_ru, &w_c};
  auto shared_pack = [&] {
    return DeriveShared<GruPackedWeights>(store_, DerivedKind::kGruPacked, sources,
                                          [&] { return PackWeights(w_ru, w_c); });
  };
  if (source_ == InputSource::kConstant) {
    ASSIGN_OR_RETURN(const GruPackedWeights* cached, packed_.Get(sources, shared_pack));
    if (cached == nullptr) return PackWeights(w_ru, w_c);
    return GruPackedWeights{cached->r.View(), cached->u.View(), cached->c.View()};
  }
  if (source_ == InputSource::kVariable) {
    ASSIGN_OR_RETURN(std::optional<GruPackedWeights> kept,
                     variable_packed_.Get(sources, shared_pack));
    if (kept.has_value()) return kept;
  }
  if (!pack_if_not_kept) return std::nullopt;
  return PackWeights(w_ru, w_c);
}

}  // namespace rill

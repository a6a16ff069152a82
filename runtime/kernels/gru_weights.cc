#include "runtime/kernels/gru_weights.h"

#include <memory>

#include "graph/status_macros.h"

namespace rill {

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

}  // namespace rill

// The element-wise halves of a TensorFlow GRU step, shared by the fused
// kernels: everything between and after the two GEMMs, in one pass each.
#ifndef RILL_RUNTIME_KERNELS_GRU_MATH_H_
#define RILL_RUNTIME_KERNELS_GRU_MATH_H_

#include <cstdint>

#include "runtime/kernels/eigen_views.h"
#include "runtime/kernels/parallel_rows.h"

namespace rill {
namespace gru_math {

using ArrayMap = Eigen::Map<Eigen::Array<float, Eigen::Dynamic, 1>>;
using ConstArrayMap = Eigen::Map<const Eigen::Array<float, Eigen::Dynamic, 1>>;

// Both run their rows on up to `threads` threads (ParallelRows).

// For each row b: gates[b] = σ(gates[b] + b_ru) (r first, then u), and
// rh[b] = r ⊙ h[b]. gates rows hold 2H floats, `gates_stride` apart; rh rows
// are `rh_stride` apart.
inline void GatesAndResetState(float* gates, int64_t gates_stride, const float* b_ru,
                               const float* h, float* rh, int64_t rh_stride, int64_t batch,
                               int64_t units, int threads) {
  ParallelRows(batch, 3 * units, threads, [&](int64_t begin, int64_t end) {
    ConstArrayMap bias(b_ru, 2 * units);
    for (int64_t b = begin; b < end; ++b) {
      ArrayMap row(gates + b * gates_stride, 2 * units);
      row = (row + bias).logistic();
      ArrayMap(rh + b * rh_stride, units) =
          row.head(units) * ConstArrayMap(h + b * units, units);
    }
  });
}

// For each row b: out[b] = u ⊙ h[b] + (1 − u) ⊙ tanh(cand[b] + b_c), with
// gates and cand rows `gates_stride` and `cand_stride` apart (h and out
// rows are H apart).
inline void NewState(const float* gates, int64_t gates_stride, const float* cand,
                     int64_t cand_stride, const float* b_c, const float* h, float* out,
                     int64_t batch, int64_t units, int threads) {
  ParallelRows(batch, 3 * units, threads, [&](int64_t begin, int64_t end) {
    ConstArrayMap bias(b_c, units);
    for (int64_t b = begin; b < end; ++b) {
      ConstArrayMap u(gates + b * gates_stride + units, units);
      ConstArrayMap hv(h + b * units, units);
      ConstArrayMap c(cand + b * cand_stride, units);
      ArrayMap(out + b * units, units) = u * hv + (1.0f - u) * (c + bias).tanh();
    }
  });
}

}  // namespace gru_math
}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_GRU_MATH_H_

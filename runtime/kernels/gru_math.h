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

// The units [col_begin, col_end) of rows [row_begin, row_end) of a step.
struct Block {
  int64_t row_begin, row_end;
  int64_t col_begin, col_end;
};

// For each row b of the block: r and u (gates[b][j] and gates[b][H + j] for
// the block's units j) become σ(· + b_ru), and rh[b][j] = r[j] ⊙ h[b][j].
// gates rows hold 2H floats, `gates_stride` apart; rh rows are `rh_stride`
// apart, h rows `h_stride` apart.
inline void GatesAndResetStateBlock(float* gates, int64_t gates_stride, const float* b_ru,
                                    const float* h, int64_t h_stride, float* rh,
                                    int64_t rh_stride, int64_t units, const Block& block) {
  const int64_t c0 = block.col_begin, n = block.col_end - block.col_begin;
  ConstArrayMap bias_r(b_ru + c0, n), bias_u(b_ru + units + c0, n);
  for (int64_t b = block.row_begin; b < block.row_end; ++b) {
    ArrayMap r(gates + b * gates_stride + c0, n);
    ArrayMap u(gates + b * gates_stride + units + c0, n);
    r = (r + bias_r).logistic();
    u = (u + bias_u).logistic();
    ArrayMap(rh + b * rh_stride + c0, n) = r * ConstArrayMap(h + b * h_stride + c0, n);
  }
}

// For each row b of the block: out[b][j] = u ⊙ h[b][j] + (1 − u) ⊙
// tanh(cand[b][j] + b_c[j]), with gates, cand, h and out rows
// `gates_stride`, `cand_stride`, `h_stride` and `out_stride` apart.
inline void NewStateBlock(const float* gates, int64_t gates_stride, const float* cand,
                          int64_t cand_stride, const float* b_c, const float* h,
                          int64_t h_stride, float* out, int64_t out_stride, int64_t units,
                          const Block& block) {
  const int64_t c0 = block.col_begin, n = block.col_end - block.col_begin;
  ConstArrayMap bias(b_c + c0, n);
  for (int64_t b = block.row_begin; b < block.row_end; ++b) {
    ConstArrayMap u(gates + b * gates_stride + units + c0, n);
    ConstArrayMap hv(h + b * h_stride + c0, n);
    ConstArrayMap c(cand + b * cand_stride + c0, n);
    ArrayMap(out + b * out_stride + c0, n) = u * hv + (1.0f - u) * (c + bias).tanh();
  }
}

// The same over all units of all rows (h and out rows H apart), on up to
// `threads` threads (ParallelRows).
inline void GatesAndResetState(float* gates, int64_t gates_stride, const float* b_ru,
                               const float* h, float* rh, int64_t rh_stride, int64_t batch,
                               int64_t units, int threads) {
  ParallelRows(batch, 3 * units, threads, [&](int64_t begin, int64_t end) {
    GatesAndResetStateBlock(gates, gates_stride, b_ru, h, units, rh, rh_stride, units,
                            Block{begin, end, 0, units});
  });
}

inline void NewState(const float* gates, int64_t gates_stride, const float* cand,
                     int64_t cand_stride, const float* b_c, const float* h, float* out,
                     int64_t batch, int64_t units, int threads) {
  ParallelRows(batch, 3 * units, threads, [&](int64_t begin, int64_t end) {
    NewStateBlock(gates, gates_stride, cand, cand_stride, b_c, h, units, out, units, units,
                  Block{begin, end, 0, units});
  });
}

}  // namespace gru_math
}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_GRU_MATH_H_

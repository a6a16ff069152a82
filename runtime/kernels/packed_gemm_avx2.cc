// PackedGemm's AVX2 + FMA micro-kernel (packed_gemm_kernels.h).
#include <immintrin.h>

#include <algorithm>

#include "runtime/kernels/packed_gemm_kernels.h"

namespace rill {
namespace packed_gemm_internal {
namespace {

#define RILL_AVX2 __attribute__((target("avx2,fma")))

// Lane masks for the first `cols` columns of a panel (two 8-float halves).
RILL_AVX2 inline void ColumnMasks(int64_t cols, __m256i* low, __m256i* high) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  *low = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(cols)), lanes);
  *high = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(cols) - 8), lanes);
}

// Adds C's old values (when accumulating) and stores one row of a tile:
// all 16 columns, or the first `cols` through masks.
RILL_AVX2 inline void StoreRow(__m256 lo, __m256 hi, float* c, int64_t cols, bool accumulate) {
  if (cols == kWidth) {
    if (accumulate) {
      lo = _mm256_add_ps(lo, _mm256_loadu_ps(c));
      hi = _mm256_add_ps(hi, _mm256_loadu_ps(c + 8));
    }
    _mm256_storeu_ps(c, lo);
    _mm256_storeu_ps(c + 8, hi);
    return;
  }
  __m256i mask_lo, mask_hi;
  ColumnMasks(cols, &mask_lo, &mask_hi);
  if (accumulate) {
    lo = _mm256_add_ps(lo, _mm256_maskload_ps(c, mask_lo));
    hi = _mm256_add_ps(hi, _mm256_maskload_ps(c + 8, mask_hi));
  }
  _mm256_maskstore_ps(c, mask_lo, lo);
  _mm256_maskstore_ps(c + 8, mask_hi, hi);
}

// C[R rows, cols] (+)= A[R rows, k] · panel (rows `stride` floats apart):
// 2R accumulators, one broadcast of A per row and two loads of the panel
// per k. Named registers rather than an array: GCC keeps an array of
// __m256 in memory.
template <int R>
RILL_AVX2 void Tile(int64_t k, const float* a, int64_t lda, const float* panel,
                    int64_t stride, float* c, int64_t ldc, int64_t cols, bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
         c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  RILL_TILE_ROWS_OF_A(R, a, lda);
  if (accumulate) PrefetchTileRowsOfC<R>(c, ldc);
  for (int64_t i = 0; i < k; ++i) {
    const __m256 b0 = _mm256_load_ps(panel + i * stride);
    const __m256 b1 = _mm256_load_ps(panel + i * stride + 8);
    __m256 x;
#define RILL_TILE_ROW(r)                              \
  if constexpr (R > r) {                              \
    x = _mm256_broadcast_ss(a##r + i);                \
    c##r##0 = _mm256_fmadd_ps(x, b0, c##r##0);        \
    c##r##1 = _mm256_fmadd_ps(x, b1, c##r##1);        \
  }
    RILL_TILE_ROW(0) RILL_TILE_ROW(1) RILL_TILE_ROW(2)
    RILL_TILE_ROW(3) RILL_TILE_ROW(4) RILL_TILE_ROW(5)
#undef RILL_TILE_ROW
  }
  StoreRow(c00, c01, c, cols, accumulate);
  if constexpr (R > 1) StoreRow(c10, c11, c + ldc, cols, accumulate);
  if constexpr (R > 2) StoreRow(c20, c21, c + 2 * ldc, cols, accumulate);
  if constexpr (R > 3) StoreRow(c30, c31, c + 3 * ldc, cols, accumulate);
  if constexpr (R > 4) StoreRow(c40, c41, c + 4 * ldc, cols, accumulate);
  if constexpr (R > 5) StoreRow(c50, c51, c + 5 * ldc, cols, accumulate);
}

// One row of A against two full panels of one group (`p0` the first, rows
// `stride` floats apart), k unrolled by two: eight independent accumulators
// instead of Tile<1>'s two (a GEMV is otherwise bound by the FMA latency).
RILL_AVX2 void RowTwoPanels(int64_t k, const float* a, const float* p0, int64_t stride,
                            float* c, bool accumulate) {
  const float* p1 = p0 + kWidth;
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0,
         t3 = s0;
  int64_t i = 0;
  for (; i + 2 <= k; i += 2) {
    const __m256 x0 = _mm256_broadcast_ss(a + i), x1 = _mm256_broadcast_ss(a + i + 1);
    const int64_t o = i * stride, o1 = o + stride;
    s0 = _mm256_fmadd_ps(x0, _mm256_load_ps(p0 + o), s0);
    s1 = _mm256_fmadd_ps(x0, _mm256_load_ps(p0 + o + 8), s1);
    t0 = _mm256_fmadd_ps(x0, _mm256_load_ps(p1 + o), t0);
    t1 = _mm256_fmadd_ps(x0, _mm256_load_ps(p1 + o + 8), t1);
    s2 = _mm256_fmadd_ps(x1, _mm256_load_ps(p0 + o1), s2);
    s3 = _mm256_fmadd_ps(x1, _mm256_load_ps(p0 + o1 + 8), s3);
    t2 = _mm256_fmadd_ps(x1, _mm256_load_ps(p1 + o1), t2);
    t3 = _mm256_fmadd_ps(x1, _mm256_load_ps(p1 + o1 + 8), t3);
  }
  if (i < k) {
    const __m256 x0 = _mm256_broadcast_ss(a + i);
    const int64_t o = i * stride;
    s0 = _mm256_fmadd_ps(x0, _mm256_load_ps(p0 + o), s0);
    s1 = _mm256_fmadd_ps(x0, _mm256_load_ps(p0 + o + 8), s1);
    t0 = _mm256_fmadd_ps(x0, _mm256_load_ps(p1 + o), t0);
    t1 = _mm256_fmadd_ps(x0, _mm256_load_ps(p1 + o + 8), t1);
  }
  StoreRow(_mm256_add_ps(s0, s2), _mm256_add_ps(s1, s3), c, kWidth, accumulate);
  StoreRow(_mm256_add_ps(t0, t2), _mm256_add_ps(t1, t3), c + kWidth, kWidth, accumulate);
}

RILL_AVX2 void TileRows(int64_t rows, int64_t k, const float* a, int64_t lda,
                        const float* panel, int64_t stride, float* c, int64_t ldc,
                        int64_t cols, bool accumulate) {
  switch (rows) {
    case 1: return Tile<1>(k, a, lda, panel, stride, c, ldc, cols, accumulate);
    case 2: return Tile<2>(k, a, lda, panel, stride, c, ldc, cols, accumulate);
    case 3: return Tile<3>(k, a, lda, panel, stride, c, ldc, cols, accumulate);
    case 4: return Tile<4>(k, a, lda, panel, stride, c, ldc, cols, accumulate);
    case 5: return Tile<5>(k, a, lda, panel, stride, c, ldc, cols, accumulate);
    default: return Tile<6>(k, a, lda, panel, stride, c, ldc, cols, accumulate);
  }
}

}  // namespace

RILL_AVX2 void PackedGemmAvx2(int64_t m, const float* a, int64_t lda, const PackedMatrix& b,
                              int64_t row0, int64_t k, int64_t q0, int64_t q1, bool accumulate,
                              float* c, int64_t ldc) {
  auto cols_of = [&](int64_t q) { return std::min(kWidth, b.cols() - q * kWidth); };
  if (m == 1) {
    for (int64_t q = q0; q < q1;) {
      // Two full panels of one group share a stride.
      if (q + 2 <= q1 && PackedMatrix::SameGroup(q) && cols_of(q + 1) == kWidth) {
        RowTwoPanels(k, a, b.panel(q, row0), b.row_stride(q), c + q * kWidth, accumulate);
        q += 2;
        continue;
      }
      Tile<1>(k, a, lda, b.panel(q, row0), b.row_stride(q), c + q * kWidth, ldc, cols_of(q),
              accumulate);
      ++q;
    }
    return;
  }
  for (int64_t m0 = 0; m0 < m; m0 += kRowBlock) {
    const int64_t rows = std::min(kRowBlock, m - m0);
    // Tiles of at most 6 rows, as even as possible (32 rows: 6,5,5,5,5,6
    // rather than 5×6 + 2): a 1- or 2-row tile leaves the FMA units waiting
    // on their latency.
    const int64_t tiles = (rows + 5) / 6;
    for (int64_t q = q0; q < q1; ++q) {
      for (int64_t k0 = 0; k0 < k; k0 += kDepthBlock) {
        const int64_t depth = std::min(kDepthBlock, k - k0);
        for (int64_t t = 0; t < tiles; ++t) {
          const int64_t r0 = m0 + rows * t / tiles, r1 = m0 + rows * (t + 1) / tiles;
          TileRows(r1 - r0, depth, a + r0 * lda + k0, lda, b.panel(q, row0 + k0),
                   b.row_stride(q), c + r0 * ldc + q * kWidth, ldc, cols_of(q),
                   accumulate || k0 > 0);
        }
      }
    }
  }
}

}  // namespace packed_gemm_internal
}  // namespace rill

// PackedGemm's AVX-512 micro-kernel (packed_gemm_kernels.h).
#include <immintrin.h>

#include <algorithm>

#include "runtime/kernels/packed_gemm_kernels.h"

namespace rill {
namespace packed_gemm_internal {
namespace {

#define RILL_AVX512 __attribute__((target("avx512f,fma")))

// The first `cols` lanes of a 16-float panel row.
RILL_AVX512 inline __mmask16 PanelMask(int64_t cols) {
  return cols >= kWidth ? static_cast<__mmask16>(0xFFFF)
                        : static_cast<__mmask16>((1u << cols) - 1);
}

// Adds C's old values (when accumulating) and stores one panel row of a
// tile through `mask`.
RILL_AVX512 inline void StorePanelRow(__m512 v, float* c, __mmask16 mask, bool accumulate) {
  if (mask == 0xFFFF) {
    if (accumulate) v = _mm512_add_ps(v, _mm512_loadu_ps(c));
    _mm512_storeu_ps(c, v);
    return;
  }
  if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, c));
  _mm512_mask_storeu_ps(c, mask, v);
}

// C[R rows, P panels] (+)= A[R rows, k] · panels p0 (and p1 when P = 2,
// of the same group), whose rows are `stride` floats apart: one register
// per row and panel (a panel row is one 16-float register), one broadcast
// of A per row and P loads of the panels per k. The AVX2 tile's shape (6
// rows × 32 columns in 12 registers) with twice the columns per
// instruction.
template <int R, int P>
RILL_AVX512 void Tile512(int64_t k, const float* a, int64_t lda, const float* p0,
                         const float* p1, int64_t stride, float* c, int64_t ldc,
                         __mmask16 mask0, __mmask16 mask1, bool accumulate) {
  __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
         c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  RILL_TILE_ROWS_OF_A(R, a, lda);
  if (accumulate) PrefetchTileRowsOfC<R>(c, ldc);
  for (int64_t i = 0; i < k; ++i) {
    const __m512 b0 = _mm512_load_ps(p0 + i * stride);
    const __m512 b1 = P > 1 ? _mm512_load_ps(p1 + i * stride) : b0;
    __m512 x;
#define RILL_TILE512_ROW(r)                                     \
  if constexpr (R > r) {                                        \
    x = _mm512_set1_ps(a##r[i]);                                \
    c##r##0 = _mm512_fmadd_ps(x, b0, c##r##0);                  \
    if constexpr (P > 1) c##r##1 = _mm512_fmadd_ps(x, b1, c##r##1); \
  }
    RILL_TILE512_ROW(0) RILL_TILE512_ROW(1) RILL_TILE512_ROW(2)
    RILL_TILE512_ROW(3) RILL_TILE512_ROW(4) RILL_TILE512_ROW(5)
#undef RILL_TILE512_ROW
  }
#define RILL_STORE512_ROW(r)                                                           \
  if constexpr (R > r) {                                                               \
    StorePanelRow(c##r##0, c + r * ldc, mask0, accumulate);                            \
    if constexpr (P > 1) StorePanelRow(c##r##1, c + r * ldc + kWidth, mask1, accumulate); \
  }
  RILL_STORE512_ROW(0) RILL_STORE512_ROW(1) RILL_STORE512_ROW(2)
  RILL_STORE512_ROW(3) RILL_STORE512_ROW(4) RILL_STORE512_ROW(5)
#undef RILL_STORE512_ROW
}

// C[R rows, 64 columns] (+)= A[R rows, k] · a whole group of four panels
// (`p` its first panel, rows of 64 contiguous floats; only the last panel
// may be partial, through `mask3`): 4R accumulators (24 of the 32
// registers at R = 6), one broadcast of A per row and four loads per k —
// each row of the group read whole, once per tile.
template <int R>
RILL_AVX512 void Group512(int64_t k, const float* a, int64_t lda, const float* p, float* c,
                          int64_t ldc, __mmask16 mask3, bool accumulate) {
  constexpr int64_t kRow = PackedMatrix::kGroupPanels * kWidth;
  __m512 c00 = _mm512_setzero_ps(), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00,
         c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00,
         c31 = c00, c32 = c00, c33 = c00, c40 = c00, c41 = c00, c42 = c00, c43 = c00,
         c50 = c00, c51 = c00, c52 = c00, c53 = c00;
  RILL_TILE_ROWS_OF_A(R, a, lda);
  if (accumulate) PrefetchTileRowsOfC<R>(c, ldc);
  for (int64_t i = 0; i < k; ++i) {
    const float* row = p + i * kRow;
    const __m512 b0 = _mm512_load_ps(row), b1 = _mm512_load_ps(row + kWidth),
                 b2 = _mm512_load_ps(row + 2 * kWidth), b3 = _mm512_load_ps(row + 3 * kWidth);
    __m512 x;
#define RILL_GROUP512_ROW(r)                   \
  if constexpr (R > r) {                       \
    x = _mm512_set1_ps(a##r[i]);               \
    c##r##0 = _mm512_fmadd_ps(x, b0, c##r##0); \
    c##r##1 = _mm512_fmadd_ps(x, b1, c##r##1); \
    c##r##2 = _mm512_fmadd_ps(x, b2, c##r##2); \
    c##r##3 = _mm512_fmadd_ps(x, b3, c##r##3); \
  }
    RILL_GROUP512_ROW(0) RILL_GROUP512_ROW(1) RILL_GROUP512_ROW(2)
    RILL_GROUP512_ROW(3) RILL_GROUP512_ROW(4) RILL_GROUP512_ROW(5)
#undef RILL_GROUP512_ROW
  }
  const __mmask16 all = 0xFFFF;
#define RILL_GROUP512_STORE(r)                                                 \
  if constexpr (R > r) {                                                       \
    StorePanelRow(c##r##0, c + r * ldc, all, accumulate);                      \
    StorePanelRow(c##r##1, c + r * ldc + kWidth, all, accumulate);             \
    StorePanelRow(c##r##2, c + r * ldc + 2 * kWidth, all, accumulate);         \
    StorePanelRow(c##r##3, c + r * ldc + 3 * kWidth, mask3, accumulate);       \
  }
  RILL_GROUP512_STORE(0) RILL_GROUP512_STORE(1) RILL_GROUP512_STORE(2)
  RILL_GROUP512_STORE(3) RILL_GROUP512_STORE(4) RILL_GROUP512_STORE(5)
#undef RILL_GROUP512_STORE
}

RILL_AVX512 void GroupRows512(int64_t rows, int64_t k, const float* a, int64_t lda,
                              const float* p, float* c, int64_t ldc, __mmask16 mask3,
                              bool accumulate) {
  switch (rows) {
    case 1: return Group512<1>(k, a, lda, p, c, ldc, mask3, accumulate);
    case 2: return Group512<2>(k, a, lda, p, c, ldc, mask3, accumulate);
    case 3: return Group512<3>(k, a, lda, p, c, ldc, mask3, accumulate);
    case 4: return Group512<4>(k, a, lda, p, c, ldc, mask3, accumulate);
    case 5: return Group512<5>(k, a, lda, p, c, ldc, mask3, accumulate);
    default: return Group512<6>(k, a, lda, p, c, ldc, mask3, accumulate);
  }
}

// One row of A against a full group of four panels (`p` its first, rows of
// 64 floats), k unrolled by two: eight independent accumulators and two
// broadcasts per eight loads of one contiguous stream (a GEMV is bound by
// how fast the panels stream in).
RILL_AVX512 void RowFourPanels(int64_t k, const float* a, const float* p, float* c,
                               bool accumulate) {
  constexpr int64_t kRow = 4 * kWidth;
  const float* p0 = p;
  const float* p1 = p + kWidth;
  const float* p2 = p + 2 * kWidth;
  const float* p3 = p + 3 * kWidth;
  __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0,
         t3 = s0;
  int64_t i = 0;
  for (; i + 2 <= k; i += 2) {
    const __m512 x0 = _mm512_set1_ps(a[i]), x1 = _mm512_set1_ps(a[i + 1]);
    const int64_t o = i * kRow;
    s0 = _mm512_fmadd_ps(x0, _mm512_load_ps(p0 + o), s0);
    s1 = _mm512_fmadd_ps(x0, _mm512_load_ps(p1 + o), s1);
    s2 = _mm512_fmadd_ps(x0, _mm512_load_ps(p2 + o), s2);
    s3 = _mm512_fmadd_ps(x0, _mm512_load_ps(p3 + o), s3);
    t0 = _mm512_fmadd_ps(x1, _mm512_load_ps(p0 + o + kRow), t0);
    t1 = _mm512_fmadd_ps(x1, _mm512_load_ps(p1 + o + kRow), t1);
    t2 = _mm512_fmadd_ps(x1, _mm512_load_ps(p2 + o + kRow), t2);
    t3 = _mm512_fmadd_ps(x1, _mm512_load_ps(p3 + o + kRow), t3);
  }
  if (i < k) {
    const __m512 x0 = _mm512_set1_ps(a[i]);
    const int64_t o = i * kRow;
    s0 = _mm512_fmadd_ps(x0, _mm512_load_ps(p0 + o), s0);
    s1 = _mm512_fmadd_ps(x0, _mm512_load_ps(p1 + o), s1);
    s2 = _mm512_fmadd_ps(x0, _mm512_load_ps(p2 + o), s2);
    s3 = _mm512_fmadd_ps(x0, _mm512_load_ps(p3 + o), s3);
  }
  const __mmask16 all = 0xFFFF;
  StorePanelRow(_mm512_add_ps(s0, t0), c, all, accumulate);
  StorePanelRow(_mm512_add_ps(s1, t1), c + kWidth, all, accumulate);
  StorePanelRow(_mm512_add_ps(s2, t2), c + 2 * kWidth, all, accumulate);
  StorePanelRow(_mm512_add_ps(s3, t3), c + 3 * kWidth, all, accumulate);
}

template <int P>
RILL_AVX512 void TileRows512(int64_t rows, int64_t k, const float* a, int64_t lda,
                             const float* p0, const float* p1, int64_t stride, float* c,
                             int64_t ldc, __mmask16 mask0, __mmask16 mask1, bool accumulate) {
  switch (rows) {
    case 1: return Tile512<1, P>(k, a, lda, p0, p1, stride, c, ldc, mask0, mask1, accumulate);
    case 2: return Tile512<2, P>(k, a, lda, p0, p1, stride, c, ldc, mask0, mask1, accumulate);
    case 3: return Tile512<3, P>(k, a, lda, p0, p1, stride, c, ldc, mask0, mask1, accumulate);
    case 4: return Tile512<4, P>(k, a, lda, p0, p1, stride, c, ldc, mask0, mask1, accumulate);
    case 5: return Tile512<5, P>(k, a, lda, p0, p1, stride, c, ldc, mask0, mask1, accumulate);
    default:
      return Tile512<6, P>(k, a, lda, p0, p1, stride, c, ldc, mask0, mask1, accumulate);
  }
}

}  // namespace

// The AVX2 kernel's blocking (row blocks of kRowBlock, depth passes of
// kDepthBlock, tiles of at most 6 rows) over whole groups of four panels,
// and pairs (or single panels) of one group where a range starts or ends
// inside a group.
RILL_AVX512 void PackedGemmAvx512(int64_t m, const float* a, int64_t lda, const PackedMatrix& b,
                                  int64_t row0, int64_t k, int64_t q0, int64_t q1,
                                  bool accumulate, float* c, int64_t ldc) {
  auto mask_of = [&](int64_t q) { return PanelMask(b.cols() - q * kWidth); };
  // Whether a whole group of four panels (RowFourPanels, Group512) starts at
  // panel q of the range.
  static_assert(PackedMatrix::kGroupPanels == 4, "the group kernels hold four panels");
  auto group_at = [&](int64_t q) { return q % 4 == 0 && q + 4 <= q1; };
  if (m == 1) {
    for (int64_t q = q0; q < q1;) {
      // A whole group (four panels, the last full): one stream.
      if (group_at(q) && mask_of(q + 3) == 0xFFFF) {
        RowFourPanels(k, a, b.panel(q, row0), c + q * kWidth, accumulate);
        q += 4;
        continue;
      }
      Tile512<1, 1>(k, a, lda, b.panel(q, row0), nullptr, b.row_stride(q), c + q * kWidth, ldc,
                    mask_of(q), 0, accumulate);
      ++q;
    }
    return;
  }
  for (int64_t m0 = 0; m0 < m; m0 += kRowBlock) {
    const int64_t rows = std::min(kRowBlock, m - m0);
    const int64_t tiles = (rows + 5) / 6;
    for (int64_t q = q0, next; q < q1; q = next) {
      // A whole group of four panels: one tile reads its rows whole, over
      // half the depth (128 rows of the group: 32 KiB of L1).
      if (group_at(q)) {
        next = q + 4;
        const __mmask16 mask3 = mask_of(q + 3);
        for (int64_t k0 = 0; k0 < k; k0 += kDepthBlock / 2) {
          const int64_t depth = std::min(kDepthBlock / 2, k - k0);
          for (int64_t t = 0; t < tiles; ++t) {
            const int64_t r0 = m0 + rows * t / tiles, r1 = m0 + rows * (t + 1) / tiles;
            GroupRows512(r1 - r0, depth, a + r0 * lda + k0, lda, b.panel(q, row0 + k0),
                         c + r0 * ldc + q * kWidth, ldc, mask3, accumulate || k0 > 0);
          }
        }
        continue;
      }
      // Else pairs of panels of one group (they share a row stride).
      const bool pair = q + 1 < q1 && PackedMatrix::SameGroup(q);
      next = q + (pair ? 2 : 1);
      const int64_t stride = b.row_stride(q);
      const __mmask16 mask0 = mask_of(q), mask1 = pair ? mask_of(q + 1) : 0;
      for (int64_t k0 = 0; k0 < k; k0 += kDepthBlock) {
        const int64_t depth = std::min(kDepthBlock, k - k0);
        const bool acc = accumulate || k0 > 0;
        for (int64_t t = 0; t < tiles; ++t) {
          const int64_t r0 = m0 + rows * t / tiles, r1 = m0 + rows * (t + 1) / tiles;
          const float* a_tile = a + r0 * lda + k0;
          float* c_tile = c + r0 * ldc + q * kWidth;
          if (pair) {
            TileRows512<2>(r1 - r0, depth, a_tile, lda, b.panel(q, row0 + k0),
                           b.panel(q + 1, row0 + k0), stride, c_tile, ldc, mask0, mask1, acc);
          } else {
            TileRows512<1>(r1 - r0, depth, a_tile, lda, b.panel(q, row0 + k0), nullptr, stride,
                           c_tile, ldc, mask0, 0, acc);
          }
        }
      }
    }
  }
}

}  // namespace packed_gemm_internal
}  // namespace rill

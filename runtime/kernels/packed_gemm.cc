#include "runtime/kernels/packed_gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "graph/status_macros.h"

namespace rill {
namespace {

constexpr int64_t kWidth = PackedMatrix::kPanelWidth;
// Rows of A per pass over the panels: 96 rows of K <= 1024 floats stay in
// L2 while every panel streams past them.
constexpr int64_t kRowBlock = 96;
// Depth of one pass: 256 rows of a panel (16 KiB) stay in L1 while every
// tile of the row block reads them; a tile's C rows stay in L1 across the
// passes.
constexpr int64_t kDepthBlock = 256;

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

// C[R rows, cols] (+)= A[R rows, k] · panel: 2R accumulators, one broadcast
// of A per row and two loads of the panel per k. Named registers rather
// than an array: GCC keeps an array of __m256 in memory.
template <int R>
RILL_AVX2 void Tile(int64_t k, const float* a, int64_t lda, const float* panel, float* c,
                    int64_t ldc, int64_t cols, bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
         c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  // Rows past R are never read; they alias row 0 rather than point past A.
  const float* a0 = a;
  const float* a1 = R > 1 ? a + lda : a;
  const float* a2 = R > 2 ? a + 2 * lda : a;
  const float* a3 = R > 3 ? a + 3 * lda : a;
  const float* a4 = R > 4 ? a + 4 * lda : a;
  const float* a5 = R > 5 ? a + 5 * lda : a;
  if (accumulate) {
    // C's rows are read only after the k loop; fetching them now hides
    // their latency (a GRU accumulates into hoisted projections that have
    // usually left the caches).
    for (int r = 0; r < R; ++r) {
      _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    }
  }
  for (int64_t i = 0; i < k; ++i) {
    const __m256 b0 = _mm256_load_ps(panel + i * kWidth);
    const __m256 b1 = _mm256_load_ps(panel + i * kWidth + 8);
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

// One row of A against two full panels, k unrolled by two: eight
// independent accumulators instead of Tile<1>'s two (a GEMV is otherwise
// bound by the FMA latency).
RILL_AVX2 void RowTwoPanels(int64_t k, const float* a, const float* p0, const float* p1,
                            float* c, bool accumulate) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0,
         t3 = s0;
  int64_t i = 0;
  for (; i + 2 <= k; i += 2) {
    const __m256 x0 = _mm256_broadcast_ss(a + i), x1 = _mm256_broadcast_ss(a + i + 1);
    const int64_t o = i * kWidth;
    s0 = _mm256_fmadd_ps(x0, _mm256_load_ps(p0 + o), s0);
    s1 = _mm256_fmadd_ps(x0, _mm256_load_ps(p0 + o + 8), s1);
    t0 = _mm256_fmadd_ps(x0, _mm256_load_ps(p1 + o), t0);
    t1 = _mm256_fmadd_ps(x0, _mm256_load_ps(p1 + o + 8), t1);
    s2 = _mm256_fmadd_ps(x1, _mm256_load_ps(p0 + o + 16), s2);
    s3 = _mm256_fmadd_ps(x1, _mm256_load_ps(p0 + o + 24), s3);
    t2 = _mm256_fmadd_ps(x1, _mm256_load_ps(p1 + o + 16), t2);
    t3 = _mm256_fmadd_ps(x1, _mm256_load_ps(p1 + o + 24), t3);
  }
  if (i < k) {
    const __m256 x0 = _mm256_broadcast_ss(a + i);
    const int64_t o = i * kWidth;
    s0 = _mm256_fmadd_ps(x0, _mm256_load_ps(p0 + o), s0);
    s1 = _mm256_fmadd_ps(x0, _mm256_load_ps(p0 + o + 8), s1);
    t0 = _mm256_fmadd_ps(x0, _mm256_load_ps(p1 + o), t0);
    t1 = _mm256_fmadd_ps(x0, _mm256_load_ps(p1 + o + 8), t1);
  }
  StoreRow(_mm256_add_ps(s0, s2), _mm256_add_ps(s1, s3), c, kWidth, accumulate);
  StoreRow(_mm256_add_ps(t0, t2), _mm256_add_ps(t1, t3), c + kWidth, kWidth, accumulate);
}

RILL_AVX2 void TileRows(int64_t rows, int64_t k, const float* a, int64_t lda,
                        const float* panel, float* c, int64_t ldc, int64_t cols,
                        bool accumulate) {
  switch (rows) {
    case 1: return Tile<1>(k, a, lda, panel, c, ldc, cols, accumulate);
    case 2: return Tile<2>(k, a, lda, panel, c, ldc, cols, accumulate);
    case 3: return Tile<3>(k, a, lda, panel, c, ldc, cols, accumulate);
    case 4: return Tile<4>(k, a, lda, panel, c, ldc, cols, accumulate);
    case 5: return Tile<5>(k, a, lda, panel, c, ldc, cols, accumulate);
    default: return Tile<6>(k, a, lda, panel, c, ldc, cols, accumulate);
  }
}

RILL_AVX2 void PackedGemmAvx2(int64_t m, const float* a, int64_t lda, const PackedMatrix& b,
                              int64_t row0, int64_t k, int64_t q0, int64_t q1, bool accumulate,
                              float* c, int64_t ldc) {
  auto cols_of = [&](int64_t q) { return std::min(kWidth, b.cols() - q * kWidth); };
  if (m == 1) {
    int64_t q = q0;
    for (; q + 2 <= q1 && cols_of(q + 1) == kWidth; q += 2) {
      RowTwoPanels(k, a, b.panel(q, row0), b.panel(q + 1, row0), c + q * kWidth, accumulate);
    }
    for (; q < q1; ++q) {
      Tile<1>(k, a, lda, b.panel(q, row0), c + q * kWidth, ldc, cols_of(q), accumulate);
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
                   c + r0 * ldc + q * kWidth, ldc, cols_of(q), accumulate || k0 > 0);
        }
      }
    }
  }
}

#define RILL_AVX512 __attribute__((target("avx512f,fma")))

// GCC 12's _mm512_set1_ps (through _mm512_broadcastss_ps) starts from an
// _mm512_undefined_ps that -Wmaybe-uninitialized reports at every use
// (GCC bug 105593, fixed in 12.3): silence it for these kernels only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

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

// C[R rows, P panels] (+)= A[R rows, k] · panels p0 (and p1 when P = 2):
// one register per row and panel (a panel row is one 16-float register),
// one broadcast of A per row and P loads of the panels per k. The AVX2
// tile's shape (6 rows × 32 columns in 12 registers) with twice the
// columns per instruction.
template <int R, int P>
RILL_AVX512 void Tile512(int64_t k, const float* a, int64_t lda, const float* p0,
                         const float* p1, float* c, int64_t ldc, __mmask16 mask0,
                         __mmask16 mask1, bool accumulate) {
  __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
         c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  const float* a0 = a;
  const float* a1 = R > 1 ? a + lda : a;
  const float* a2 = R > 2 ? a + 2 * lda : a;
  const float* a3 = R > 3 ? a + 3 * lda : a;
  const float* a4 = R > 4 ? a + 4 * lda : a;
  const float* a5 = R > 5 ? a + 5 * lda : a;
  if (accumulate) {
    for (int r = 0; r < R; ++r) {
      _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    }
  }
  for (int64_t i = 0; i < k; ++i) {
    const __m512 b0 = _mm512_load_ps(p0 + i * kWidth);
    const __m512 b1 = P > 1 ? _mm512_load_ps(p1 + i * kWidth) : b0;
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

// One row of A against four full panels, k unrolled by two: eight
// independent accumulators and two broadcasts per eight loads (a GEMV is
// bound by how fast the panels stream in).
RILL_AVX512 void RowFourPanels(int64_t k, const float* a, const float* p0, const float* p1,
                               const float* p2, const float* p3, float* c, bool accumulate) {
  __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0,
         t3 = s0;
  int64_t i = 0;
  for (; i + 2 <= k; i += 2) {
    const __m512 x0 = _mm512_set1_ps(a[i]), x1 = _mm512_set1_ps(a[i + 1]);
    const int64_t o = i * kWidth;
    s0 = _mm512_fmadd_ps(x0, _mm512_load_ps(p0 + o), s0);
    s1 = _mm512_fmadd_ps(x0, _mm512_load_ps(p1 + o), s1);
    s2 = _mm512_fmadd_ps(x0, _mm512_load_ps(p2 + o), s2);
    s3 = _mm512_fmadd_ps(x0, _mm512_load_ps(p3 + o), s3);
    t0 = _mm512_fmadd_ps(x1, _mm512_load_ps(p0 + o + kWidth), t0);
    t1 = _mm512_fmadd_ps(x1, _mm512_load_ps(p1 + o + kWidth), t1);
    t2 = _mm512_fmadd_ps(x1, _mm512_load_ps(p2 + o + kWidth), t2);
    t3 = _mm512_fmadd_ps(x1, _mm512_load_ps(p3 + o + kWidth), t3);
  }
  if (i < k) {
    const __m512 x0 = _mm512_set1_ps(a[i]);
    const int64_t o = i * kWidth;
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
                             const float* p0, const float* p1, float* c, int64_t ldc,
                             __mmask16 mask0, __mmask16 mask1, bool accumulate) {
  switch (rows) {
    case 1: return Tile512<1, P>(k, a, lda, p0, p1, c, ldc, mask0, mask1, accumulate);
    case 2: return Tile512<2, P>(k, a, lda, p0, p1, c, ldc, mask0, mask1, accumulate);
    case 3: return Tile512<3, P>(k, a, lda, p0, p1, c, ldc, mask0, mask1, accumulate);
    case 4: return Tile512<4, P>(k, a, lda, p0, p1, c, ldc, mask0, mask1, accumulate);
    case 5: return Tile512<5, P>(k, a, lda, p0, p1, c, ldc, mask0, mask1, accumulate);
    default: return Tile512<6, P>(k, a, lda, p0, p1, c, ldc, mask0, mask1, accumulate);
  }
}

// The AVX2 path's blocking (row blocks of kRowBlock, depth passes of
// kDepthBlock, tiles of at most 6 rows) over pairs of panels.
RILL_AVX512 void PackedGemmAvx512(int64_t m, const float* a, int64_t lda, const PackedMatrix& b,
                                  int64_t row0, int64_t k, int64_t q0, int64_t q1,
                                  bool accumulate, float* c, int64_t ldc) {
  auto mask_of = [&](int64_t q) { return PanelMask(b.cols() - q * kWidth); };
  if (m == 1) {
    int64_t q = q0;
    for (; q + 4 <= q1 && mask_of(q + 3) == 0xFFFF; q += 4) {
      RowFourPanels(k, a, b.panel(q, row0), b.panel(q + 1, row0), b.panel(q + 2, row0),
                    b.panel(q + 3, row0), c + q * kWidth, accumulate);
    }
    for (; q < q1; ++q) {
      Tile512<1, 1>(k, a, lda, b.panel(q, row0), nullptr, c + q * kWidth, ldc, mask_of(q), 0,
                    accumulate);
    }
    return;
  }
  for (int64_t m0 = 0; m0 < m; m0 += kRowBlock) {
    const int64_t rows = std::min(kRowBlock, m - m0);
    const int64_t tiles = (rows + 5) / 6;
    for (int64_t q = q0; q < q1; q += 2) {
      const bool pair = q + 1 < q1;
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
                           b.panel(q + 1, row0 + k0), c_tile, ldc, mask0, mask1, acc);
          } else {
            TileRows512<1>(r1 - r0, depth, a_tile, lda, b.panel(q, row0 + k0), nullptr, c_tile,
                           ldc, mask0, 0, acc);
          }
        }
      }
    }
  }
}

#pragma GCC diagnostic pop

void PackedGemmPortable(int64_t m, const float* a, int64_t lda, const PackedMatrix& b,
                        int64_t row0, int64_t k, int64_t q0, int64_t q1, bool accumulate,
                        float* c, int64_t ldc) {
  for (int64_t q = q0; q < q1; ++q) {
    const int64_t cols = std::min(kWidth, b.cols() - q * kWidth);
    const float* panel = b.panel(q, row0);
    for (int64_t r = 0; r < m; ++r) {
      float sum[kWidth] = {};
      for (int64_t i = 0; i < k; ++i) {
        const float x = a[r * lda + i];
        for (int64_t j = 0; j < kWidth; ++j) sum[j] += x * panel[i * kWidth + j];
      }
      float* out = c + r * ldc + q * kWidth;
      for (int64_t j = 0; j < cols; ++j) out[j] = accumulate ? out[j] + sum[j] : sum[j];
    }
  }
}

bool HasAvx2Fma() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

bool HasAvx512() {
  static const bool has = __builtin_cpu_supports("avx512f") && HasAvx2Fma();
  return has;
}

}  // namespace

absl::StatusOr<PackedMatrix> PackedMatrix::Pack(const float* b, int64_t ldb, int64_t k,
                                                int64_t n) {
  PackedMatrix packed;
  packed.rows_ = k;
  packed.cols_ = n;
  const int64_t floats = std::max<int64_t>(1, packed.panels() * k * kWidth);
  ASSIGN_OR_RETURN(packed.storage_, Tensor::Allocate(DT_FLOAT, TensorShape({floats})));
  float* out = packed.storage_.data<float>();  // Zero-filled: the padding.
  for (int64_t q = 0; q < packed.panels(); ++q) {
    const int64_t c0 = q * kWidth, cols = std::min(kWidth, n - c0);
    for (int64_t i = 0; i < k; ++i) {
      std::memcpy(out + (q * k + i) * kWidth, b + i * ldb + c0, cols * sizeof(float));
    }
  }
  packed.data_ = out;
  return packed;
}

void PackedGemm(int64_t m, const float* a, int64_t lda, const PackedMatrix& b,
                int64_t first_row, int64_t row_end, int64_t panel_begin, int64_t panel_end,
                bool accumulate, float* c, int64_t ldc, PackedGemmPath path) {
  panel_end = std::min(panel_end, b.panels());
  row_end = std::min(row_end, b.rows());
  if (m <= 0 || panel_begin >= panel_end) return;
  if (first_row >= row_end) {  // An empty sum.
    for (int64_t r = 0; r < m && !accumulate; ++r) {
      const int64_t c0 = panel_begin * kWidth, c1 = std::min(panel_end * kWidth, b.cols());
      std::fill(c + r * ldc + c0, c + r * ldc + c1, 0.0f);
    }
    return;
  }
  if (path == PackedGemmPath::kBest) path = BestPackedGemmPath();
  const int64_t k = row_end - first_row;
  switch (path) {
    case PackedGemmPath::kAvx512:
      if (HasAvx512()) {
        return PackedGemmAvx512(m, a, lda, b, first_row, k, panel_begin, panel_end, accumulate,
                                c, ldc);
      }
      [[fallthrough]];
    case PackedGemmPath::kAvx2:
      if (HasAvx2Fma()) {
        return PackedGemmAvx2(m, a, lda, b, first_row, k, panel_begin, panel_end, accumulate, c,
                              ldc);
      }
      [[fallthrough]];
    default:
      return PackedGemmPortable(m, a, lda, b, first_row, k, panel_begin, panel_end, accumulate,
                                c, ldc);
  }
}

bool PackedGemmPathSupported(PackedGemmPath path) {
  switch (path) {
    case PackedGemmPath::kAvx512: return HasAvx512();
    case PackedGemmPath::kAvx2: return HasAvx2Fma();
    default: return true;
  }
}

PackedGemmPath BestPackedGemmPath() {
  if (HasAvx512()) return PackedGemmPath::kAvx512;
  if (HasAvx2Fma()) return PackedGemmPath::kAvx2;
  return PackedGemmPath::kPortable;
}

}  // namespace rill

// The micro-kernels behind PackedGemm (packed_gemm.h), one translation unit
// per instruction set, and the blocking they share. Internal to PackedGemm:
// call PackedGemm, which checks the CPU and the arguments. Each computes
// C[:, panels q0..q1) (+)= A[m, k] · B[row0:row0+k, those panels] with the
// contract of PackedGemm (k >= 1, q0 < q1 <= b.panels()), for rows of one
// stored block (k <= b.ContiguousRows(row0)): PackedGemm splits the depth.
#ifndef RILL_RUNTIME_KERNELS_PACKED_GEMM_KERNELS_H_
#define RILL_RUNTIME_KERNELS_PACKED_GEMM_KERNELS_H_

#include <xmmintrin.h>

#include <cstdint>

#include "runtime/kernels/packed_gemm.h"

namespace rill {
namespace packed_gemm_internal {

constexpr int64_t kWidth = PackedMatrix::kPanelWidth;
// Rows of A per pass over the panels: 96 rows of K <= 1024 floats stay in
// L2 while every panel streams past them.
constexpr int64_t kRowBlock = 96;
// Depth of one pass: 256 rows of a panel stay in L1 while every tile of the
// row block reads them (half as many rows of a whole group of four panels:
// 32 KiB); a tile's C rows stay in L1 across the passes. A tile over one
// or two panels of a group reads 64 or 128 of every 256 bytes per row, so
// its rows fall into a quarter or half of L1's sets: on these CPUs' 12-way
// 48 KiB L1 that held in the measurements, a smaller 8-way L1 (Zen 3) may
// not (not measured there; the GRU kernels multiply whole groups where
// they can).
constexpr int64_t kDepthBlock = 256;
static_assert(PackedMatrix::kBlockRows % kDepthBlock == 0,
              "a block of stored rows holds whole depth passes");

// Declares a0 .. a5, the rows of a tile's A (rows `lda` floats apart) that
// the micro-kernels' row macros read: rows past R are never read and alias
// row 0 rather than point past A.
#define RILL_TILE_ROWS_OF_A(R, a, lda)          \
  const float* a0 = (a);                        \
  const float* a1 = (R) > 1 ? (a) + (lda) : (a); \
  const float* a2 = (R) > 2 ? (a) + 2 * (lda) : (a); \
  const float* a3 = (R) > 3 ? (a) + 3 * (lda) : (a); \
  const float* a4 = (R) > 4 ? (a) + 4 * (lda) : (a); \
  const float* a5 = (R) > 5 ? (a) + 5 * (lda) : (a)

// Fetches the R rows of C a tile accumulates into. They are read only after
// the k loop; fetching them first hides their latency (a GRU accumulates
// into hoisted projections that have usually left the caches).
template <int R>
inline void PrefetchTileRowsOfC(const float* c, int64_t ldc) {
  for (int r = 0; r < R; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
  }
}

// AVX2 + FMA: 6 rows × 16 columns in 12 registers. REQUIRES the CPU has them.
void PackedGemmAvx2(int64_t m, const float* a, int64_t lda, const PackedMatrix& b, int64_t row0,
                    int64_t k, int64_t q0, int64_t q1, bool accumulate, float* c, int64_t ldc);

// AVX-512F: 6 rows × a whole group of four panels (64 columns) in 24
// registers over depth blocks of kDepthBlock / 2, else 6 rows × two panels
// of one group in 12. REQUIRES the CPU has it.
void PackedGemmAvx512(int64_t m, const float* a, int64_t lda, const PackedMatrix& b,
                      int64_t row0, int64_t k, int64_t q0, int64_t q1, bool accumulate, float* c,
                      int64_t ldc);

}  // namespace packed_gemm_internal
}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_PACKED_GEMM_KERNELS_H_

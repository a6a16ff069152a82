// PackedGemm: C (+)= A · B for a B that is multiplied many times (a GRU's
// recurrent weights, once per step), rearranged once into panels of 16
// columns (interleaved by four) so the micro-kernel reads it as one
// contiguous stream.
//
// Why not oneDNN's sgemm for these: it repacks B on every call. Measured
// on one thread with B hot (bench/separate_measurements.md), on a Zen 3
// (AVX2), the packed kernel ran at 92-97 GFLOP/s against oneDNN's 80-91
// for M = 32..64, K = 256..512, N = 256..1536, and 50 against 40 at M = 1
// (a GEMV); at M >= 256 or 3200 (hoisted projections) oneDNN stays ahead
// (it packs A too), so those products stay on Sgemm. Inside a GRU sequence
// at M = 64, between two 3 MB weight streams, it took 1.15x sgemm's cycles
// for the same FLOPs, so the sequence kernel uses it only below 64 rows
// (of the batch, or of a slice of it on several threads; on a Zen 5 with
// the AVX-512 kernel that choice still held end to end).
//
// The micro-kernel is chosen at run time (packed_gemm_kernels.h): AVX-512
// (6 rows × a group of four panels, 64 columns, in 24 registers; 6 × 32
// in 12 for a partial group or a range that starts or ends inside a
// group) where the CPU has it, else AVX2+FMA (6 rows × 16 columns in 12
// registers), else a portable loop that computes the same. On a Zen 5 with full-width AVX-512 units the
// AVX-512 kernel runs at about twice the AVX2 one's FLOP rate, 93-100 % of
// oneDNN's sgemm from M = 32, and its GEMV about as fast as oneDNN's
// (bench/separate_measurements.md, "Ninth session", "Tenth session").
#ifndef RILL_RUNTIME_KERNELS_PACKED_GEMM_H_
#define RILL_RUNTIME_KERNELS_PACKED_GEMM_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "graph/tensor.h"

namespace rill {

// A row-major float matrix [K, N] as panels of 16 columns: panel q holds
// columns [16q, 16q + 16) as rows of 16 floats, 64-byte aligned; columns
// past N are zero. Panels are interleaved in groups of four: a group's rows
// hold row i of each of its panels side by side (64 floats, fewer in a last
// group of fewer panels), so a product over a whole group reads one
// contiguous stream instead of four: a GEMV 128×384 with the weights in L2
// took 1197 instead of 1765 ns on the Zen 5, and the 6-row × 64-column tile
// reads each row of the group whole (bench/separate_measurements.md,
// "Tenth session").
//
// The rows are stored in blocks of kBlockRows: block j holds rows
// [256j, 256j + 256) of every group, group after group, and nothing else, so
// packing a matrix's rows front to back fills its storage block after
// block. A
// derivation that frees its source as it reads it (graph/consumed_memory.h)
// then holds little more than one copy: with every group's rows spread over
// the whole storage, packing the first rows of a 1024-unit GRU's W_ru
// touched all of its 16 MB (in 2 MiB pages) while the source was still
// whole. A kernel reads at most ContiguousRows(row) rows from panel(q, row)
// (PackedGemm splits its depth there).
class PackedMatrix {
 public:
  static constexpr int64_t kPanelWidth = 16;
  static constexpr int64_t kGroupPanels = 4;
  // A multiple of the kernels' depth passes (packed_gemm_kernels.h): a
  // product that starts at a block's first row makes whole passes (one
  // that starts inside a block, e.g. the recurrent rows after I inputs,
  // makes a shorter first one).
  static constexpr int64_t kBlockRows = 256;

  PackedMatrix() = default;

  // Packs the [k, n] matrix at `b` whose rows are `ldb` floats apart.
  // ResourceExhausted if the panels cannot be allocated.
  static absl::StatusOr<PackedMatrix> Pack(const float* b, int64_t ldb, int64_t k, int64_t n);
  // Panels for a [k, n] matrix, not written yet: every row must be packed
  // (PackRows, rows in any order) before the matrix is read. Pack is
  // Allocate + PackRows of all rows. Its pages are touched only as rows
  // are packed (no zero fill), so a derivation that frees its source as it
  // goes (graph/consumed_memory.h) never holds both whole.
  static absl::StatusOr<PackedMatrix> Allocate(int64_t k, int64_t n);
  // Packs rows [row_begin, row_end) of the matrix at `b` (row i at
  // b + i * ldb; rows past rows() are ignored), with zeros past column n.
  // REQUIRES: a matrix from Allocate or Pack (not a View).
  void PackRows(const float* b, int64_t ldb, int64_t row_begin, int64_t row_end);

  // The same panels, not owned: valid while this matrix lives (no reference
  // counting for a caller that holds it only that long).
  PackedMatrix View() const {
    PackedMatrix view;
    view.data_ = data_;
    view.rows_ = rows_;
    view.cols_ = cols_;
    return view;
  }

  // Writes the matrix back: the [rows(), cols()] matrix at `b`, rows `ldb`
  // floats apart (the exact values Pack was given).
  void Unpack(float* b, int64_t ldb) const;

  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  int64_t panels() const { return (cols_ + kPanelWidth - 1) / kPanelWidth; }
  // Floats from one row of panel q to its next row: the width of q's group.
  int64_t row_stride(int64_t q) const {
    const int64_t first = q - q % kGroupPanels;
    const int64_t in_group = panels() - first < kGroupPanels ? panels() - first : kGroupPanels;
    return in_group * kPanelWidth;
  }
  // Whether panels q and q + 1 are in one group (read with one stride).
  static bool SameGroup(int64_t q) { return (q + 1) % kGroupPanels != 0; }
  // Rows from `row` to the end of its block: panel(q, row) and the rows
  // after it, row_stride(q) floats apart, up to there.
  int64_t ContiguousRows(int64_t row) const {
    const int64_t block_end = (row / kBlockRows + 1) * kBlockRows;
    return (block_end < rows_ ? block_end : rows_) - row;
  }
  // Panel q at row `row` (of its block).
  const float* panel(int64_t q, int64_t row = 0) const {
    const int64_t block_first = row - row % kBlockRows;
    const int64_t block_rows = rows_ - block_first < kBlockRows ? rows_ - block_first : kBlockRows;
    const int64_t first = q - q % kGroupPanels;
    return data_ + block_first * panels() * kPanelWidth + first * block_rows * kPanelWidth +
           (row - block_first) * row_stride(q) + (q - first) * kPanelWidth;
  }

 private:
  Tensor storage_;
  const float* data_ = nullptr;
  int64_t rows_ = 0;
  int64_t cols_ = 0;
};

// kBest is the fastest path the CPU supports (BestPackedGemmPath()); the
// others force a kernel for tests and benchmarks. A forced path the CPU
// lacks runs the next one down (AVX-512 → AVX2 → portable):
// PackedGemmPathSupported says whether it would.
enum class PackedGemmPath { kBest, kAvx512, kAvx2, kPortable };

bool PackedGemmPathSupported(PackedGemmPath path);
PackedGemmPath BestPackedGemmPath();

// For the columns of panels [panel_begin, panel_end) of b (clipped to
// b.cols()) and b's rows [first_row, row_end) (K = row_end − first_row; a
// GRU multiplies x by the rows of W_x and h by those of W_h):
// C[:, cols] = A · B[first_row:row_end, cols], plus C's previous values when
// `accumulate`. A is [m, K] with rows `lda` floats apart, C's rows are `ldc`
// apart; nothing outside those columns is read or written. Single
// threaded.
void PackedGemm(int64_t m, const float* a, int64_t lda, const PackedMatrix& b,
                int64_t first_row, int64_t row_end, int64_t panel_begin, int64_t panel_end,
                bool accumulate, float* c, int64_t ldc,
                PackedGemmPath path = PackedGemmPath::kBest);

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_PACKED_GEMM_H_

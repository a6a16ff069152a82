// Float GEMM for kernels: row-major C = op(A) · op(B) + beta · C on oneDNN's
// sgemm (bench/RESULTS.md: on this machine it runs at the sgemm peak where
// Eigen's product reaches 62-77% of it).
//
// Strides: dnnl_sgemm loses up to 2.4x when the rows of B are a multiple of
// 512 bytes apart (they map to the same cache sets). On this machine's Zen 3
// at M=64, K=512, 1 thread: a [512, 1024] B runs at 38 GFLOP/s with rows
// 1024 floats apart and at 74 with rows 1040 apart; N=512: 52 vs 75; N=2048:
// 36 vs 88. Weights that stay the same across runs are therefore copied once
// to a padded stride (PaddedOperandCache).
#ifndef RILL_RUNTIME_KERNELS_GEMM_H_
#define RILL_RUNTIME_KERNELS_GEMM_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "graph/tensor.h"
#include "runtime/input_source.h"
#include "runtime/kernels/constant_cache.h"
#include "runtime/kernels/derived_weight_store.h"

namespace rill {

struct SgemmArgs {
  bool transpose_a = false;
  bool transpose_b = false;
  int64_t m = 0, n = 0, k = 0;
  const float* a = nullptr;
  int64_t lda = 0;
  const float* b = nullptr;
  int64_t ldb = 0;
  float beta = 0.0f;
  float* c = nullptr;
  int64_t ldc = 0;
  // Upper bound on threads; products too small to gain from threads run on
  // the calling thread only.
  int max_threads = 1;
};

// Internal (naming oneDNN's status) if oneDNN rejects the arguments, which
// means a bug in the caller.
absl::Status Sgemm(const SgemmArgs& args);

// Whether rows `ld` floats apart hit the slow case above (a multiple of 512
// bytes).
inline bool IsSlowStride(int64_t ld) { return ld % (512 / sizeof(float)) == 0; }

// Row stride, in floats, for a row-major matrix with `n` columns read by
// Sgemm: n rounded up to 64 bytes, plus 64 bytes if that is a slow stride.
int64_t PaddedLeadingDim(int64_t n);

// A float matrix as a GEMM operand: its rows are `ld` floats apart. With
// `transposed` the product reads it as its transpose (MatMul's transpose_b):
// the rows of the operand are the columns of the stored matrix.
struct GemmOperand {
  Tensor storage;  // Owns a padded copy (unset when `data` is the original).
  const float* data = nullptr;
  int64_t ld = 0;
  bool transposed = false;
};

// `matrix` read where it is: rows dim(1) floats apart.
GemmOperand InPlaceOperand(const Tensor& matrix);

// A padded copy of a float matrix [rows, cols] (rows PaddedLeadingDim(cols)
// apart, padding zero). ResourceExhausted if it cannot be allocated (then
// nothing was consumed). With `consume`, the matrix's pages are freed as
// they are copied (graph/consumed_memory.h): only for a matrix dropped
// right after.
absl::StatusOr<GemmOperand> PaddedCopy(const Tensor& matrix, bool consume = false);

// The padded copy of a weight matrix kept across runs. For a constant
// source it is made on the first Get and read without a lock afterwards
// (another tensor, not expected for a Const, gets a copy of its own per
// call); the returned operand does not own it and is valid while the cache
// lives. For a variable it is made when the same buffer comes a second time
// in a row (VariableCache) and kept until the buffer changes; the returned
// operand shares ownership of it. For other sources nothing is kept. With
// a `store`, the copies are shared with the Session's other plans.
// Thread-safe.
class PaddedOperandCache {
 public:
  explicit PaddedOperandCache(InputSource source = InputSource::kConstant,
                              DerivedWeightStore* store = nullptr)
      : source_(source), store_(store) {}

  // The kept copy, else (a variable's new value, a fed matrix) a padded
  // copy for this call alone with `copy_if_not_kept` (the caller reads it
  // many times), the matrix in place without.
  absl::StatusOr<GemmOperand> Get(const Tensor& matrix, bool copy_if_not_kept = false) const;

  // How many copies Get made for a variable source (for tests).
  int64_t variable_copies() const { return variable_copy_.derivations(); }

 private:
  const InputSource source_;
  DerivedWeightStore* const store_;  // Outlives the cache; may be null.
  ConstantCache<GemmOperand, 1> copy_;
  VariableCache<GemmOperand, 1> variable_copy_;
};

// From this many rows of A, a product by a B at a slow stride that is not
// kept (fed or computed, or a variable's value on its first use) reads a
// padded copy made for the call: at [M, 512] · [512, 1024] on one thread
// the copy (with its fresh pages) and the padded product took 0.78× the
// in-place product at M = 16, 0.55× at 64, 0.51× at 256, and 0.93× at M = 8
// (bench/sgemm_bench BM_SgemmCopyingB against BM_Sgemm padded:0). The
// product splits over threads and the copy does not: with t threads it
// takes t times the rows (CopyPaysForOneCall).
constexpr int64_t kMinRowsForCopyPerCall = 16;

// Whether a padded copy of a slow-stride B made for one product of m rows
// on `threads` threads pays for itself.
bool CopyPaysForOneCall(int64_t m, int threads);

// b as the products read it (GemmOperand::transposed = `transpose_b`) by m
// rows on up to `threads` threads: at a slow stride with m > 1 (a single
// row does not gain from it), the cache's padded copy when b is a weight
// kept across runs (`b_cache` set), or a copy for this call when
// CopyPaysForOneCall; else b where it is. A transposed b is not copied for
// one call: oneDNN reads it in place at
// full speed (BM_SgemmTransposedB: 80 GFLOP/s in place at M = 64, 75 with
// the copy).
absl::StatusOr<GemmOperand> ProductOperand(const Tensor& b, bool transpose_b,
                                           const PaddedOperandCache* b_cache, int64_t m,
                                           int threads);

// out[:, col0:col0+n] = a · b[first_row:first_row+k, col0:col0+n] (plus
// out's old values with `accumulate`) on oneDNN's sgemm with up to
// `threads` threads; a is [m, k] with rows `lda` apart (with `transpose_a`,
// a is stored as its transpose, [k, m]), out's rows are `ldc` apart, and b
// is read as its transpose when b.transposed. The products of the kernels:
// a GRU's by rows of its weights, a dense layer's by the rows of each piece
// of a concatenated input, MatMul's.
absl::Status LibraryProduct(int64_t m, int64_t k, const float* a, int64_t lda,
                            const GemmOperand& b, int64_t first_row, int64_t col0, int64_t n,
                            bool accumulate, float* out, int64_t ldc, int threads,
                            bool transpose_a = false);

// out[M, N] = op(a) · op(b) for row-major float matrices (MatMul's
// semantics; out's shape is the product's, K >= 1). b at a slow stride is
// read as ProductOperand says: from the padded copy `b_cache` keeps (b is a
// Const or variable weight), or copied for the call.
absl::Status MatrixProduct(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b,
                           const PaddedOperandCache* b_cache, int max_threads, Tensor* out);

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_GEMM_H_

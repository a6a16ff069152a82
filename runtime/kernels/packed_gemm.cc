#include "runtime/kernels/packed_gemm.h"

#include <algorithm>
#include <cstring>

#include "graph/status_macros.h"
#include "runtime/kernels/packed_gemm_kernels.h"

namespace rill {
namespace {

using packed_gemm_internal::kWidth;
using packed_gemm_internal::PackedGemmAvx2;
using packed_gemm_internal::PackedGemmAvx512;

void PackedGemmPortable(int64_t m, const float* a, int64_t lda, const PackedMatrix& b,
                        int64_t row0, int64_t k, int64_t q0, int64_t q1, bool accumulate,
                        float* c, int64_t ldc) {
  for (int64_t q = q0; q < q1; ++q) {
    const int64_t cols = std::min(kWidth, b.cols() - q * kWidth);
    const float* panel = b.panel(q, row0);
    const int64_t stride = b.row_stride(q);
    for (int64_t r = 0; r < m; ++r) {
      float sum[kWidth] = {};
      for (int64_t i = 0; i < k; ++i) {
        const float x = a[r * lda + i];
        for (int64_t j = 0; j < kWidth; ++j) sum[j] += x * panel[i * stride + j];
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

absl::StatusOr<PackedMatrix> PackedMatrix::Allocate(int64_t k, int64_t n) {
  PackedMatrix packed;
  packed.rows_ = k;
  packed.cols_ = n;
  const int64_t floats = std::max<int64_t>(1, packed.panels() * k * kWidth);
  ASSIGN_OR_RETURN(packed.storage_,
                   Tensor::AllocateForOverwrite(DT_FLOAT, TensorShape({floats})));
  packed.data_ = packed.storage_.data<float>();
  return packed;
}

void PackedMatrix::PackRows(const float* b, int64_t ldb, int64_t row_begin, int64_t row_end) {
  float* out = storage_.data<float>();
  row_end = std::min(row_end, rows_);
  // Block by block: nothing outside the blocks of these rows is written
  // (see the class comment).
  for (int64_t r0 = row_begin, r1; r0 < row_end; r0 = r1) {
    r1 = std::min(row_end, r0 + ContiguousRows(r0));
    for (int64_t i = r0; i < r1; ++i) {
      for (int64_t q = 0; q < panels(); ++q) {
        const int64_t c0 = q * kWidth, cols = std::min(kWidth, cols_ - c0);
        float* row = out + (panel(q, r0) - data_) + (i - r0) * row_stride(q);
        std::memcpy(row, b + i * ldb + c0, cols * sizeof(float));
        std::fill(row + cols, row + kWidth, 0.0f);  // Padding.
      }
    }
  }
}

absl::StatusOr<PackedMatrix> PackedMatrix::Pack(const float* b, int64_t ldb, int64_t k,
                                                int64_t n) {
  ASSIGN_OR_RETURN(PackedMatrix packed, Allocate(k, n));
  packed.PackRows(b, ldb, 0, k);
  return packed;
}

void PackedMatrix::Unpack(float* b, int64_t ldb) const {
  for (int64_t i = 0; i < rows_; ++i) {
    for (int64_t q = 0; q < panels(); ++q) {
      const int64_t c0 = q * kWidth, cols = std::min(kWidth, cols_ - c0);
      std::memcpy(b + i * ldb + c0, panel(q, i), cols * sizeof(float));
    }
  }
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
  using Kernel = void (*)(int64_t, const float*, int64_t, const PackedMatrix&, int64_t, int64_t,
                          int64_t, int64_t, bool, float*, int64_t);
  Kernel kernel = PackedGemmPortable;
  if (path == PackedGemmPath::kAvx512 && HasAvx512()) {
    kernel = PackedGemmAvx512;
  } else if ((path == PackedGemmPath::kAvx512 || path == PackedGemmPath::kAvx2) &&
             HasAvx2Fma()) {
    kernel = PackedGemmAvx2;
  }
  // One call per block of B's stored rows (the kernels read a panel's rows
  // at one stride); A's columns follow B's rows.
  for (int64_t row = first_row, k; row < row_end; row += k) {
    k = std::min(row_end - row, b.ContiguousRows(row));
    kernel(m, a + (row - first_row), lda, b, row, k, panel_begin, panel_end,
           accumulate || row > first_row, c, ldc);
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

#include "runtime/kernels/gemm.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "graph/consumed_memory.h"
#include "graph/status_macros.h"
#include "oneapi/dnnl/dnnl.h"

namespace rill {
namespace {

// Below this many multiply-adds a second thread costs more than it saves
// (a [1x256]x[256x256] step is ~3 us; waking an OpenMP team is about as long).
constexpr int64_t kMinMacsPerThread = int64_t{1} << 21;

int ThreadsFor(const SgemmArgs& g) {
  const int64_t macs = g.m * g.n * g.k;
  int64_t threads = macs / kMinMacsPerThread;
  if (threads < 1) threads = 1;
  return static_cast<int>(threads < g.max_threads ? threads : g.max_threads);
}

}  // namespace

absl::Status Sgemm(const SgemmArgs& g) {
  if (g.m == 0 || g.n == 0) return absl::OkStatus();
  // The OpenMP thread count is a per-thread setting: this only affects the
  // calling thread's parallel regions.
  omp_set_num_threads(ThreadsFor(g));
  const dnnl_status_t s =
      dnnl_sgemm(g.transpose_a ? 'T' : 'N', g.transpose_b ? 'T' : 'N', g.m, g.n, g.k, 1.0f, g.a,
                 g.lda, g.b, g.ldb, g.beta, g.c, g.ldc);
  if (s != dnnl_success) {
    return absl::InternalError(absl::StrCat("oneDNN sgemm failed with status ",
                                            static_cast<int>(s), " for m=", g.m, " n=", g.n,
                                            " k=", g.k));
  }
  return absl::OkStatus();
}

int64_t PaddedLeadingDim(int64_t n) {
  constexpr int64_t kLine = 64 / sizeof(float);
  const int64_t ld = (n + kLine - 1) / kLine * kLine;
  return IsSlowStride(ld) ? ld + kLine : ld;
}

GemmOperand InPlaceOperand(const Tensor& matrix) {
  GemmOperand op;
  op.data = matrix.data<float>();
  op.ld = matrix.dim(1);
  return op;
}

absl::StatusOr<GemmOperand> PaddedCopy(const Tensor& matrix, bool consume) {
  const int64_t rows = matrix.dim(0), cols = matrix.dim(1);
  GemmOperand op;
  op.ld = PaddedLeadingDim(cols);
  // Every byte is written below: the rows, then their padding (zero).
  ASSIGN_OR_RETURN(op.storage,
                   Tensor::AllocateForOverwrite(DT_FLOAT, TensorShape({rows, op.ld})));
  float* dst = op.storage.data<float>();
  const float* src = matrix.data<float>();
  ConsumedMemory consumed(src, matrix.TotalBytes(), consume);
  const int64_t block = ConsumeBlockRows(cols * sizeof(float));
  for (int64_t r0 = 0; r0 < rows; r0 += block) {
    const int64_t r1 = std::min(rows, r0 + block);
    for (int64_t r = r0; r < r1; ++r) {
      // An empty matrix may have no buffer: memcpy from null is undefined.
      if (cols > 0) std::memcpy(dst + r * op.ld, src + r * cols, cols * sizeof(float));
      std::memset(dst + r * op.ld + cols, 0, (op.ld - cols) * sizeof(float));
    }
    consumed.Read(r1 * cols * sizeof(float));
  }
  op.data = dst;
  return op;
}

absl::StatusOr<GemmOperand> PaddedOperandCache::Get(const Tensor& matrix,
                                                    bool copy_if_not_kept) const {
  const std::array<const Tensor*, 1> sources = {&matrix};
  auto shared_copy = [&] {
    return DeriveShared<GemmOperand>(store_, DerivedKind::kPaddedCopy, sources,
                                     [&] { return PaddedCopy(matrix); });
  };
  if (source_ != InputSource::kConstant) {
    if (source_ == InputSource::kVariable) {
      ASSIGN_OR_RETURN(std::optional<GemmOperand> kept, variable_copy_.Get(sources, shared_copy));
      if (kept.has_value()) return *std::move(kept);
    }
    return copy_if_not_kept ? PaddedCopy(matrix) : InPlaceOperand(matrix);
  }
  ASSIGN_OR_RETURN(const GemmOperand* cached, copy_.Get(sources, shared_copy));
  if (cached == nullptr) return PaddedCopy(matrix);
  GemmOperand view;  // No reference counting on the hot path.
  view.data = cached->data;
  view.ld = cached->ld;
  return view;
}

bool CopyPaysForOneCall(int64_t m, int threads) {
  return m >= kMinRowsForCopyPerCall * std::max(1, threads);
}

absl::StatusOr<GemmOperand> ProductOperand(const Tensor& b, bool transpose_b,
                                           const PaddedOperandCache* b_cache, int64_t m,
                                           int threads) {
  GemmOperand op;
  if (m <= 1 || !IsSlowStride(b.dim(1))) {
    op = InPlaceOperand(b);
  } else {
    const bool copy_for_call = !transpose_b && CopyPaysForOneCall(m, threads);
    if (b_cache != nullptr) {
      ASSIGN_OR_RETURN(op, b_cache->Get(b, copy_for_call));
    } else if (copy_for_call) {
      ASSIGN_OR_RETURN(op, PaddedCopy(b));
    } else {
      op = InPlaceOperand(b);
    }
  }
  op.transposed = transpose_b;
  return op;
}

absl::Status LibraryProduct(int64_t m, int64_t k, const float* a, int64_t lda,
                            const GemmOperand& b, int64_t first_row, int64_t col0, int64_t n,
                            bool accumulate, float* out, int64_t ldc, int threads,
                            bool transpose_a) {
  SgemmArgs g;
  g.transpose_a = transpose_a;
  g.transpose_b = b.transposed;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = a;
  g.lda = lda;
  g.b = b.transposed ? b.data + col0 * b.ld + first_row : b.data + first_row * b.ld + col0;
  g.ldb = b.ld;
  g.beta = accumulate ? 1.0f : 0.0f;
  g.c = out + col0;
  g.ldc = ldc;
  g.max_threads = threads;
  return Sgemm(g);
}

absl::Status MatrixProduct(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b,
                           const PaddedOperandCache* b_cache, int max_threads, Tensor* out) {
  const int64_t m = out->dim(0);
  ASSIGN_OR_RETURN(const GemmOperand op,
                   ProductOperand(b, transpose_b, b_cache, m, max_threads));
  const int64_t n = out->dim(1);
  return LibraryProduct(m, transpose_a ? a.dim(0) : a.dim(1), a.data<float>(), a.dim(1), op,
                        /*first_row=*/0, /*col0=*/0, n, /*accumulate=*/false, out->data<float>(),
                        n, max_threads, transpose_a);
}

}  // namespace rill

// Float GEMM for kernels: row-major C = op(A) · op(B) + beta · C on oneDNN's
// sgemm (its jit kernels run at 98-99% of this machine's sgemm peak; Eigen's
// product reaches 62-77%, see bench/RESULTS.md).
#ifndef RILL_RUNTIME_KERNELS_GEMM_H_
#define RILL_RUNTIME_KERNELS_GEMM_H_

#include <cstdint>

#include "absl/status/status.h"

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

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_GEMM_H_

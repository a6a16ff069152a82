#include "runtime/kernels/gemm.h"

#include <omp.h>

#include "absl/strings/str_cat.h"
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

}  // namespace rill

// The GEMM choice, measured: rill's Sgemm (oneDNN) against Eigen's product at
// the GRU step shapes, with the weights' rows at their natural stride (N
// floats, a multiple of 512 bytes for these N) and at PaddedLeadingDim(N).
//
//   bazel run -c opt //bench:sgemm_bench            # or bazel-bin/bench/sgemm_bench
//
// BM_Sgemm/M/N/K/padded, BM_EigenGemm/M/N/K and BM_PackedGemm/M/N/K:
// C[M,N] += A[M,K] · B[K,N] on one thread, counter GFLOP/s. The shapes are
// the recurrent GEMMs of the four GRU cases (h · W_ru[I:] with N = 2H,
// K = H), the direct steps' [x, h] · W (K = I + H) and a hoisted projection
// (M = 100 B). PackedGemm's B is packed once, outside the timing (as the GRU
// sequence kernel packs its weights once).
#include <initializer_list>
#include <vector>

#include "benchmark/benchmark.h"
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/packed_gemm.h"
#include "unsupported/Eigen/CXX11/Tensor"

namespace rill {
namespace {

std::vector<float> Filled(int64_t n, float scale) {
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = scale * static_cast<float>((i * 7919) % 1000) / 1000.0f;
  return v;
}

void SetFlops(benchmark::State& state, int64_t m, int64_t n, int64_t k) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * m * n * k * state.iterations() * 1e-9, benchmark::Counter::kIsRate);
}

// A [rows, cols] tensor (64-byte aligned, as the kernels' operands are)
// filled like Filled.
Tensor FilledTensor(int64_t rows, int64_t cols, float scale) {
  Tensor t = *Tensor::Allocate(DT_FLOAT, TensorShape({rows, cols}));
  const std::vector<float> values = Filled(rows * cols, scale);
  std::copy(values.begin(), values.end(), t.data<float>());
  return t;
}

// Times C[M, N] += A[M, K] · op(B) on one thread (M, N, K from the
// benchmark's first arguments), with B read from `b` at its own row stride
// or, with `copy_per_call`, from a padded copy made inside the timing, as
// MatMul makes one for a B it cannot keep (fed or computed).
void TimeSgemm(benchmark::State& state, const Tensor& b, bool transpose_b, bool copy_per_call) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const std::vector<float> a = Filled(m * k, 0.02f);
  std::vector<float> c(m * n);
  for (auto _ : state) {
    GemmOperand op = InPlaceOperand(b);
    if (copy_per_call) {
      absl::StatusOr<GemmOperand> padded = PaddedCopy(b);
      if (!padded.ok()) {
        state.SkipWithError("PaddedCopy failed");
        break;
      }
      op = *std::move(padded);
    }
    op.transposed = transpose_b;
    if (!LibraryProduct(m, k, a.data(), k, op, /*first_row=*/0, /*col0=*/0, n,
                        /*accumulate=*/true, c.data(), n, /*threads=*/1)
             .ok()) {
      state.SkipWithError("Sgemm failed");
    }
    benchmark::DoNotOptimize(c.data());
  }
  SetFlops(state, m, n, k);
}

// B [K, N] with rows N floats apart (the slow stride for these N) or
// PaddedLeadingDim(N) apart (padded = 1).
void BM_Sgemm(benchmark::State& state) {
  const int64_t n = state.range(1), k = state.range(2);
  const int64_t ldb = state.range(3) ? PaddedLeadingDim(n) : n;
  TimeSgemm(state, FilledTensor(k, ldb, 0.01f), /*transpose_b=*/false, /*copy_per_call=*/false);
}

// BM_Sgemm's product with B padded by a copy made on every call: where the
// copy pays for itself.
void BM_SgemmCopyingB(benchmark::State& state) {
  TimeSgemm(state, FilledTensor(state.range(2), state.range(1), 0.01f), /*transpose_b=*/false,
            /*copy_per_call=*/true);
}

// C[M,N] += A · Bᵀ with B [N, K] (MatMul's transpose_b, e.g. q · kᵀ), read
// in place (copy = 0: rows K floats apart, the slow stride for K = 512) or
// from a padded copy made on every call (copy = 1).
void BM_SgemmTransposedB(benchmark::State& state) {
  TimeSgemm(state, FilledTensor(state.range(1), state.range(2), 0.01f), /*transpose_b=*/true,
            /*copy_per_call=*/state.range(3) != 0);
}

void BM_EigenGemm(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Matrix a = Matrix::Random(m, k), b = Matrix::Random(k, n), c = Matrix::Zero(m, n);
  for (auto _ : state) {
    c.noalias() += a * b;
    benchmark::DoNotOptimize(c.data());
  }
  SetFlops(state, m, n, k);
}

// The fourth argument picks the kernel: 0 the best this CPU has, 1 AVX2
// (to compare the two micro-kernels in one run).
void BM_PackedGemm(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const PackedGemmPath path = state.range(3) == 1 ? PackedGemmPath::kAvx2 : PackedGemmPath::kBest;
  if (!PackedGemmPathSupported(path)) {
    state.SkipWithError("this CPU lacks the kernel's instructions");
    return;
  }
  // A and C at the strides BM_Sgemm uses (k and n), for a like-for-like
  // comparison.
  const int64_t lda = k, ldc = n;
  const std::vector<float> a = Filled(m * lda, 0.02f), b = Filled(k * n, 0.01f);
  const PackedMatrix packed = *PackedMatrix::Pack(b.data(), n, k, n);
  std::vector<float> c(m * ldc);
  for (auto _ : state) {
    PackedGemm(m, a.data(), lda, packed, 0, packed.rows(), 0, packed.panels(), /*accumulate=*/true,
               c.data(), ldc, path);
    benchmark::DoNotOptimize(c.data());
  }
  SetFlops(state, m, n, k);
}

// The four GRU cases' recurrent GEMMs (M = B, N = 2H, K = H), each once per
// value of a fourth argument, or once with three arguments when none.
void Shapes(benchmark::internal::Benchmark* b, std::initializer_list<int> fourth) {
  for (const auto& [m, h] : {std::pair<int, int>{1, 128}, {32, 256}, {64, 512}, {256, 1024}}) {
    if (fourth.size() == 0) b->Args({m, 2 * h, h});
    for (int value : fourth) b->Args({m, 2 * h, h, value});
  }
}

BENCHMARK(BM_Sgemm)->Apply([](benchmark::internal::Benchmark* b) { Shapes(b, {0, 1}); })
    ->ArgNames({"M", "N", "K", "padded"});
BENCHMARK(BM_SgemmCopyingB)
    ->ArgsProduct({{1, 2, 4, 8, 16, 32, 64, 256}, {1024}, {512}})
    ->ArgNames({"M", "N", "K"});
BENCHMARK(BM_Sgemm)
    ->ArgsProduct({{1, 2, 4, 8, 16, 32, 64, 256}, {1024}, {512}, {0}})
    ->ArgNames({"M", "N", "K", "padded"});
BENCHMARK(BM_SgemmTransposedB)
    ->ArgsProduct({{1, 8, 16, 64, 256}, {1024}, {512}, {0, 1}})
    ->ArgNames({"M", "N", "K", "copy"});
BENCHMARK(BM_EigenGemm)->Apply([](benchmark::internal::Benchmark* b) { Shapes(b, {}); })
    ->ArgNames({"M", "N", "K"});
// PackedGemm against Sgemm (padded) at the same shapes, plus K = I + H, a
// hoisted projection and the recurrent product of the B = 64 sequence mode
// (h [64, 512] · W_h [512, 3·512]).
BENCHMARK(BM_PackedGemm)
    ->Apply([](benchmark::internal::Benchmark* b) {
      Shapes(b, {0, 1});
      for (int path : {0, 1}) {
        b->Args({32, 256, 512, path})->Args({64, 512, 1024, path});
        b->Args({3200, 768, 256, path})->Args({64, 1536, 512, path});
      }
    })
    ->ArgNames({"M", "N", "K", "avx2"});
BENCHMARK(BM_Sgemm)
    ->Args({32, 256, 512, 1})
    ->Args({64, 512, 1024, 1})
    ->Args({3200, 768, 256, 1})
    ->Args({64, 1536, 512, 1})
    ->ArgNames({"M", "N", "K", "padded"});

}  // namespace
}  // namespace rill

BENCHMARK_MAIN();

#include <cstdint>
#include <vector>

#include "graph/scope.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/math_ops.h"
#include "ops/op_registry.h"
#include "runtime/kernels/kernel_test_util.h"

namespace rill {
namespace {

using ::rill::testing::HasError;
using ::rill::testing::KernelRunOptions;
using ::rill::testing::MakeTensor;
using ::rill::testing::RunKernel;
using ::rill::testing::TensorEquals;
using ::rill::testing::TensorNear;

class MatMulKernelTest : public ::testing::Test {
 protected:
  // MatMul of two placeholders of unknown shape fed with `a` and `b`.
  absl::StatusOr<Tensor> Run(const Tensor& a, const Tensor& b, bool ta, bool tb,
                             const KernelRunOptions& options = {}) {
    Output pa = ops::Placeholder(root_.WithOpName("a"), a.dtype());
    Output pb = ops::Placeholder(root_.WithOpName("b"), b.dtype());
    Output mm = ops::MatMul(root_, pa, pb, ta, tb);
    if (!root_.ok()) return root_.status();
    return RunKernel(mm, {{pa.node, a}, {pb.node, b}}, options);
  }

  Scope root_ = Scope::NewRootScope(&GlobalOpRegistry());
};

// A = [[1,2,3],[4,5,6]], B = [[7,8],[9,10],[11,12]]:
// A B = [[1*7+2*9+3*11, 1*8+2*10+3*12], [4*7+5*9+6*11, 4*8+5*10+6*12]]
//     = [[58, 64], [139, 154]].
const std::vector<float> kA = {1, 2, 3, 4, 5, 6};
const std::vector<float> kAT = {1, 4, 2, 5, 3, 6};  // A^T, [3,2]
const std::vector<float> kB = {7, 8, 9, 10, 11, 12};
const std::vector<float> kBT = {7, 9, 11, 8, 10, 12};  // B^T, [2,3]
const std::vector<float> kAB = {58, 64, 139, 154};

TEST_F(MatMulKernelTest, NoTranspose) {
  absl::StatusOr<Tensor> out = Run(MakeTensor<float>({2, 3}, kA), MakeTensor<float>({3, 2}, kB),
                                   false, false);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {2, 2}, kAB));
}

TEST_F(MatMulKernelTest, TransposeA) {
  absl::StatusOr<Tensor> out = Run(MakeTensor<float>({3, 2}, kAT), MakeTensor<float>({3, 2}, kB),
                                   true, false);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {2, 2}, kAB));
}

TEST_F(MatMulKernelTest, TransposeB) {
  absl::StatusOr<Tensor> out = Run(MakeTensor<float>({2, 3}, kA), MakeTensor<float>({2, 3}, kBT),
                                   false, true);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {2, 2}, kAB));
}

TEST_F(MatMulKernelTest, TransposeBoth) {
  absl::StatusOr<Tensor> out = Run(MakeTensor<float>({3, 2}, kAT), MakeTensor<float>({2, 3}, kBT),
                                   true, true);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {2, 2}, kAB));
}

// [[1,2],[3,4],[5,6]] x [[1,0,-1,2],[0,1,2,-1]]: row r is
// a[r][0] * [1,0,-1,2] + a[r][1] * [0,1,2,-1].
TEST_F(MatMulKernelTest, NonSquareDouble) {
  absl::StatusOr<Tensor> out = Run(MakeTensor<double>({3, 2}, {1, 2, 3, 4, 5, 6}),
                                   MakeTensor<double>({2, 4}, {1, 0, -1, 2, 0, 1, 2, -1}),
                                   false, false);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<double>(*out, {3, 4}, {1, 2, 3, 0, 3, 4, 5, 2, 5, 6, 7, 4}));
}

TEST_F(MatMulKernelTest, Int32AndInt64) {
  // [2,3] x [[4],[5]] = 2*4 + 3*5 = 23; transposed b = [[4,5]].
  absl::StatusOr<Tensor> i32 =
      Run(MakeTensor<int32_t>({1, 2}, {2, 3}), MakeTensor<int32_t>({1, 2}, {4, 5}), false, true);
  ASSERT_TRUE(i32.ok()) << i32.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*i32, {1, 1}, {23}));
  // Values past 32 bits: [[2^40, -1]] x [[4],[3]] = 2^42 - 3.
  absl::StatusOr<Tensor> i64 = Run(MakeTensor<int64_t>({1, 2}, {int64_t{1} << 40, -1}),
                                   MakeTensor<int64_t>({2, 1}, {4, 3}), false, false);
  ASSERT_TRUE(i64.ok()) << i64.status();
  EXPECT_TRUE(TensorEquals<int64_t>(*i64, {1, 1}, {(int64_t{1} << 42) - 3}));
}

TEST_F(MatMulKernelTest, Int32OverflowWraps) {
  // 65536 * 65536 = 2^32 wraps to 0 in int32 (two's complement), plus 1.
  absl::StatusOr<Tensor> out = Run(MakeTensor<int32_t>({1, 2}, {65536, 1}),
                                   MakeTensor<int32_t>({2, 1}, {65536, 1}), false, false);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*out, {1, 1}, {1}));
}

TEST_F(MatMulKernelTest, EmptyInnerDimensionGivesZeros) {
  absl::StatusOr<Tensor> out =
      Run(MakeTensor<float>({2, 0}, {}), MakeTensor<float>({0, 3}, {}), false, false);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {2, 3}, {0, 0, 0, 0, 0, 0}));
  absl::StatusOr<Tensor> t = Run(MakeTensor<double>({0, 2}, {}), MakeTensor<double>({3, 0}, {}),
                                 true, true);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(TensorEquals<double>(*t, {2, 3}, {0, 0, 0, 0, 0, 0}));
}

TEST_F(MatMulKernelTest, EmptyOutput) {
  absl::StatusOr<Tensor> out = Run(MakeTensor<float>({0, 3}, {}),
                                   MakeTensor<float>({3, 2}, kB), false, false);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {0, 2}, {}));
}

TEST_F(MatMulKernelTest, RunTimeInnerDimensionMismatch) {
  absl::StatusOr<Tensor> out = Run(MakeTensor<float>({2, 3}, std::vector<float>(6, 1.f)),
                                   MakeTensor<float>({4, 5}, std::vector<float>(20, 1.f)),
                                   false, false);
  EXPECT_TRUE(HasError(out, absl::StatusCode::kInvalidArgument,
                       "Dimensions must be equal, but are 3 and 4"));
}

TEST_F(MatMulKernelTest, OutputAboveByteCapIsResourceExhausted) {
  KernelRunOptions options;
  options.max_tensor_bytes = 1000;  // The [16,16] float output needs 1024.
  absl::StatusOr<Tensor> out = Run(MakeTensor<float>({16, 1}, std::vector<float>(16, 1.f)),
                                   MakeTensor<float>({1, 16}, std::vector<float>(16, 1.f)),
                                   false, false, options);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted) << out.status();
}

// Large enough for the multi-threaded contraction path: [256x256]x[256x256]
// of small integers, so every float sum is exact; checked against a plain
// triple loop.
TEST_F(MatMulKernelTest, ParallelContractionMatchesNaiveProduct) {
  const int n = 256;
  std::vector<float> a(n * n), b(n * n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      a[i * n + j] = static_cast<float>((i + 2 * j) % 5 - 2);
      b[i * n + j] = static_cast<float>((3 * i + j) % 7 - 3);
    }
  }
  std::vector<float> expected(n * n, 0.f);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < n; ++k) {
      for (int j = 0; j < n; ++j) expected[i * n + j] += a[i * n + k] * b[k * n + j];
    }
  }
  KernelRunOptions options;
  options.num_threads = 2;
  absl::StatusOr<Tensor> out =
      Run(MakeTensor<float>({n, n}, a), MakeTensor<float>({n, n}, b), false, false, options);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {n, n}, expected));
}

}  // namespace
}  // namespace rill

#include <cstdint>
#include <limits>
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
using ::rill::testing::MakeTensor;
using ::rill::testing::RunKernel;
using ::rill::testing::TensorEquals;
using ::rill::testing::TensorNear;
using ::rill::testing::Values;

using BinaryBuilder = Output (*)(const Scope&, Output, Output);

class CwiseBinaryKernelsTest : public ::testing::Test {
 protected:
  // `op` of two placeholders of unknown shape fed with x and y.
  absl::StatusOr<Tensor> Run(BinaryBuilder op, const Tensor& x, const Tensor& y) {
    Output px = ops::Placeholder(root_.WithOpName("x"), x.dtype());
    Output py = ops::Placeholder(root_.WithOpName("y"), y.dtype());
    Output z = op(root_, px, py);
    if (!root_.ok()) return root_.status();
    return RunKernel(z, {{px.node, x}, {py.node, y}});
  }

  Scope root_ = Scope::NewRootScope(&GlobalOpRegistry());
};

TEST_F(CwiseBinaryKernelsTest, SameShape) {
  absl::StatusOr<Tensor> add = Run(ops::Add, MakeTensor<float>({2, 2}, {1, 2, 3, 4}),
                                   MakeTensor<float>({2, 2}, {10, 20, 30, 40}));
  ASSERT_TRUE(add.ok()) << add.status();
  EXPECT_TRUE(TensorEquals<float>(*add, {2, 2}, {11, 22, 33, 44}));
  absl::StatusOr<Tensor> addv2 = Run(ops::AddV2, MakeTensor<double>({3}, {0.5, -1, 2}),
                                     MakeTensor<double>({3}, {0.25, 1, -4}));
  ASSERT_TRUE(addv2.ok()) << addv2.status();
  EXPECT_TRUE(TensorEquals<double>(*addv2, {3}, {0.75, 0, -2}));
  absl::StatusOr<Tensor> sub = Run(ops::Sub, MakeTensor<int64_t>({2}, {5, int64_t{1} << 40}),
                                   MakeTensor<int64_t>({2}, {7, 1}));
  ASSERT_TRUE(sub.ok()) << sub.status();
  EXPECT_TRUE(TensorEquals<int64_t>(*sub, {2}, {-2, (int64_t{1} << 40) - 1}));
  absl::StatusOr<Tensor> mul = Run(ops::Mul, MakeTensor<int32_t>({2}, {-3, 4}),
                                   MakeTensor<int32_t>({2}, {5, 6}));
  ASSERT_TRUE(mul.ok()) << mul.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*mul, {2}, {-15, 24}));
  absl::StatusOr<Tensor> div = Run(ops::RealDiv, MakeTensor<float>({3}, {1, -3, 1}),
                                   MakeTensor<float>({3}, {4, 2, 3}));
  ASSERT_TRUE(div.ok()) << div.status();
  EXPECT_TRUE(TensorNear<float>(*div, {3}, {0.25f, -1.5f, 0.3333333f}, 1e-7));
}

TEST_F(CwiseBinaryKernelsTest, ScalarAgainstTensorKeepsOperandOrder) {
  // 10 - [1,2,3] = [9,8,7]; [1,2,3] / 2 = [0.5,1,1.5].
  absl::StatusOr<Tensor> sub = Run(ops::Sub, MakeTensor<float>({}, {10}),
                                   MakeTensor<float>({3}, {1, 2, 3}));
  ASSERT_TRUE(sub.ok()) << sub.status();
  EXPECT_TRUE(TensorEquals<float>(*sub, {3}, {9, 8, 7}));
  absl::StatusOr<Tensor> div = Run(ops::RealDiv, MakeTensor<double>({1, 3}, {1, 2, 3}),
                                   MakeTensor<double>({}, {2}));
  ASSERT_TRUE(div.ok()) << div.status();
  EXPECT_TRUE(TensorEquals<double>(*div, {1, 3}, {0.5, 1, 1.5}));
  // A [1,1] operand is one element too, but raises the output rank.
  absl::StatusOr<Tensor> mul = Run(ops::Mul, MakeTensor<int32_t>({3}, {1, 2, 3}),
                                   MakeTensor<int32_t>({1, 1}, {-2}));
  ASSERT_TRUE(mul.ok()) << mul.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*mul, {1, 3}, {-2, -4, -6}));
}

TEST_F(CwiseBinaryKernelsTest, RowVectorBroadcast) {
  // [[1,2,3],[4,5,6]] + [10,20,30] adds the row to every row.
  absl::StatusOr<Tensor> add = Run(ops::Add, MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}),
                                   MakeTensor<float>({3}, {10, 20, 30}));
  ASSERT_TRUE(add.ok()) << add.status();
  EXPECT_TRUE(TensorEquals<float>(*add, {2, 3}, {11, 22, 33, 14, 25, 36}));
  // [10,20,30] - [[1,2,3],[4,5,6]]: the row is the left operand.
  absl::StatusOr<Tensor> sub = Run(ops::Sub, MakeTensor<int64_t>({3}, {10, 20, 30}),
                                   MakeTensor<int64_t>({2, 3}, {1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(sub.ok()) << sub.status();
  EXPECT_TRUE(TensorEquals<int64_t>(*sub, {2, 3}, {9, 18, 27, 6, 15, 24}));
  // A [1,3] row against [2,3].
  absl::StatusOr<Tensor> div = Run(ops::RealDiv, MakeTensor<double>({2, 3}, {2, 4, 6, 8, 10, 12}),
                                   MakeTensor<double>({1, 3}, {2, 4, 8}));
  ASSERT_TRUE(div.ok()) << div.status();
  EXPECT_TRUE(TensorEquals<double>(*div, {2, 3}, {1, 1, 0.75, 4, 2.5, 1.5}));
}

TEST_F(CwiseBinaryKernelsTest, ColumnTimesRowIsOuterProduct) {
  // [[1],[2]] * [[10,20,30]] = [[10,20,30],[20,40,60]].
  absl::StatusOr<Tensor> mul = Run(ops::Mul, MakeTensor<float>({2, 1}, {1, 2}),
                                   MakeTensor<float>({1, 3}, {10, 20, 30}));
  ASSERT_TRUE(mul.ok()) << mul.status();
  EXPECT_TRUE(TensorEquals<float>(*mul, {2, 3}, {10, 20, 30, 20, 40, 60}));
  // [2,3] + [2,1]: column c of row r gets y[r].
  absl::StatusOr<Tensor> add = Run(ops::Add, MakeTensor<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6}),
                                   MakeTensor<int32_t>({2, 1}, {100, 200}));
  ASSERT_TRUE(add.ok()) << add.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*add, {2, 3}, {101, 102, 103, 204, 205, 206}));
}

TEST_F(CwiseBinaryKernelsTest, ThreeDimensionalBroadcast) {
  // [2,1,3] - [4,1] -> [2,4,3]; numpy: out[i,j,k] = x[i,0,k] - y[j,0].
  const std::vector<float> x = {0, 1, 2, 3, 4, 5};
  const std::vector<float> y = {0, 10, 20, 30};
  absl::StatusOr<Tensor> out =
      Run(ops::Sub, MakeTensor<float>({2, 1, 3}, x), MakeTensor<float>({4, 1}, y));
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<float> expected;
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 4; ++j) {
      for (int k = 0; k < 3; ++k) expected.push_back(x[i * 3 + k] - y[j]);
    }
  }
  EXPECT_TRUE(TensorEquals<float>(*out, {2, 4, 3}, expected));
}

TEST_F(CwiseBinaryKernelsTest, RankFourBroadcastBothWays) {
  // [2,3,1,2] + [3,4,1] -> [2,3,4,2]; numpy: out[a,b,c,d] = x[a,b,0,d] + y[b,c,0].
  std::vector<double> x(12), y(12);
  for (int i = 0; i < 12; ++i) {
    x[i] = i;
    y[i] = 100 * i;
  }
  absl::StatusOr<Tensor> out =
      Run(ops::AddV2, MakeTensor<double>({2, 3, 1, 2}, x), MakeTensor<double>({3, 4, 1}, y));
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<double> expected;
  for (int a = 0; a < 2; ++a) {
    for (int b = 0; b < 3; ++b) {
      for (int c = 0; c < 4; ++c) {
        for (int d = 0; d < 2; ++d) expected.push_back(x[a * 6 + b * 2 + d] + y[b * 4 + c]);
      }
    }
  }
  EXPECT_TRUE(TensorEquals<double>(*out, {2, 3, 4, 2}, expected));
}

TEST_F(CwiseBinaryKernelsTest, IntegerDivisionTruncatesTowardZero) {
  absl::StatusOr<Tensor> i32 = Run(ops::RealDiv, MakeTensor<int32_t>({4}, {7, -7, 7, -7}),
                                   MakeTensor<int32_t>({4}, {2, 2, -2, -2}));
  ASSERT_TRUE(i32.ok()) << i32.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*i32, {4}, {3, -3, -3, 3}));
  // INT64_MIN / -1 overflows: it wraps to INT64_MIN instead of trapping.
  const int64_t min64 = std::numeric_limits<int64_t>::min();
  absl::StatusOr<Tensor> i64 = Run(ops::RealDiv, MakeTensor<int64_t>({2}, {min64, 9}),
                                   MakeTensor<int64_t>({}, {-1}));
  ASSERT_TRUE(i64.ok()) << i64.status();
  EXPECT_TRUE(TensorEquals<int64_t>(*i64, {2}, {min64, -9}));
}

TEST_F(CwiseBinaryKernelsTest, IntegerDivisionByZeroIsInvalidArgument) {
  EXPECT_TRUE(HasError(Run(ops::RealDiv, MakeTensor<int32_t>({3}, {1, 2, 3}),
                           MakeTensor<int32_t>({3}, {1, 0, 1})),
                       absl::StatusCode::kInvalidArgument, "Integer division by zero"));
  EXPECT_TRUE(HasError(Run(ops::RealDiv, MakeTensor<int64_t>({2, 2}, {1, 2, 3, 4}),
                           MakeTensor<int64_t>({}, {0})),
                       absl::StatusCode::kInvalidArgument, "Integer division by zero"));
  // Nothing is divided when the output is empty.
  absl::StatusOr<Tensor> empty = Run(ops::RealDiv, MakeTensor<int32_t>({0}, {}),
                                     MakeTensor<int32_t>({}, {0}));
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*empty, {0}, {}));
}

TEST_F(CwiseBinaryKernelsTest, FloatDivisionByZeroIsInfinite) {
  absl::StatusOr<Tensor> out = Run(ops::RealDiv, MakeTensor<float>({2}, {1, -1}),
                                   MakeTensor<float>({}, {0}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>(*out)[0], std::numeric_limits<float>::infinity());
  EXPECT_EQ(Values<float>(*out)[1], -std::numeric_limits<float>::infinity());
}

TEST_F(CwiseBinaryKernelsTest, IntegerOverflowWraps) {
  const int32_t max32 = std::numeric_limits<int32_t>::max();
  const int32_t min32 = std::numeric_limits<int32_t>::min();
  absl::StatusOr<Tensor> add =
      Run(ops::Add, MakeTensor<int32_t>({2}, {max32, min32}), MakeTensor<int32_t>({2}, {1, -1}));
  ASSERT_TRUE(add.ok()) << add.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*add, {2}, {min32, max32}));
  absl::StatusOr<Tensor> mul = Run(ops::Mul, MakeTensor<int32_t>({}, {65536}),
                                   MakeTensor<int32_t>({}, {65536}));
  ASSERT_TRUE(mul.ok()) << mul.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*mul, {}, {0}));
}

TEST_F(CwiseBinaryKernelsTest, EmptyOperands) {
  absl::StatusOr<Tensor> row = Run(ops::Add, MakeTensor<float>({0, 3}, {}),
                                   MakeTensor<float>({3}, {1, 2, 3}));
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_TRUE(TensorEquals<float>(*row, {0, 3}, {}));
  absl::StatusOr<Tensor> bcast = Run(ops::Mul, MakeTensor<double>({2, 1}, {1, 2}),
                                     MakeTensor<double>({0}, {}));
  ASSERT_TRUE(bcast.ok()) << bcast.status();
  EXPECT_TRUE(TensorEquals<double>(*bcast, {2, 0}, {}));
}

TEST_F(CwiseBinaryKernelsTest, RunTimeIncompatibleShapes) {
  EXPECT_TRUE(HasError(Run(ops::Add, MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}),
                           MakeTensor<float>({2}, {1, 2})),
                       absl::StatusCode::kInvalidArgument,
                       "Dimensions must be equal, but are 3 and 2"));
}

}  // namespace
}  // namespace rill

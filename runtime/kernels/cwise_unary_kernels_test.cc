#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "graph/scope.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/math_ops.h"
#include "ops/nn_ops.h"
#include "ops/op_registry.h"
#include "runtime/kernels/kernel_test_util.h"

namespace rill {
namespace {

using ::rill::testing::MakeTensor;
using ::rill::testing::RunKernel;
using ::rill::testing::TensorEquals;
using ::rill::testing::TensorNear;
using ::rill::testing::Values;

using UnaryBuilder = Output (*)(const Scope&, Output);

class CwiseUnaryKernelsTest : public ::testing::Test {
 protected:
  absl::StatusOr<Tensor> Run(UnaryBuilder op, const Tensor& x) {
    Output p = ops::Placeholder(root_.WithOpName("x"), x.dtype());
    Output y = op(root_, p);
    if (!root_.ok()) return root_.status();
    return RunKernel(y, {{p.node, x}});
  }

  Scope root_ = Scope::NewRootScope(&GlobalOpRegistry());
};

// sigmoid(x) = 1 / (1 + e^-x): sigmoid(1) = 0.7310585786300049,
// sigmoid(-1) = 0.2689414213699951, sigmoid(20) = 1 - 2.06e-9 (1 in float),
// sigmoid(-20) = 2.0611536181902037e-09.
TEST_F(CwiseUnaryKernelsTest, SigmoidFloat) {
  absl::StatusOr<Tensor> out =
      Run(ops::Sigmoid, MakeTensor<float>({6}, {0, 1, -1, 20, -20, -100}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorNear<float>(*out, {6},
                                {0.5f, 0.7310585786f, 0.2689414214f, 1.f, 2.0611536e-9f, 0.f},
                                1e-6));
  for (float v : Values<float>(*out)) {
    EXPECT_FALSE(std::isnan(v));
    EXPECT_GE(v, 0.f);
    EXPECT_LE(v, 1.f);
  }
  EXPECT_NEAR(Values<float>(*out)[4], 2.0611536e-9f, 1e-12);  // Not flushed to 0.
}

TEST_F(CwiseUnaryKernelsTest, SigmoidDoubleSaturates) {
  absl::StatusOr<Tensor> out =
      Run(ops::Sigmoid, MakeTensor<double>({5}, {0, 1, -20, 800, -800}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorNear<double>(*out, {5},
                                 {0.5, 0.7310585786300049, 2.0611536181902037e-09, 1, 0},
                                 1e-15));
}

// tanh(1) = 0.7615941559557649; tanh(20) = 1 - 8.5e-18.
TEST_F(CwiseUnaryKernelsTest, TanhFloat) {
  absl::StatusOr<Tensor> out =
      Run(ops::Tanh, MakeTensor<float>({7}, {0, 1, -1, 20, -20, 1000, -1000}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorNear<float>(*out, {7},
                                {0.f, 0.7615941560f, -0.7615941560f, 1.f, -1.f, 1.f, -1.f},
                                1e-6));
  for (float v : Values<float>(*out)) {
    EXPECT_FALSE(std::isnan(v));
    EXPECT_LE(std::abs(v), 1.f);
  }
}

TEST_F(CwiseUnaryKernelsTest, TanhDouble) {
  absl::StatusOr<Tensor> out = Run(ops::Tanh, MakeTensor<double>({4}, {0, 0.5, -20, 1e6}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorNear<double>(*out, {4}, {0, 0.46211715726000974, -1, 1}, 1e-15));
}

// Odd lengths exercise Eigen's packet loop and scalar tail together.
TEST_F(CwiseUnaryKernelsTest, SigmoidLongVectorMatchesFormula) {
  std::vector<float> x(37);
  for (size_t i = 0; i < x.size(); ++i) x[i] = -9.f + 0.5f * static_cast<float>(i);
  absl::StatusOr<Tensor> out = Run(ops::Sigmoid, MakeTensor<float>({37}, x));
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<float> expected;
  for (float v : x) expected.push_back(static_cast<float>(1.0 / (1.0 + std::exp(-double{v}))));
  EXPECT_TRUE(TensorNear<float>(*out, {37}, expected, 1e-6));
}

TEST_F(CwiseUnaryKernelsTest, ReluAllTypes) {
  absl::StatusOr<Tensor> f = Run(ops::Relu, MakeTensor<float>({2, 2}, {-1.5f, 0.f, 2.5f, -0.f}));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(TensorEquals<float>(*f, {2, 2}, {0, 0, 2.5f, 0}));
  absl::StatusOr<Tensor> d = Run(ops::Relu, MakeTensor<double>({3}, {-1e300, 1e300, 3}));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_TRUE(TensorEquals<double>(*d, {3}, {0, 1e300, 3}));
  absl::StatusOr<Tensor> i32 = Run(
      ops::Relu, MakeTensor<int32_t>({3}, {std::numeric_limits<int32_t>::min(), 0, 9}));
  ASSERT_TRUE(i32.ok()) << i32.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*i32, {3}, {0, 0, 9}));
  absl::StatusOr<Tensor> i64 = Run(ops::Relu, MakeTensor<int64_t>({2}, {-7, int64_t{1} << 50}));
  ASSERT_TRUE(i64.ok()) << i64.status();
  EXPECT_TRUE(TensorEquals<int64_t>(*i64, {2}, {0, int64_t{1} << 50}));
}

TEST_F(CwiseUnaryKernelsTest, EmptyAndScalar) {
  absl::StatusOr<Tensor> e = Run(ops::Tanh, MakeTensor<float>({0, 3}, {}));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_TRUE(TensorEquals<float>(*e, {0, 3}, {}));
  absl::StatusOr<Tensor> s = Run(ops::Relu, MakeTensor<int32_t>({}, {-3}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*s, {}, {0}));
}

TEST_F(CwiseUnaryKernelsTest, Int32SigmoidHasNoKernel) {
  // Sigmoid's OpDef rejects int32 before any kernel is looked up.
  Output p = ops::Placeholder(root_.WithOpName("x"), DT_INT32);
  ops::Sigmoid(root_, p);
  EXPECT_EQ(root_.status().code(), absl::StatusCode::kInvalidArgument) << root_.status();
}

}  // namespace
}  // namespace rill

#include <vector>

#include "graph/scope.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/op_registry.h"
#include "runtime/kernels/kernel_test_util.h"

namespace rill {
namespace {

using ::rill::testing::HasError;
using ::rill::testing::MakeTensor;
using ::rill::testing::RunKernel;
using ::rill::testing::RunNode;
using ::rill::testing::TensorEquals;

class PlaceholderKernelsTest : public ::testing::Test {
 protected:
  Scope root_ = Scope::NewRootScope(&GlobalOpRegistry());
};

TEST_F(PlaceholderKernelsTest, UnfedPlaceholderNamesDtypeAndShape) {
  Output x = ops::Placeholder(root_.WithOpName("x"), DT_FLOAT, TensorShape({-1, 3}));
  ASSERT_TRUE(root_.ok()) << root_.status();
  absl::StatusOr<Tensor> out = RunKernel(x);
  ASSERT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "You must feed a value for placeholder tensor 'x' with dtype float and shape [?,3]");
}

TEST_F(PlaceholderKernelsTest, UnfedPlaceholderOfUnknownRankNamesOnlyDtype) {
  Output y = ops::Placeholder(root_.WithOpName("y"), DT_INT32);
  ASSERT_TRUE(root_.ok()) << root_.status();
  absl::StatusOr<Tensor> out = RunKernel(y);
  ASSERT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "You must feed a value for placeholder tensor 'y' with dtype int32");
}

// TensorFlow's PlaceholderOp prints the shape only when dims() > 0, so a
// scalar placeholder's message has no shape either.
TEST_F(PlaceholderKernelsTest, UnfedScalarPlaceholderNamesOnlyDtype) {
  Output s = ops::Placeholder(root_.WithOpName("rnn/s"), DT_DOUBLE, TensorShape({}));
  ASSERT_TRUE(root_.ok()) << root_.status();
  absl::StatusOr<Tensor> out = RunKernel(s);
  ASSERT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "You must feed a value for placeholder tensor 'rnn/s' with dtype double");
}

TEST_F(PlaceholderKernelsTest, UnfedPlaceholderFailsItsConsumer) {
  Output x = ops::Placeholder(root_.WithOpName("x"), DT_FLOAT, TensorShape({2}));
  Output id = ops::Identity(root_, x);
  ASSERT_TRUE(root_.ok()) << root_.status();
  EXPECT_TRUE(HasError(RunKernel(id), absl::StatusCode::kInvalidArgument,
                       "placeholder tensor 'x' with dtype float and shape [2]"));
}

TEST_F(PlaceholderKernelsTest, IdentityForwardsFedValueWithoutCopy) {
  Output x = ops::Placeholder(root_.WithOpName("x"), DT_INT64, TensorShape({-1}));
  Output id = ops::Identity(root_, x);
  ASSERT_TRUE(root_.ok()) << root_.status();
  const Tensor fed = MakeTensor<int64_t>({3}, {7, -8, int64_t{1} << 40});
  absl::StatusOr<Tensor> out = RunKernel(id, {{x.node, fed}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<int64_t>(*out, {3}, {7, -8, int64_t{1} << 40}));
  EXPECT_TRUE(out->SharesBufferWith(fed));
}

TEST_F(PlaceholderKernelsTest, IdentityOfBoolAndEmptyTensors) {
  Output b = ops::Placeholder(root_.WithOpName("b"), DT_BOOL);
  Output e = ops::Placeholder(root_.WithOpName("e"), DT_DOUBLE, TensorShape({0, 4}));
  Output idb = ops::Identity(root_, b);
  Output ide = ops::Identity(root_, e);
  ASSERT_TRUE(root_.ok()) << root_.status();
  absl::StatusOr<Tensor> outb = RunKernel(idb, {{b.node, MakeTensor<bool>({2}, {true, false})}});
  ASSERT_TRUE(outb.ok()) << outb.status();
  EXPECT_TRUE(TensorEquals<bool>(*outb, {2}, {true, false}));
  absl::StatusOr<Tensor> oute = RunKernel(ide, {{e.node, MakeTensor<double>({0, 4}, {})}});
  ASSERT_TRUE(oute.ok()) << oute.status();
  EXPECT_TRUE(TensorEquals<double>(*oute, {0, 4}, {}));
}

TEST_F(PlaceholderKernelsTest, ConstSharesItsBufferOnEveryRun) {
  Output c = ops::Const(root_, {1.5f, -2.f, 3.25f, 0.f}, TensorShape({2, 2}));
  ASSERT_TRUE(root_.ok()) << root_.status();
  ASSERT_NE(c.node->const_value(), nullptr);
  absl::StatusOr<Tensor> first = RunKernel(c);
  absl::StatusOr<Tensor> second = RunKernel(c);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(TensorEquals<float>(*first, {2, 2}, {1.5f, -2.f, 3.25f, 0.f}));
  EXPECT_TRUE(first->SharesBufferWith(*c.node->const_value()));
  EXPECT_TRUE(second->SharesBufferWith(*first));
}

TEST_F(PlaceholderKernelsTest, ConstOfInt32AndBool) {
  Output i = ops::ConstInt32(root_, {4, -5, 6}, TensorShape({3}));
  Output b = ops::Const(root_, MakeTensor<bool>({1, 2}, {false, true}));
  ASSERT_TRUE(root_.ok()) << root_.status();
  absl::StatusOr<Tensor> outi = RunKernel(i);
  absl::StatusOr<Tensor> outb = RunKernel(b);
  ASSERT_TRUE(outi.ok()) << outi.status();
  ASSERT_TRUE(outb.ok()) << outb.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*outi, {3}, {4, -5, 6}));
  EXPECT_TRUE(TensorEquals<bool>(*outb, {1, 2}, {false, true}));
}

TEST_F(PlaceholderKernelsTest, PlaceholderWithDefaultForwardsDefault) {
  Output c = ops::Const(root_, {1.f, 2.f, 3.f}, TensorShape({1, 3}));
  Output p = ops::PlaceholderWithDefault(root_, c, TensorShape({-1, 3}));
  ASSERT_TRUE(root_.ok()) << root_.status();
  absl::StatusOr<Tensor> out = RunKernel(p);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {1, 3}, {1.f, 2.f, 3.f}));
  EXPECT_TRUE(out->SharesBufferWith(*c.node->const_value()));
}

TEST_F(PlaceholderKernelsTest, NoOpHasNoOutputs) {
  Node* n = ops::NoOp(root_.WithOpName("init"));
  ASSERT_TRUE(root_.ok()) << root_.status();
  absl::StatusOr<std::vector<Tensor>> out = RunNode(*n);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(out->empty());
}

}  // namespace
}  // namespace rill

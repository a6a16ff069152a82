#include "graph/scope.h"

#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/math_ops.h"
#include "ops/nn_ops.h"
#include "ops/op_registry.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

TEST(ScopeTest, OpNamesAreUniquifiedLikeTensorFlow) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root, DT_FLOAT, TensorShape({2, 2}));
  EXPECT_EQ(x.node->name(), "Placeholder");
  Output m0 = ops::MatMul(root, x, x);
  Output m1 = ops::MatMul(root, x, x);
  EXPECT_EQ(m0.node->name(), "MatMul");
  EXPECT_EQ(m1.node->name(), "MatMul_1");
  EXPECT_EQ(ops::Mul(root, x, x).node->name(), "mul");
  EXPECT_EQ(ops::Mul(root, x, x).node->name(), "mul_1");
  EXPECT_EQ(ops::AddV2(root, x, x).node->name(), "add");
  RILL_EXPECT_OK(root.status());
}

TEST(ScopeTest, SubScopesNestAndUniquify) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Scope rnn = root.NewSubScope("rnn");
  Scope cell = rnn.NewSubScope("gru_cell");
  EXPECT_EQ(cell.name_scope(), "rnn/gru_cell");
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({1, 2}));
  EXPECT_EQ(ops::Sigmoid(cell, x).node->name(), "rnn/gru_cell/Sigmoid");
  EXPECT_EQ(root.NewSubScope("rnn").name_scope(), "rnn_1");
  // A trailing '/' re-enters an absolute scope without renaming it.
  Scope again = root.NewSubScope("rnn/gru_cell/");
  EXPECT_EQ(ops::Sigmoid(again, x).node->name(), "rnn/gru_cell/Sigmoid_1");
  EXPECT_EQ(ops::Tanh(cell.WithOpName("out"), x).node->name(), "rnn/gru_cell/out");
}

TEST(ScopeTest, HelperConstantsNestUnderTheirOp) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Scope cell = root.NewSubScope("cell");
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({1, 2}));
  Output c = ops::Concat(cell, {x, x}, 1);
  EXPECT_EQ(c.node->name(), "cell/concat");
  EXPECT_EQ(c.node->input(2).node->name(), "cell/concat/axis");
  EXPECT_EQ(c.shape(), TensorShape({1, 4}));
  std::vector<Output> parts = ops::Split(cell, 1, c, 2);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1].name(), "cell/split:1");
  EXPECT_EQ(parts[0].node->input(0).node->name(), "cell/split/split_dim");
  EXPECT_EQ(parts[0].shape(), TensorShape({1, 2}));
  Output s = ops::SubFromScalar(cell, 1.0f, parts[1]);
  EXPECT_EQ(s.node->name(), "cell/sub");
  EXPECT_EQ(s.node->input(0).node->name(), "cell/sub/x");
  EXPECT_EQ(ops::Concat(cell, {x, x}, 0).node->name(), "cell/concat_1");
  RILL_EXPECT_OK(root.status());
}

TEST(ScopeTest, StickyStatusKeepsTheFirstError) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output a = ops::Placeholder(root, DT_FLOAT, TensorShape({2, 3}));
  Output b = ops::Placeholder(root, DT_FLOAT, TensorShape({4, 5}));
  Output bad = ops::MatMul(root, a, b);
  EXPECT_FALSE(bad.valid());
  Output later = ops::Tanh(root.NewSubScope("s"), a);
  EXPECT_FALSE(later.valid());
  EXPECT_TRUE(HasError(root.status(), absl::StatusCode::kInvalidArgument,
                       "Dimensions must be equal, but are 3 and 4"));
}

TEST(ScopeTest, ControlDependenciesAndDevice) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Node* first = ops::NoOp(root);
  Output x = ops::Placeholder(root, DT_FLOAT, TensorShape({1}));
  Output y = ops::Identity(root.WithControlDependencies({first}).WithDevice("/cpu:0"), x);
  ASSERT_EQ(y.node->control_inputs().size(), 1u);
  EXPECT_EQ(y.node->control_inputs()[0], first);
  EXPECT_EQ(y.node->device(), "/cpu:0");
}

TEST(ScopeTest, ShapeFoldingGivesFillAStaticShape) {
  // zero_state builds Fill(ConcatV2(Const, Const)): the folded shape vector
  // gives the Fill a static shape, as in TensorFlow.
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output batch = ops::ConstInt32(root, {4}, TensorShape({1}));
  Output units = ops::ConstInt32(root, {3}, TensorShape({1}));
  Output dims = ops::Concat(root, {batch, units}, 0);
  ASSERT_NE(dims.node->const_value(), nullptr);
  Output zeros = ops::Fill(root, dims, ops::Const(root, 0.0f));
  EXPECT_EQ(zeros.shape(), TensorShape({4, 3}));
  Output x = ops::Placeholder(root, DT_FLOAT, TensorShape({2, 5}));
  Output shape = ops::Shape(root, x);
  ASSERT_NE(shape.node->const_value(), nullptr);
  EXPECT_EQ(shape.node->const_value()->DebugString(), "int32 [2] {2, 5}");
  Output r = ops::Reshape(root, x, ops::ConstInt32(root, {-1}, TensorShape({1})));
  EXPECT_EQ(r.shape(), TensorShape({10}));
  RILL_EXPECT_OK(root.status());
}

}  // namespace
}  // namespace rill

#include <cstdint>
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
using ::rill::testing::TensorEquals;

class ArrayKernelsTest : public ::testing::Test {
 protected:
  Scope root_ = Scope::NewRootScope(&GlobalOpRegistry());
};

TEST_F(ArrayKernelsTest, FillFloatFromConstDims) {
  Output dims = ops::ConstInt32(root_, {2, 3}, TensorShape({2}));
  Output out = ops::Fill(root_, dims, ops::Const(root_, 1.5f));
  ASSERT_TRUE(root_.ok()) << root_.status();
  absl::StatusOr<Tensor> t = RunKernel(out);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(TensorEquals<float>(*t, {2, 3}, {1.5f, 1.5f, 1.5f, 1.5f, 1.5f, 1.5f}));
}

TEST_F(ArrayKernelsTest, FillWithFedInt64DimsAndEveryValueType) {
  Output dims = ops::Placeholder(root_.WithOpName("dims"), DT_INT64);
  Output b = ops::Fill(root_, dims, ops::Const(root_, Tensor::Scalar<bool>(true)));
  Output i = ops::Fill(root_, dims, ops::Const(root_, Tensor::Scalar<int64_t>(-(int64_t{1} << 40))));
  Output d = ops::Fill(root_, dims, ops::Const(root_, Tensor::Scalar<double>(0.25)));
  Output s = ops::Fill(root_, dims, ops::Const(root_, Tensor::Scalar<int32_t>(7)));
  ASSERT_TRUE(root_.ok()) << root_.status();
  const Tensor shape = MakeTensor<int64_t>({2}, {1, 2});
  absl::StatusOr<Tensor> tb = RunKernel(b, {{dims.node, shape}});
  absl::StatusOr<Tensor> ti = RunKernel(i, {{dims.node, shape}});
  absl::StatusOr<Tensor> td = RunKernel(d, {{dims.node, shape}});
  absl::StatusOr<Tensor> ts = RunKernel(s, {{dims.node, shape}});
  ASSERT_TRUE(tb.ok() && ti.ok() && td.ok() && ts.ok());
  EXPECT_TRUE(TensorEquals<bool>(*tb, {1, 2}, {true, true}));
  EXPECT_TRUE(TensorEquals<int64_t>(*ti, {1, 2}, {-(int64_t{1} << 40), -(int64_t{1} << 40)}));
  EXPECT_TRUE(TensorEquals<double>(*td, {1, 2}, {0.25, 0.25}));
  EXPECT_TRUE(TensorEquals<int32_t>(*ts, {1, 2}, {7, 7}));
}

TEST_F(ArrayKernelsTest, FillEmptyAndScalar) {
  Output empty = ops::Fill(root_, ops::ConstInt32(root_, {3, 0}, TensorShape({2})),
                           ops::Const(root_, 2.f));
  Output scalar = ops::Fill(root_, ops::ConstInt32(root_, {}, TensorShape({0})),
                            ops::Const(root_, 2.f));
  ASSERT_TRUE(root_.ok()) << root_.status();
  absl::StatusOr<Tensor> e = RunKernel(empty);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_TRUE(TensorEquals<float>(*e, {3, 0}, {}));
  absl::StatusOr<Tensor> s = RunKernel(scalar);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(TensorEquals<float>(*s, {}, {2.f}));
}

TEST_F(ArrayKernelsTest, FillNegativeFedDimIsInvalidArgument) {
  Output dims = ops::Placeholder(root_.WithOpName("dims"), DT_INT32);
  Output out = ops::Fill(root_, dims, ops::Const(root_, 1.f));
  ASSERT_TRUE(root_.ok()) << root_.status();
  EXPECT_TRUE(HasError(RunKernel(out, {{dims.node, MakeTensor<int32_t>({2}, {2, -1})}}),
                       absl::StatusCode::kInvalidArgument, "must be >= 0"));
}

TEST_F(ArrayKernelsTest, ReshapeInfersMinusOneAndSharesBuffer) {
  Output x = ops::Placeholder(root_.WithOpName("x"), DT_FLOAT);
  Output out = ops::Reshape(root_, x, ops::ConstInt32(root_, {3, -1}, TensorShape({2})));
  ASSERT_TRUE(root_.ok()) << root_.status();
  const Tensor value = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  absl::StatusOr<Tensor> t = RunKernel(out, {{x.node, value}});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(TensorEquals<float>(*t, {3, 2}, {1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(t->SharesBufferWith(value));
}

TEST_F(ArrayKernelsTest, ReshapeOtherTypesAndEmpty) {
  Output b = ops::Placeholder(root_.WithOpName("b"), DT_BOOL);
  Output to_scalar = ops::Reshape(root_, b, ops::ConstInt32(root_, {}, TensorShape({0})));
  Output i = ops::Placeholder(root_.WithOpName("i"), DT_INT64);
  Output shape64 = ops::Const(root_, MakeTensor<int64_t>({3}, {-1, 1, 3}));
  Output to_3d = ops::Reshape(root_, i, shape64);
  ASSERT_TRUE(root_.ok()) << root_.status();
  absl::StatusOr<Tensor> s = RunKernel(to_scalar, {{b.node, MakeTensor<bool>({1, 1}, {true})}});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(TensorEquals<bool>(*s, {}, {true}));
  absl::StatusOr<Tensor> e = RunKernel(to_3d, {{i.node, MakeTensor<int64_t>({0, 3}, {})}});
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_TRUE(TensorEquals<int64_t>(*e, {0, 1, 3}, {}));
}

TEST_F(ArrayKernelsTest, ReshapeRunTimeElementCountMismatch) {
  Output x = ops::Placeholder(root_.WithOpName("x"), DT_INT32);
  Output out = ops::Reshape(root_, x, ops::ConstInt32(root_, {4, -1}, TensorShape({2})));
  ASSERT_TRUE(root_.ok()) << root_.status();
  EXPECT_TRUE(HasError(RunKernel(out, {{x.node, MakeTensor<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6})}}),
                       absl::StatusCode::kInvalidArgument, "tensor with 6"));
}

TEST_F(ArrayKernelsTest, ShapeInt32AndInt64) {
  Output x = ops::Placeholder(root_.WithOpName("x"), DT_DOUBLE);
  Output s32 = ops::Shape(root_, x, DT_INT32);
  Output s64 = ops::Shape(root_, x, DT_INT64);
  ASSERT_TRUE(root_.ok()) << root_.status();
  const Tensor value = MakeTensor<double>({2, 0, 5}, {});
  absl::StatusOr<Tensor> t32 = RunKernel(s32, {{x.node, value}});
  absl::StatusOr<Tensor> t64 = RunKernel(s64, {{x.node, value}});
  ASSERT_TRUE(t32.ok()) << t32.status();
  ASSERT_TRUE(t64.ok()) << t64.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*t32, {3}, {2, 0, 5}));
  EXPECT_TRUE(TensorEquals<int64_t>(*t64, {3}, {2, 0, 5}));
}

TEST_F(ArrayKernelsTest, ShapeOfScalarIsEmptyVector) {
  Output x = ops::Placeholder(root_.WithOpName("x"), DT_BOOL);
  Output s = ops::Shape(root_, x);
  ASSERT_TRUE(root_.ok()) << root_.status();
  absl::StatusOr<Tensor> t = RunKernel(s, {{x.node, MakeTensor<bool>({}, {false})}});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*t, {0}, {}));
}

}  // namespace
}  // namespace rill

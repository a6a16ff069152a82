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
using ::rill::testing::KernelFeeds;
using ::rill::testing::MakeTensor;
using ::rill::testing::RunKernel;
using ::rill::testing::RunNode;
using ::rill::testing::TensorEquals;

class ConcatSplitKernelsTest : public ::testing::Test {
 protected:
  // ConcatV2 of placeholders of unknown shape fed with `values`, with a
  // constant int32 axis.
  absl::StatusOr<Tensor> Concat(const std::vector<Tensor>& values, int axis) {
    std::vector<Output> inputs;
    KernelFeeds feeds;
    for (const Tensor& v : values) {
      inputs.push_back(ops::Placeholder(root_, v.dtype()));
      feeds[inputs.back().node] = v;
    }
    Output out = ops::Concat(root_, inputs, axis);
    if (!root_.ok()) return root_.status();
    return RunKernel(out, feeds);
  }

  // Split of a placeholder fed with `value`.
  absl::StatusOr<std::vector<Tensor>> Split(const Tensor& value, int axis, int num_split) {
    Output p = ops::Placeholder(root_, value.dtype());
    std::vector<Output> outs = ops::Split(root_, axis, p, num_split);
    if (!root_.ok()) return root_.status();
    return RunNode(*outs[0].node, {{p.node, value}});
  }

  Scope root_ = Scope::NewRootScope(&GlobalOpRegistry());
};

TEST_F(ConcatSplitKernelsTest, ConcatAxis0Float) {
  absl::StatusOr<Tensor> out = Concat(
      {MakeTensor<float>({1, 2}, {1, 2}), MakeTensor<float>({2, 2}, {3, 4, 5, 6})}, 0);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {3, 2}, {1, 2, 3, 4, 5, 6}));
}

TEST_F(ConcatSplitKernelsTest, ConcatAxis1Int32) {
  // [[1],[2]] ++ [[3,4],[5,6]] along columns = [[1,3,4],[2,5,6]].
  absl::StatusOr<Tensor> out = Concat(
      {MakeTensor<int32_t>({2, 1}, {1, 2}), MakeTensor<int32_t>({2, 2}, {3, 4, 5, 6})}, 1);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*out, {2, 3}, {1, 3, 4, 2, 5, 6}));
}

TEST_F(ConcatSplitKernelsTest, ConcatNegativeAxisBoolThreeInputs) {
  // Axis -1 of rank-3 values is axis 2: each [i,j] row is a ++ b ++ c.
  absl::StatusOr<Tensor> out = Concat({MakeTensor<bool>({2, 1, 1}, {true, false}),
                                       MakeTensor<bool>({2, 1, 2}, {false, true, true, true}),
                                       MakeTensor<bool>({2, 1, 1}, {false, false})},
                                      -1);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<bool>(*out, {2, 1, 4},
                                 {true, false, true, false, false, true, true, false}));
}

TEST_F(ConcatSplitKernelsTest, ConcatInt64AxisAndDoubleValues) {
  Output a = ops::Const(root_, MakeTensor<double>({2, 1}, {1.5, 2.5}));
  Output b = ops::Const(root_, MakeTensor<double>({2, 1}, {-1, -2}));
  Output axis = ops::Const(root_, Tensor::Scalar<int64_t>(-1));
  Output out = ops::ConcatV2(root_, {a, b}, axis);
  ASSERT_TRUE(root_.ok()) << root_.status();
  absl::StatusOr<Tensor> t = RunKernel(out);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(TensorEquals<double>(*t, {2, 2}, {1.5, -1, 2.5, -2}));
}

TEST_F(ConcatSplitKernelsTest, ConcatWithEmptyInputs) {
  absl::StatusOr<Tensor> out = Concat({MakeTensor<int64_t>({2, 0}, {}),
                                       MakeTensor<int64_t>({2, 2}, {1, 2, 3, 4}),
                                       MakeTensor<int64_t>({2, 0}, {})},
                                      1);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<int64_t>(*out, {2, 2}, {1, 2, 3, 4}));
  absl::StatusOr<Tensor> all_empty =
      Concat({MakeTensor<float>({0, 3}, {}), MakeTensor<float>({0, 3}, {})}, 0);
  ASSERT_TRUE(all_empty.ok()) << all_empty.status();
  EXPECT_TRUE(TensorEquals<float>(*all_empty, {0, 3}, {}));
}

TEST_F(ConcatSplitKernelsTest, ConcatRunTimeMismatch) {
  EXPECT_TRUE(HasError(
      Concat({MakeTensor<float>({1, 2}, {1, 2}), MakeTensor<float>({1, 3}, {3, 4, 5})}, 0),
      absl::StatusCode::kInvalidArgument, ""));
}

TEST_F(ConcatSplitKernelsTest, SplitInTwoAlongAxis0) {
  absl::StatusOr<std::vector<Tensor>> out =
      Split(MakeTensor<float>({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8}), 0, 2);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_TRUE(TensorEquals<float>((*out)[0], {2, 2}, {1, 2, 3, 4}));
  EXPECT_TRUE(TensorEquals<float>((*out)[1], {2, 2}, {5, 6, 7, 8}));
}

TEST_F(ConcatSplitKernelsTest, SplitInThreeAlongAxis1Int32) {
  // [[0..5],[6..11]] into column pairs.
  absl::StatusOr<std::vector<Tensor>> out =
      Split(MakeTensor<int32_t>({2, 6}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}), 1, 3);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 3u);
  EXPECT_TRUE(TensorEquals<int32_t>((*out)[0], {2, 2}, {0, 1, 6, 7}));
  EXPECT_TRUE(TensorEquals<int32_t>((*out)[1], {2, 2}, {2, 3, 8, 9}));
  EXPECT_TRUE(TensorEquals<int32_t>((*out)[2], {2, 2}, {4, 5, 10, 11}));
}

TEST_F(ConcatSplitKernelsTest, SplitNegativeAxisBoolAndInt64) {
  absl::StatusOr<std::vector<Tensor>> b =
      Split(MakeTensor<bool>({2, 2}, {true, false, false, true}), -1, 2);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE(TensorEquals<bool>((*b)[0], {2, 1}, {true, false}));
  EXPECT_TRUE(TensorEquals<bool>((*b)[1], {2, 1}, {false, true}));
  absl::StatusOr<std::vector<Tensor>> i =
      Split(MakeTensor<int64_t>({3}, {int64_t{1} << 40, -1, 7}), 0, 3);
  ASSERT_TRUE(i.ok()) << i.status();
  EXPECT_TRUE(TensorEquals<int64_t>((*i)[0], {1}, {int64_t{1} << 40}));
  EXPECT_TRUE(TensorEquals<int64_t>((*i)[2], {1}, {7}));
}

TEST_F(ConcatSplitKernelsTest, SplitIntoOneForwardsValue) {
  const Tensor value = MakeTensor<double>({2}, {1, 2});
  absl::StatusOr<std::vector<Tensor>> out = Split(value, 0, 1);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<double>((*out)[0], {2}, {1, 2}));
  EXPECT_TRUE((*out)[0].SharesBufferWith(value));
}

TEST_F(ConcatSplitKernelsTest, SplitEmptyValue) {
  absl::StatusOr<std::vector<Tensor>> out = Split(MakeTensor<float>({0, 4}, {}), 1, 2);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>((*out)[0], {0, 2}, {}));
  EXPECT_TRUE(TensorEquals<float>((*out)[1], {0, 2}, {}));
}

TEST_F(ConcatSplitKernelsTest, SplitRunTimeUnevenIsInvalidArgument) {
  EXPECT_TRUE(HasError(Split(MakeTensor<float>({3, 2}, {1, 2, 3, 4, 5, 6}), 0, 2),
                       absl::StatusCode::kInvalidArgument, "evenly divide"));
}

TEST_F(ConcatSplitKernelsTest, SplitThenConcatRoundTrips) {
  Output p = ops::Placeholder(root_, DT_FLOAT);
  std::vector<Output> parts = ops::Split(root_, 1, p, 2);
  Output back = ops::Concat(root_, {parts[1], parts[0]}, 1);
  ASSERT_TRUE(root_.ok()) << root_.status();
  absl::StatusOr<Tensor> out =
      RunKernel(back, {{p.node, MakeTensor<float>({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {2, 4}, {3, 4, 1, 2, 7, 8, 5, 6}));
}

}  // namespace
}  // namespace rill

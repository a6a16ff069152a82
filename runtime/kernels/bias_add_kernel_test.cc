#include <cstdint>
#include <string>
#include <vector>

#include "graph/scope.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/nn_ops.h"
#include "ops/op_registry.h"
#include "runtime/kernels/kernel_test_util.h"

namespace rill {
namespace {

using ::rill::testing::MakeTensor;
using ::rill::testing::RunKernel;
using ::rill::testing::TensorEquals;

class BiasAddKernelTest : public ::testing::Test {
 protected:
  absl::StatusOr<Tensor> Run(const Tensor& value, const Tensor& bias,
                             const std::string& format) {
    Output v = ops::Placeholder(root_.WithOpName("value"), value.dtype());
    Output b = ops::Placeholder(root_.WithOpName("bias"), bias.dtype());
    Output out = ops::BiasAdd(root_, v, b, format);
    if (!root_.ok()) return root_.status();
    return RunKernel(out, {{v.node, value}, {b.node, bias}});
  }

  Scope root_ = Scope::NewRootScope(&GlobalOpRegistry());
};

TEST_F(BiasAddKernelTest, NhwcMatrixFloat) {
  // Row r, column c gets bias[c].
  absl::StatusOr<Tensor> out = Run(MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}),
                                   MakeTensor<float>({3}, {10, 20, 30}), "NHWC");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {2, 3}, {11, 22, 33, 14, 25, 36}));
}

TEST_F(BiasAddKernelTest, NhwcRank4Double) {
  // [N=1,H=2,W=1,C=2]: channel alternates fastest.
  absl::StatusOr<Tensor> out = Run(MakeTensor<double>({1, 2, 1, 2}, {1, 2, 3, 4}),
                                   MakeTensor<double>({2}, {0.5, -0.25}), "NHWC");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<double>(*out, {1, 2, 1, 2}, {1.5, 1.75, 3.5, 3.75}));
}

TEST_F(BiasAddKernelTest, NhwcInt64) {
  absl::StatusOr<Tensor> out =
      Run(MakeTensor<int64_t>({2, 2}, {int64_t{1} << 40, 0, -5, 7}),
          MakeTensor<int64_t>({2}, {1, -(int64_t{1} << 41)}), "NHWC");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<int64_t>(
      *out, {2, 2}, {(int64_t{1} << 40) + 1, -(int64_t{1} << 41), -4, 7 - (int64_t{1} << 41)}));
}

TEST_F(BiasAddKernelTest, NchwRank4Float) {
  // [N=1,C=2,H=2,W=2] = 0..7: channel 0 is elements 0..3, channel 1 is 4..7.
  absl::StatusOr<Tensor> out = Run(MakeTensor<float>({1, 2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7}),
                                   MakeTensor<float>({2}, {10, -10}), "NCHW");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<float>(*out, {1, 2, 2, 2}, {10, 11, 12, 13, -6, -5, -4, -3}));
}

TEST_F(BiasAddKernelTest, NchwBatchOfTwoInt32) {
  // [N=2,C=2,H=1,W=1]: each batch element repeats the channel pattern.
  absl::StatusOr<Tensor> out = Run(MakeTensor<int32_t>({2, 2, 1, 1}, {1, 2, 3, 4}),
                                   MakeTensor<int32_t>({2}, {10, 20}), "NCHW");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<int32_t>(*out, {2, 2, 1, 1}, {11, 22, 13, 24}));
}

TEST_F(BiasAddKernelTest, NchwRank3UsesFirstDimension) {
  // [C=2,H=1,W=3]: the channel dimension is rank-3 = 0.
  absl::StatusOr<Tensor> out = Run(MakeTensor<double>({2, 1, 3}, {1, 2, 3, 4, 5, 6}),
                                   MakeTensor<double>({2}, {100, 200}), "NCHW");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(TensorEquals<double>(*out, {2, 1, 3}, {101, 102, 103, 204, 205, 206}));
}

TEST_F(BiasAddKernelTest, EmptyValue) {
  absl::StatusOr<Tensor> nhwc =
      Run(MakeTensor<float>({0, 3}, {}), MakeTensor<float>({3}, {1, 2, 3}), "NHWC");
  ASSERT_TRUE(nhwc.ok()) << nhwc.status();
  EXPECT_TRUE(TensorEquals<float>(*nhwc, {0, 3}, {}));
  absl::StatusOr<Tensor> nchw =
      Run(MakeTensor<float>({2, 0, 4, 4}, {}), MakeTensor<float>({0}, {}), "NCHW");
  ASSERT_TRUE(nchw.ok()) << nchw.status();
  EXPECT_TRUE(TensorEquals<float>(*nchw, {2, 0, 4, 4}, {}));
}

TEST_F(BiasAddKernelTest, RunTimeChannelMismatch) {
  absl::StatusOr<Tensor> out =
      Run(MakeTensor<float>({1, 3}, {1, 2, 3}), MakeTensor<float>({2}, {1, 2}), "NHWC");
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
}

}  // namespace
}  // namespace rill

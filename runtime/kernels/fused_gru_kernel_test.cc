// CheckGruInputShapes: the fused GRU kernels' run-time shape checks, with
// the exact texts a caller sees for each wrong input; the sequence kernel
// with no units (an imported graph can have them).
#include "runtime/kernels/fused_gru_kernel.h"

#define EIGEN_USE_THREADS

#include <string>
#include <vector>

#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "runtime/kernel.h"
#include "runtime/kernels/fused_gru_sequence_kernel.h"
#include "unsupported/Eigen/CXX11/Tensor"

namespace rill {
namespace {

using ::rill::testing::HasError;

constexpr int64_t kIn = 2, kUnits = 3, kBatch = 4;

Tensor Zeros(std::vector<int64_t> dims) {
  return *Tensor::Allocate(DT_FLOAT, TensorShape(dims));
}

struct Inputs {
  std::vector<Tensor> xs = {Zeros({kBatch, kIn}), Zeros({kBatch, kIn})};
  Tensor h = Zeros({kBatch, kUnits});
  std::vector<Tensor> weights = {Zeros({kIn + kUnits, 2 * kUnits}), Zeros({2 * kUnits}),
                                 Zeros({kIn + kUnits, kUnits}), Zeros({kUnits})};

  absl::Status Check() const {
    std::vector<const Tensor*> x_ptrs;
    std::vector<const TensorShape*> w_ptrs;
    for (const Tensor& x : xs) x_ptrs.push_back(&x);
    for (const Tensor& w : weights) w_ptrs.push_back(&w.shape());
    return CheckGruInputShapes(x_ptrs, h, w_ptrs, kIn, kUnits);
  }
};

TEST(CheckGruInputShapesTest, AcceptsTheShapesOfTheCell) {
  RILL_EXPECT_OK(Inputs().Check());
  Inputs empty_batch;
  empty_batch.h = Zeros({0, kUnits});
  empty_batch.xs = {Zeros({0, kIn})};
  RILL_EXPECT_OK(empty_batch.Check());
}

TEST(CheckGruInputShapesTest, NamesTheWrongInputAndTheShapeExpected) {
  struct Case {
    int which;  // 0: h, 1: xs[1], 2..5: weights[which - 2]
    std::vector<int64_t> dims;
    std::string message;
  };
  const Case cases[] = {
      {0, {kUnits}, "GRU cell: the state has shape [3], expected [B,3]"},
      {0, {kBatch, 1}, "GRU cell: the state has shape [4,1], expected [B,3]"},
      {1, {kBatch + 1, kIn}, "GRU cell: input 1 has shape [5,2], expected [4,2] (the state has batch 4)"},
      {1, {kBatch, kIn, 1}, "GRU cell: input 1 has shape [4,2,1], expected [4,2]"},
      {2, {kIn + kUnits, 2 * kUnits + 1}, "GRU cell: the gates kernel has shape [5,7], expected [5,6]"},
      {3, {2 * kUnits, 1}, "GRU cell: the gates bias has shape [6,1], expected [6]"},
      {4, {kIn + kUnits + 1, kUnits}, "GRU cell: the candidate kernel has shape [6,3], expected [5,3]"},
      {5, {kUnits - 1}, "GRU cell: the candidate bias has shape [2], expected [3]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    Inputs in;
    Tensor wrong = Zeros(c.dims);
    if (c.which == 0) {
      in.h = wrong;
    } else if (c.which == 1) {
      in.xs[1] = wrong;
    } else {
      in.weights[c.which - 2] = wrong;
    }
    EXPECT_TRUE(HasError(in.Check(), absl::StatusCode::kInvalidArgument, c.message));
  }
}

// H = 0 in every mode of the sequence kernel (B = 1 hoisted, B = 16 direct
// steps, B = 64 on oneDNN) and on 1 and 2 threads: empty states, no error
// (it divided by its zero panels once).
TEST(FusedGruSequenceKernelTest, NoUnitsGiveEmptyStates) {
  Eigen::ThreadPool pool(2);
  for (int threads : {1, 2}) {
    const Eigen::ThreadPoolDevice device(&pool, threads);
    for (int64_t batch : {1, 16, 64}) {
      SCOPED_TRACE(::testing::Message() << "B=" << batch << " threads=" << threads);
      constexpr int kSteps = 2;
      FusedGruSequenceKernel kernel(kSteps, kIn, /*units=*/0, InputSource::kOther);
      std::vector<Tensor> in = {Zeros({batch, kIn}), Zeros({batch, kIn}), Zeros({batch, 0}),
                                Zeros({kIn, 0}),     Zeros({0}),          Zeros({kIn, 0}),
                                Zeros({0})};
      std::vector<const Tensor*> inputs;
      for (const Tensor& t : in) inputs.push_back(&t);
      std::vector<TensorShape> shapes;
      RILL_ASSERT_OK(kernel.OutputShapes(inputs, &shapes));
      ASSERT_EQ(shapes.size(), 2u);
      EXPECT_EQ(shapes[1], TensorShape({batch, 0}));
      std::vector<Tensor> outputs(kSteps);
      const DataType types[kSteps] = {DT_FLOAT, DT_FLOAT};
      KernelContext ctx(/*node=*/nullptr, inputs, &shapes, &outputs, int64_t{1} << 30, &device,
                        /*variables=*/nullptr, /*pool=*/nullptr, /*budget=*/nullptr, types);
      RILL_ASSERT_OK(kernel.Compute(ctx));
      EXPECT_EQ(outputs[1].shape(), TensorShape({batch, 0}));
    }
  }
}

}  // namespace
}  // namespace rill

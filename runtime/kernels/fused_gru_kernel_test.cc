// CheckGruInputShapes: the fused GRU kernels' run-time shape checks, with
// the exact texts a caller sees for each wrong input.
#include "runtime/kernels/fused_gru_kernel.h"

#include <string>
#include <vector>

#include "graph/test_util.h"
#include "gtest/gtest.h"

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
    std::vector<const Tensor*> x_ptrs, w_ptrs;
    for (const Tensor& x : xs) x_ptrs.push_back(&x);
    for (const Tensor& w : weights) w_ptrs.push_back(&w);
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

}  // namespace
}  // namespace rill

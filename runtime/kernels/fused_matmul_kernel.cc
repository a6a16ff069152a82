#include "runtime/kernels/fused_matmul_kernel.h"

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "runtime/kernels/eigen_views.h"

namespace rill {
namespace {

using RowMap = Eigen::Map<Eigen::Array<float, 1, Eigen::Dynamic>>;
using ConstRowMap = Eigen::Map<const Eigen::Array<float, 1, Eigen::Dynamic>>;

// row = activation(row + bias).
void BiasAndActivation(FusedActivation activation, const ConstRowMap& bias, RowMap row) {
  switch (activation) {
    case FusedActivation::kNone: row += bias; return;
    case FusedActivation::kRelu: row = (row + bias).max(0.0f); return;
    case FusedActivation::kSigmoid: row = (row + bias).logistic(); return;
    case FusedActivation::kTanh: row = (row + bias).tanh(); return;
  }
}

}  // namespace

absl::Status FusedMatMulKernel::OutputShapes(absl::Span<const Tensor* const> inputs,
                                             std::vector<TensorShape>* shapes) const {
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  const Tensor& bias = *inputs[2];
  if (a.rank() != 2 || b.rank() != 2) {
    return absl::InvalidArgumentError(absl::StrCat("In[0] and In[1] must be matrices: ",
                                                   a.shape().ToString(), ", ",
                                                   b.shape().ToString()));
  }
  const int64_t k_a = transpose_a_ ? a.dim(0) : a.dim(1);
  const int64_t k_b = transpose_b_ ? b.dim(1) : b.dim(0);
  if (k_a != k_b) {
    return absl::InvalidArgumentError(
        absl::StrCat("Matrix size-incompatible: In[0]: ", a.shape().ToString(),
                     ", In[1]: ", b.shape().ToString()));
  }
  const int64_t m = transpose_a_ ? a.dim(1) : a.dim(0);
  const int64_t n = transpose_b_ ? b.dim(0) : b.dim(1);
  if (bias.rank() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("Biases must be 1D: ", bias.shape().ToString()));
  }
  if (bias.dim(0) != n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Must provide as many biases as the last dimension of the input tensor: ",
        bias.shape().ToString(), " vs. ", TensorShape({m, n}).ToString()));
  }
  shapes->assign(1, TensorShape({m, n}));
  return absl::OkStatus();
}

absl::Status FusedMatMulKernel::Compute(KernelContext& ctx) const {
  const Tensor* const inputs[] = {&ctx.input(0), &ctx.input(1), &ctx.input(2)};
  std::vector<TensorShape> shapes;
  RETURN_IF_ERROR(OutputShapes(inputs, &shapes));
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
  if (out->shape() != shapes[0]) {
    return absl::InternalError(absl::StrCat("FusedMatMul: planned output shape ",
                                            out->shape().ToString(), " is not ",
                                            shapes[0].ToString()));
  }
  const int64_t m = shapes[0].dim(0), n = shapes[0].dim(1);
  if (m == 0 || n == 0) return absl::OkStatus();
  // An empty inner dimension leaves the zero-filled output as the product.
  if ((transpose_a_ ? a.dim(0) : a.dim(1)) > 0) {
    RETURN_IF_ERROR(MatrixProduct(a, transpose_a_, b, transpose_b_,
                                  constant_weights_ ? &b_cache_ : nullptr,
                                  ctx.device().numThreads(), out));
  }
  float* c = out->data<float>();
  const ConstRowMap bias(ctx.input(2).data<float>(), n);
  for (int64_t r = 0; r < m; ++r) BiasAndActivation(activation_, bias, RowMap(c + r * n, n));
  return absl::OkStatus();
}

}  // namespace rill

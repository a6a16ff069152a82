#include "runtime/kernels/fused_matmul_kernel.h"

#include "absl/container/inlined_vector.h"
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
  const Tensor& b = *inputs[pieces_];
  const Tensor& bias = *inputs[pieces_ + 1];
  // The pieces of a (TensorFlow's ConcatOp texts), then a as one matrix.
  TensorShape a_shape = inputs[0]->shape();
  for (int i = 1; i < pieces_; ++i) {
    const TensorShape& piece = inputs[i]->shape();
    if (piece.rank() != a_shape.rank()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ConcatOp : Ranks of all input tensors should match: shape[0] = ",
          inputs[0]->shape().ToString(), " vs. shape[", i, "] = ", piece.ToString()));
    }
    if (piece.rank() == 2 && piece.dim(0) != a_shape.dim(0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ConcatOp : Dimensions of inputs should match: shape[0] = ",
          inputs[0]->shape().ToString(), " vs. shape[", i, "] = ", piece.ToString()));
    }
    if (piece.rank() == 2) a_shape.set_dim(1, a_shape.dim(1) + piece.dim(1));
  }
  if (a_shape.rank() != 2 || b.rank() != 2) {
    return absl::InvalidArgumentError(absl::StrCat("In[0] and In[1] must be matrices: ",
                                                   a_shape.ToString(), ", ",
                                                   b.shape().ToString()));
  }
  const int64_t k_a = transpose_a_ ? a_shape.dim(0) : a_shape.dim(1);
  const int64_t k_b = transpose_b_ ? b.dim(1) : b.dim(0);
  if (k_a != k_b) {
    return absl::InvalidArgumentError(
        absl::StrCat("Matrix size-incompatible: In[0]: ", a_shape.ToString(),
                     ", In[1]: ", b.shape().ToString()));
  }
  const int64_t m = transpose_a_ ? a_shape.dim(1) : a_shape.dim(0);
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
  absl::InlinedVector<const Tensor*, 4> inputs(pieces_ + 2);
  for (int i = 0; i < pieces_ + 2; ++i) inputs[i] = &ctx.input(i);
  std::vector<TensorShape> shapes;
  RETURN_IF_ERROR(OutputShapes(inputs, &shapes));
  const Tensor& b = ctx.input(pieces_);
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
  if (out->shape() != shapes[0]) {
    return absl::InternalError(absl::StrCat("FusedMatMul: planned output shape ",
                                            out->shape().ToString(), " is not ",
                                            shapes[0].ToString()));
  }
  const int64_t m = shapes[0].dim(0), n = shapes[0].dim(1);
  if (m == 0 || n == 0) return absl::OkStatus();
  const int threads = ctx.device().numThreads();
  const PaddedOperandCache* cache = b_cache_.get();
  float* c = out->data<float>();
  if (pieces_ == 1) {
    const Tensor& a = ctx.input(0);
    // An empty inner dimension leaves the zero-filled output as the product.
    if ((transpose_a_ ? a.dim(0) : a.dim(1)) > 0) {
      RETURN_IF_ERROR(MatrixProduct(a, transpose_a_, b, transpose_b_, cache, threads, out));
    }
  } else {
    // out = Σ a_i · b[rows of a_i] (columns of b with transpose_b), each
    // piece read where it is; empty pieces add nothing.
    ASSIGN_OR_RETURN(const GemmOperand op, ProductOperand(b, transpose_b_, cache, m, threads));
    int64_t k0 = 0;
    bool first = true;
    for (int i = 0; i < pieces_; ++i) {
      const Tensor& piece = ctx.input(i);
      const int64_t k = piece.dim(1);
      if (k == 0) continue;
      RETURN_IF_ERROR(LibraryProduct(m, k, piece.data<float>(), k, op, k0, 0, n,
                                     /*accumulate=*/!first, c, n, threads));
      first = false;
      k0 += k;
    }
  }
  const ConstRowMap bias(ctx.input(pieces_ + 1).data<float>(), n);
  for (int64_t r = 0; r < m; ++r) BiasAndActivation(activation_, bias, RowMap(c + r * n, n));
  return absl::OkStatus();
}

}  // namespace rill

// MatMul for float, double, int32, int64 with transpose_a / transpose_b.
//
// float runs on oneDNN's sgemm (runtime/kernels/gemm.h), with Const and
// variable weights at a padded stride; the rest on Eigen:
// Eigen Matrix products are as fast as Eigen::TensorContraction for the small
// products of an RNN step and much faster when transpose_b is set (a
// [1x256]x[256x256]^T product took 4 us against 85 us), but they run on one
// thread. The contraction on the ThreadPoolDevice is used only where it
// scales: untransposed floating-point products of at least kMinParallelMacs
// multiply-adds on a device with more than one thread.
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/kernels/eigen_views.h"
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/kernel_families.h"

namespace rill {
namespace {

// [64x1024]x[1024x1024] (2^26 MACs) ran 1.7x faster on 2 threads; at
// [32x512]x[512x512] (2^23) the contraction was still slower than Matrix.
constexpr int64_t kMinParallelMacs = int64_t{1} << 24;

template <typename T>
class MatMulKernel : public OpKernel {
 public:
  MatMulKernel(bool transpose_a, bool transpose_b)
      : transpose_a_(transpose_a), transpose_b_(transpose_b) {}

  static absl::StatusOr<std::unique_ptr<OpKernel>> Create(const Node& node) {
    ASSIGN_OR_RETURN(bool ta, GetBoolAttr(node.attrs(), "transpose_a"));
    ASSIGN_OR_RETURN(bool tb, GetBoolAttr(node.attrs(), "transpose_b"));
    return std::unique_ptr<OpKernel>(new MatMulKernel<T>(ta, tb));
  }

  void SetInputSources(const std::vector<InputSource>& sources,
                       DerivedWeightStore* store) override {
    if (sources.size() > 1 && KeepsDerivedValues(sources[1])) {
      b_cache_ = std::make_unique<PaddedOperandCache>(sources[1], store);
    }
  }

  absl::Status Compute(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
    const int64_t k = transpose_a_ ? a.dim(0) : a.dim(1);
    // An empty inner dimension leaves the zero-filled output as the result.
    if (out->num_elements() == 0 || k == 0) return absl::OkStatus();
    // Exceptions never leave a kernel: Eigen throws std::bad_alloc when its
    // blocking workspace cannot be allocated.
    try {
      return Multiply(ctx.device(), a, b, out);
    } catch (const std::bad_alloc&) {
      return absl::ResourceExhaustedError(
          absl::StrCat("Out of memory in MatMul of ", a.shape().ToString(), " and ",
                       b.shape().ToString()));
    }
    return absl::OkStatus();
  }

 private:
  using U = WrapType<T>;

  absl::Status Multiply(const Eigen::ThreadPoolDevice& device, const Tensor& a, const Tensor& b,
                        Tensor* out) const {
    const int64_t m = out->dim(0), n = out->dim(1);
    const int64_t k = transpose_a_ ? a.dim(0) : a.dim(1);
    if constexpr (std::is_same_v<T, float>) {
      return MatrixProduct(a, transpose_a_, b, transpose_b_, b_cache_.get(), device.numThreads(),
                           out);
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!transpose_a_ && !transpose_b_ && device.numThreads() > 1 &&
          m * k >= kMinParallelMacs / n) {
        const Eigen::array<Eigen::IndexPair<Eigen::Index>, 1> dims = {
            Eigen::IndexPair<Eigen::Index>(1, 0)};
        MutableTensorView<T, 2>(out).device(device) =
            ConstTensorView<T, 2>(a).contract(ConstTensorView<T, 2>(b), dims);
        return absl::OkStatus();
      }
    }
    auto lhs = ConstMatrix<U>(a, a.dim(0), a.dim(1));
    auto rhs = ConstMatrix<U>(b, b.dim(0), b.dim(1));
    auto product = MutableMatrix<U>(out, m, n);
    if (transpose_a_ && transpose_b_) {
      product.noalias() = lhs.transpose() * rhs.transpose();
    } else if (transpose_a_) {
      product.noalias() = lhs.transpose() * rhs;
    } else if (transpose_b_) {
      product.noalias() = lhs * rhs.transpose();
    } else {
      product.noalias() = lhs * rhs;
    }
    return absl::OkStatus();
  }

  const bool transpose_a_;
  const bool transpose_b_;
  // For b kept across runs (Const or variable); set by the plan before any
  // run.
  std::unique_ptr<PaddedOperandCache> b_cache_;
};

template <typename T>
absl::Status RegisterMatMul(KernelRegistry& registry) {
  return registry.Register("MatMul", DataTypeOf<T>(), MatMulKernel<T>::Create);
}

}  // namespace

absl::Status RegisterMatMulKernels(KernelRegistry& registry) {
  RETURN_IF_ERROR(RegisterMatMul<float>(registry));
  RETURN_IF_ERROR(RegisterMatMul<double>(registry));
  RETURN_IF_ERROR(RegisterMatMul<int32_t>(registry));
  RETURN_IF_ERROR(RegisterMatMul<int64_t>(registry));
  return absl::OkStatus();
}

}  // namespace rill

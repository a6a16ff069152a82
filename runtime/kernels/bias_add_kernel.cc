// BiasAdd for float, double, int32, int64. NHWC adds bias over the last
// dimension; NCHW over dimension rank-3 (TensorFlow's channel dimension for
// [N,C,H,W] and [C,H,W] values).
#include <cstdint>
#include <memory>
#include <string>

#include "graph/status_macros.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/kernels/eigen_views.h"
#include "runtime/kernels/kernel_families.h"

namespace rill {
namespace {

template <typename T>
class BiasAddKernel : public OpKernel {
 public:
  explicit BiasAddKernel(bool nchw) : nchw_(nchw) {}

  static absl::StatusOr<std::unique_ptr<OpKernel>> Create(const Node& node) {
    ASSIGN_OR_RETURN(std::string format, GetStringAttr(node.attrs(), "data_format"));
    return std::unique_ptr<OpKernel>(new BiasAddKernel<T>(format == "NCHW"));
  }

  absl::Status Compute(KernelContext& ctx) const override {
    const Tensor& value = ctx.input(0);
    const Tensor& bias = ctx.input(1);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
    if (out->num_elements() == 0) return absl::OkStatus();
    const int64_t channels = bias.num_elements();
    auto b = ConstFlat<U>(bias);
    if (!nchw_) {
      const int64_t rows = value.num_elements() / channels;
      MutableArraySlice<U>(DataAs<U>(out), rows, channels) =
          ConstArraySlice<U>(DataAs<U>(value), rows, channels).rowwise() + b.transpose();
      return absl::OkStatus();
    }
    // [outer, channels, inner]: each channel row of every outer block gets
    // its bias.
    const int rank = value.rank();
    const int64_t inner = value.dim(rank - 2) * value.dim(rank - 1);
    const int64_t block = channels * inner;
    const int64_t outer = value.num_elements() / block;
    for (int64_t o = 0; o < outer; ++o) {
      MutableArraySlice<U>(DataAs<U>(out) + o * block, channels, inner) =
          ConstArraySlice<U>(DataAs<U>(value) + o * block, channels, inner).colwise() + b;
    }
    return absl::OkStatus();
  }

 private:
  using U = WrapType<T>;
  const bool nchw_;
};

template <typename T>
absl::Status RegisterBiasAdd(KernelRegistry& registry) {
  return registry.Register("BiasAdd", DataTypeOf<T>(), BiasAddKernel<T>::Create);
}

}  // namespace

absl::Status RegisterBiasAddKernels(KernelRegistry& registry) {
  RETURN_IF_ERROR(RegisterBiasAdd<float>(registry));
  RETURN_IF_ERROR(RegisterBiasAdd<double>(registry));
  RETURN_IF_ERROR(RegisterBiasAdd<int32_t>(registry));
  RETURN_IF_ERROR(RegisterBiasAdd<int64_t>(registry));
  return absl::OkStatus();
}

}  // namespace rill

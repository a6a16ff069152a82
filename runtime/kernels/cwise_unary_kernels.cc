// Element-wise unary activations on Eigen's vectorized array functions:
// Sigmoid and Tanh (float, double), Relu (float, double, int32, int64).
//
// Eigen's float logistic and tanh are rational approximations that saturate
// to exactly 0 / +-1 for large |x| instead of overflowing exp(), so no input
// produces NaN except NaN itself.
#include <cstdint>

#include "graph/status_macros.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/kernels/eigen_views.h"
#include "runtime/kernels/kernel_families.h"

namespace rill {
namespace {

struct SigmoidFn {
  template <typename A>
  static auto Apply(const A& x) { return x.logistic(); }
};

struct TanhFn {
  template <typename A>
  static auto Apply(const A& x) { return x.tanh(); }
};

struct ReluFn {
  template <typename A>
  static auto Apply(const A& x) { return x.max(typename A::Scalar(0)); }
};

template <typename Fn, typename T>
class UnaryKernel : public OpKernel {
 public:
  explicit UnaryKernel(const Node&) {}

  absl::Status Compute(KernelContext& ctx) const override {
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
    MutableFlat<T>(out) = Fn::Apply(ConstFlat<T>(ctx.input(0)));
    return absl::OkStatus();
  }
};

template <typename T>
using SigmoidKernel = UnaryKernel<SigmoidFn, T>;
template <typename T>
using TanhKernel = UnaryKernel<TanhFn, T>;
template <typename T>
using ReluKernel = UnaryKernel<ReluFn, T>;

}  // namespace

absl::Status RegisterCwiseUnaryKernels(KernelRegistry& registry) {
  RETURN_IF_ERROR((RegisterForTypes<SigmoidKernel, float, double>(registry, "Sigmoid")));
  RETURN_IF_ERROR((RegisterForTypes<TanhKernel, float, double>(registry, "Tanh")));
  RETURN_IF_ERROR(
      (RegisterForTypes<ReluKernel, float, double, int32_t, int64_t>(registry, "Relu")));
  return absl::OkStatus();
}

}  // namespace rill

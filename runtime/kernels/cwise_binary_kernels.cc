// Element-wise binary ops with NumPy broadcasting: Add, AddV2, Sub, Mul,
// RealDiv for float, double, int32, int64.
//
// The output shape comes from the shape function (BroadcastBinary). Fast
// paths cover equal element counts, a one-element operand and a row vector
// against a matrix-like operand; everything else goes through a strided walk
// over the output with adjacent dimensions coalesced, whose innermost loop is
// again a contiguous Eigen array expression.
//
// Integer Add/Sub/Mul wrap around on overflow (computed unsigned). Integer
// RealDiv truncates toward zero like C++; a zero divisor anywhere in y is
// InvalidArgument "Integer division by zero", and INT_MIN / -1 wraps to
// INT_MIN instead of trapping.
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "graph/status_macros.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/kernels/eigen_views.h"
#include "runtime/kernels/kernel_families.h"

namespace rill {
namespace {

// Each op: the element type it computes in (U), whether zero divisors must be
// rejected, and Apply(a, b) on two Eigen arrays of one size.
template <typename T>
struct AddOp {
  using U = WrapType<T>;
  static constexpr bool kRejectZeroDivisor = false;
  template <typename A, typename B>
  static auto Apply(const A& a, const B& b) { return a + b; }
};

template <typename T>
struct SubOp {
  using U = WrapType<T>;
  static constexpr bool kRejectZeroDivisor = false;
  template <typename A, typename B>
  static auto Apply(const A& a, const B& b) { return a - b; }
};

template <typename T>
struct MulOp {
  using U = WrapType<T>;
  static constexpr bool kRejectZeroDivisor = false;
  template <typename A, typename B>
  static auto Apply(const A& a, const B& b) { return a * b; }
};

// REQUIRES b != 0 (checked for the whole divisor tensor beforehand).
template <typename T>
struct IntDivFunctor {
  T operator()(T a, T b) const {
    if (b == T(-1)) return static_cast<T>(std::make_unsigned_t<T>(0) - std::make_unsigned_t<T>(a));
    return a / b;
  }
};

template <typename T>
struct RealDivOp {
  using U = T;
  static constexpr bool kRejectZeroDivisor = std::is_integral_v<T>;
  template <typename A, typename B>
  static auto Apply(const A& a, const B& b) {
    if constexpr (std::is_integral_v<T>) {
      return a.binaryExpr(b, IntDivFunctor<T>());
    } else {
      return a / b;
    }
  }
};

// z[0, n) = x op y where each operand is contiguous or one repeated element.
template <typename Op, typename U = typename Op::U>
void ApplySegment(const U* x, bool x_contiguous, const U* y, bool y_contiguous, U* z,
                  int64_t n) {
  auto out = MutableFlatSlice<U>(z, n);
  using Array = FlatArray<U>;
  if (x_contiguous && y_contiguous) {
    out = Op::Apply(ConstFlatSlice<U>(x, n), ConstFlatSlice<U>(y, n));
  } else if (y_contiguous) {
    out = Op::Apply(Array::Constant(n, *x), ConstFlatSlice<U>(y, n));
  } else if (x_contiguous) {
    out = Op::Apply(ConstFlatSlice<U>(x, n), Array::Constant(n, *y));
  } else {
    out = Op::Apply(Array::Constant(n, *x), Array::Constant(n, *y));
  }
}

// One output dimension after coalescing, with each operand's element stride
// (0 where the operand is broadcast).
struct StridedDim {
  int64_t size;
  int64_t x_stride;
  int64_t y_stride;
};

// The output dimensions innermost first, size-1 dimensions dropped and
// neighbours merged where both operands walk them as one. The innermost
// strides are 0 or 1: an operand dimension is either 1 (stride 0) or the
// output's, and every dimension inside it is 1 in the output too.
std::vector<StridedDim> CoalescedDims(const TensorShape& x, const TensorShape& y,
                                      const TensorShape& out) {
  std::vector<StridedDim> dims;
  int64_t x_stride = 1, y_stride = 1;
  const int rank = out.rank();
  for (int i = rank - 1; i >= 0; --i) {
    const int ix = i - (rank - x.rank()), iy = i - (rank - y.rank());
    const int64_t dx = ix >= 0 ? x.dim(ix) : 1;
    const int64_t dy = iy >= 0 ? y.dim(iy) : 1;
    const StridedDim d = {out.dim(i), dx == 1 ? 0 : x_stride, dy == 1 ? 0 : y_stride};
    x_stride *= dx;
    y_stride *= dy;
    if (d.size == 1) continue;
    if (!dims.empty() && dims.back().x_stride * dims.back().size == d.x_stride &&
        dims.back().y_stride * dims.back().size == d.y_stride) {
      dims.back().size *= d.size;
    } else {
      dims.push_back(d);
    }
  }
  if (dims.empty()) dims.push_back({1, 0, 0});
  return dims;
}

template <typename Op, typename U = typename Op::U>
void StridedBroadcast(const Tensor& x, const Tensor& y, Tensor* out) {
  const std::vector<StridedDim> dims = CoalescedDims(x.shape(), y.shape(), out->shape());
  const StridedDim& inner = dims[0];
  const U* xp = DataAs<U>(x);
  const U* yp = DataAs<U>(y);
  U* zp = DataAs<U>(out);
  std::vector<int64_t> counter(dims.size(), 0);
  int64_t x_offset = 0, y_offset = 0;
  const int64_t rows = out->num_elements() / inner.size;
  for (int64_t row = 0; row < rows; ++row) {
    ApplySegment<Op>(xp + x_offset, inner.x_stride != 0, yp + y_offset, inner.y_stride != 0,
                     zp + row * inner.size, inner.size);
    // Odometer increment over the outer dimensions.
    for (size_t j = 1; j < dims.size(); ++j) {
      if (++counter[j] < dims[j].size) {
        x_offset += dims[j].x_stride;
        y_offset += dims[j].y_stride;
        break;
      }
      counter[j] = 0;
      x_offset -= dims[j].x_stride * (dims[j].size - 1);
      y_offset -= dims[j].y_stride * (dims[j].size - 1);
    }
  }
}

// True if `v` has `cols` elements, all in its last dimension: a row vector
// broadcast over every leading dimension of the output.
bool IsRowVector(const Tensor& v, int64_t cols) {
  return v.rank() >= 1 && v.num_elements() == cols && v.dim(v.rank() - 1) == cols;
}

template <typename Op>
class BinaryKernel : public OpKernel {
 public:
  explicit BinaryKernel(const Node&) {}

  absl::Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
    const int64_t n = out->num_elements();
    if (n == 0) return absl::OkStatus();
    if constexpr (Op::kRejectZeroDivisor) {
      if ((ConstFlat<U>(y) == U(0)).any()) {
        return absl::InvalidArgumentError("Integer division by zero");
      }
    }
    const int64_t nx = x.num_elements(), ny = y.num_elements();
    U* z = DataAs<U>(out);
    // With a non-empty output, an operand with n elements is laid out exactly
    // like the output: its broadcast dimensions can only be leading 1s.
    if ((nx == n || nx == 1) && (ny == n || ny == 1)) {
      ApplySegment<Op>(DataAs<U>(x), nx == n, DataAs<U>(y), ny == n, z, n);
      return absl::OkStatus();
    }
    const int64_t cols = out->dim(out->rank() - 1);
    const bool x_row = nx == n && IsRowVector(y, cols);
    const bool y_row = ny == n && IsRowVector(x, cols);
    if (x_row || y_row) {
      for (int64_t offset = 0; offset < n; offset += cols) {
        ApplySegment<Op>(DataAs<U>(x) + (x_row ? offset : 0), true,
                         DataAs<U>(y) + (y_row ? offset : 0), true, z + offset, cols);
      }
      return absl::OkStatus();
    }
    StridedBroadcast<Op>(x, y, out);
    return absl::OkStatus();
  }

 private:
  using U = typename Op::U;
};

// BinaryKernels<AddOp>::Kernel<float> is BinaryKernel<AddOp<float>>, in the
// one-parameter form RegisterForTypes wants.
template <template <typename> class Op>
struct BinaryKernels {
  template <typename T>
  using Kernel = BinaryKernel<Op<T>>;
};

template <template <typename> class Op>
absl::Status RegisterBinary(KernelRegistry& registry, const std::string& op) {
  return RegisterForTypes<BinaryKernels<Op>::template Kernel, float, double, int32_t, int64_t>(
      registry, op);
}

}  // namespace

absl::Status RegisterCwiseBinaryKernels(KernelRegistry& registry) {
  RETURN_IF_ERROR(RegisterBinary<AddOp>(registry, "Add"));
  RETURN_IF_ERROR(RegisterBinary<AddOp>(registry, "AddV2"));
  RETURN_IF_ERROR(RegisterBinary<SubOp>(registry, "Sub"));
  RETURN_IF_ERROR(RegisterBinary<MulOp>(registry, "Mul"));
  RETURN_IF_ERROR(RegisterBinary<RealDivOp>(registry, "RealDiv"));
  return absl::OkStatus();
}

}  // namespace rill

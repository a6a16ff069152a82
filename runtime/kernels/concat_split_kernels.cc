// ConcatV2 and Split for every dtype: both move whole slices with memcpy, so
// they only need the element size.
//
// Both view their tensors as [outer, axis, inner]: a slice is one outer row
// of one input/output, axis_size * inner elements long.
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "graph/shape_inference.h"
#include "graph/status_macros.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/kernels/kernel_families.h"

namespace rill {
namespace {

// The value of a scalar int32/int64 axis input, made non-negative for
// `rank`. The shape function has already rejected out-of-range values at run
// time; this only guards the invariant before indexing with it.
absl::StatusOr<int> ReadAxis(const Tensor& axis_tensor, int rank) {
  ASSIGN_OR_RETURN(std::vector<int64_t> v, InferenceContext::TensorToInt64s(axis_tensor));
  const int64_t axis = v.size() == 1 ? v[0] : rank;
  if (axis < -rank || axis >= rank) {
    return absl::InternalError(
        absl::StrCat("Axis ", axis_tensor.DebugString(), " out of range for rank ", rank,
                     " after shape inference"));
  }
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

// Elements before `axis` (the outer count) in `shape`.
int64_t OuterSize(const TensorShape& shape, int axis) {
  int64_t outer = 1;
  for (int i = 0; i < axis; ++i) outer *= shape.dim(i);
  return outer;
}

class ConcatV2Kernel : public OpKernel {
 public:
  explicit ConcatV2Kernel(const Node&) {}

  absl::Status Compute(KernelContext& ctx) const override {
    const int num_values = ctx.num_inputs() - 1;
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
    if (out->num_elements() == 0) return absl::OkStatus();
    ASSIGN_OR_RETURN(int axis, ReadAxis(ctx.input(num_values), out->rank()));
    const int64_t outer = OuterSize(out->shape(), axis);
    const size_t elem = DataTypeSize(out->dtype());
    // Bytes each input contributes to one outer row.
    std::vector<size_t> slice_bytes(num_values);
    for (int i = 0; i < num_values; ++i) {
      slice_bytes[i] = static_cast<size_t>(ctx.input(i).num_elements() / outer) * elem;
    }
    char* dst = out->raw();
    for (int64_t o = 0; o < outer; ++o) {
      for (int i = 0; i < num_values; ++i) {
        if (slice_bytes[i] == 0) continue;
        std::memcpy(dst, ctx.input(i).raw() + o * slice_bytes[i], slice_bytes[i]);
        dst += slice_bytes[i];
      }
    }
    return absl::OkStatus();
  }
};

class SplitKernel : public OpKernel {
 public:
  explicit SplitKernel(const Node&) {}

  absl::Status Compute(KernelContext& ctx) const override {
    const Tensor& value = ctx.input(1);
    const int num_split = ctx.num_outputs();
    if (num_split == 1) {
      ctx.set_output(0, value);
      return absl::OkStatus();
    }
    std::vector<Tensor*> outs(num_split);
    for (int i = 0; i < num_split; ++i) {
      ASSIGN_OR_RETURN(outs[i], ctx.allocate_output(i));
    }
    if (value.num_elements() == 0) return absl::OkStatus();
    ASSIGN_OR_RETURN(int axis, ReadAxis(ctx.input(0), value.rank()));
    const int64_t outer = OuterSize(value.shape(), axis);
    // All outputs have one shape (the split dimension divides evenly).
    const size_t slice_bytes =
        static_cast<size_t>(outs[0]->num_elements() / outer) * DataTypeSize(value.dtype());
    const char* src = value.raw();
    for (int64_t o = 0; o < outer; ++o) {
      for (int i = 0; i < num_split; ++i) {
        std::memcpy(outs[i]->raw() + o * slice_bytes, src, slice_bytes);
        src += slice_bytes;
      }
    }
    return absl::OkStatus();
  }
};

}  // namespace

absl::Status RegisterConcatSplitKernels(KernelRegistry& registry) {
  RETURN_IF_ERROR(RegisterAnyType<ConcatV2Kernel>(registry, "ConcatV2"));
  RETURN_IF_ERROR(RegisterAnyType<SplitKernel>(registry, "Split"));
  return absl::OkStatus();
}

}  // namespace rill

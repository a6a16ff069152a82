// Fill, Reshape and Shape for every dtype. Fill copies the value's bytes,
// Reshape shares the input buffer, Shape writes the input's dimensions.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/kernels/kernel_families.h"

namespace rill {
namespace {

// Repeats the element at `value` over `n` elements of `dst`.
template <typename Word>
void FillWords(const char* value, int64_t n, char* dst) {
  Word w;
  std::memcpy(&w, value, sizeof(Word));
  std::fill_n(reinterpret_cast<Word*>(dst), n, w);
}

class FillKernel : public OpKernel {
 public:
  explicit FillKernel(const Node&) {}

  absl::Status Compute(KernelContext& ctx) const override {
    const Tensor& value = ctx.input(1);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
    const int64_t n = out->num_elements();
    if (n == 0) return absl::OkStatus();
    switch (DataTypeSize(out->dtype())) {
      case 1: FillWords<uint8_t>(value.raw(), n, out->raw()); break;
      case 4: FillWords<uint32_t>(value.raw(), n, out->raw()); break;
      case 8: FillWords<uint64_t>(value.raw(), n, out->raw()); break;
      default:
        return absl::UnimplementedError(
            absl::StrCat("Fill does not support dtype ", DataTypeString(out->dtype())));
    }
    return absl::OkStatus();
  }
};

class ReshapeKernel : public OpKernel {
 public:
  explicit ReshapeKernel(const Node&) {}

  absl::Status Compute(KernelContext& ctx) const override {
    ASSIGN_OR_RETURN(Tensor out, ctx.input(0).Reshaped(ctx.output_shape(0)));
    ctx.set_output(0, std::move(out));
    return absl::OkStatus();
  }
  bool IsExpensive() const override { return false; }  // Shares the input's buffer.
};

class ShapeKernel : public OpKernel {
 public:
  explicit ShapeKernel(DataType out_type) : out_type_(out_type) {}

  static absl::StatusOr<std::unique_ptr<OpKernel>> Create(const Node& node) {
    ASSIGN_OR_RETURN(DataType out_type, GetTypeAttr(node.attrs(), "out_type"));
    return std::unique_ptr<OpKernel>(new ShapeKernel(out_type));
  }

  absl::Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
    for (int i = 0; i < in.rank(); ++i) {
      const int64_t d = in.dim(i);
      if (out_type_ == DT_INT32) {
        if (d > std::numeric_limits<int32_t>::max()) {
          return absl::InvalidArgumentError(
              absl::StrCat("Shape output type is 32-bit but dim ", i, " is ", d));
        }
        out->data<int32_t>()[i] = static_cast<int32_t>(d);
      } else {
        out->data<int64_t>()[i] = d;
      }
    }
    return absl::OkStatus();
  }
  bool IsExpensive() const override { return false; }

 private:
  const DataType out_type_;
};

}  // namespace

absl::Status RegisterArrayKernels(KernelRegistry& registry) {
  RETURN_IF_ERROR(RegisterAnyType<FillKernel>(registry, "Fill"));
  RETURN_IF_ERROR(RegisterAnyType<ReshapeKernel>(registry, "Reshape"));
  RETURN_IF_ERROR(registry.Register("Shape", DT_INVALID, ShapeKernel::Create));
  return absl::OkStatus();
}

}  // namespace rill

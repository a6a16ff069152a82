// Kernels that produce a value without arithmetic: Placeholder,
// PlaceholderWithDefault, Const, Identity, NoOp. They serve every dtype
// (registered with DT_INVALID) and never copy: outputs share input buffers.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/kernels/kernel_families.h"

namespace rill {
namespace {

// Runs only when the placeholder was not fed, so it always fails, with
// TensorFlow's text. Like TF's PlaceholderOp, the shape is mentioned only
// when the shape attr has known rank > 0 (unknown rank and scalars omit it).
class PlaceholderKernel : public OpKernel {
 public:
  explicit PlaceholderKernel(std::string message) : message_(std::move(message)) {}

  static absl::StatusOr<std::unique_ptr<OpKernel>> Create(const Node& node) {
    ASSIGN_OR_RETURN(TensorShape shape, GetShapeAttr(node.attrs(), "shape"));
    std::string message =
        absl::StrCat("You must feed a value for placeholder tensor '", node.name(),
                     "' with dtype ", DataTypeString(BaseType(node.output_type(0))));
    if (!shape.unknown_rank() && shape.rank() > 0) {
      absl::StrAppend(&message, " and shape ", shape.ToString());
    }
    return std::unique_ptr<OpKernel>(new PlaceholderKernel(std::move(message)));
  }

  absl::Status Compute(KernelContext&) const override {
    return absl::InvalidArgumentError(message_);
  }
  bool IsExpensive() const override { return false; }

 private:
  const std::string message_;
};

// Identity and PlaceholderWithDefault (when not fed): output 0 is input 0.
class ForwardInputKernel : public OpKernel {
 public:
  explicit ForwardInputKernel(const Node&) {}
  absl::Status Compute(KernelContext& ctx) const override {
    ctx.set_output(0, ctx.input(0));
    return absl::OkStatus();
  }
  bool IsExpensive() const override { return false; }
};

// Const: hands out the node's build-time value; every run shares its buffer.
class ConstKernel : public OpKernel {
 public:
  explicit ConstKernel(Tensor value) : value_(std::move(value)) {}

  static absl::StatusOr<std::unique_ptr<OpKernel>> Create(const Node& node) {
    // The graph converts the "value" attr when the node is added; a value
    // the Session released comes back (and stays while this kernel holds
    // its buffer).
    ASSIGN_OR_RETURN(Tensor value, node.SharedConstValue());
    return std::unique_ptr<OpKernel>(new ConstKernel(std::move(value)));
  }

  absl::Status Compute(KernelContext& ctx) const override {
    ctx.set_output(0, value_);
    return absl::OkStatus();
  }
  bool IsExpensive() const override { return false; }

 private:
  const Tensor value_;
};

class NoOpKernel : public OpKernel {
 public:
  explicit NoOpKernel(const Node&) {}
  absl::Status Compute(KernelContext&) const override { return absl::OkStatus(); }
  bool IsExpensive() const override { return false; }
};

}  // namespace

absl::Status RegisterPlaceholderKernels(KernelRegistry& registry) {
  RETURN_IF_ERROR(registry.Register("Placeholder", DT_INVALID, PlaceholderKernel::Create));
  RETURN_IF_ERROR(RegisterAnyType<ForwardInputKernel>(registry, "PlaceholderWithDefault"));
  RETURN_IF_ERROR(registry.Register("Const", DT_INVALID, ConstKernel::Create));
  RETURN_IF_ERROR(RegisterAnyType<ForwardInputKernel>(registry, "Identity"));
  RETURN_IF_ERROR(RegisterAnyType<NoOpKernel>(registry, "NoOp"));
  return absl::OkStatus();
}

}  // namespace rill

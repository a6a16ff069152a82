// VariableV2 and Assign: variable values live in the Session's
// VariableStorage, keyed by the VariableV2 node's name.
#include "absl/strings/str_cat.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/kernels/kernel_families.h"
#include "runtime/variable_storage.h"

namespace rill {
namespace {

absl::Status NoStorage(const Node& node) {
  return absl::FailedPreconditionError(absl::StrCat(
      "Node '", node.name(), "' (", node.op(), ") needs a Session's variable storage"));
}

// Outputs the variable's current value, or an unset ref when it has never
// been assigned; the executor then fails any consumer except Assign with
// "Attempting to use uninitialized value <name>".
class VariableV2Kernel : public OpKernel {
 public:
  explicit VariableV2Kernel(const Node&) {}
  absl::Status Compute(KernelContext& ctx) const override {
    if (ctx.variables() == nullptr) return NoStorage(ctx.node());
    absl::StatusOr<Tensor> value = ctx.variables()->Read(ctx.node().name());
    if (!value.ok()) return absl::OkStatus();
    // Readers were planned for the declared dtype and shape; a value that
    // does not match (written directly into VariableStorage) must not reach
    // them.
    const Node& node = ctx.node();
    const DataType dtype = BaseType(node.output_type(0));
    if (value->dtype() != dtype || !value->shape().IsCompatibleWith(node.output_shape(0))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Variable '", node.name(), "' holds a ", DataTypeString(value->dtype()), " ",
          value->shape().ToString(), " value but is declared ", DataTypeString(dtype), " ",
          node.output_shape(0).ToString()));
    }
    ctx.set_output(0, *std::move(value));
    return absl::OkStatus();
  }
  bool IsExpensive() const override { return false; }
};

class AssignKernel : public OpKernel {
 public:
  explicit AssignKernel(const Node& node)
      : variable_(node.input(0).node->name()),
        validate_shape_(node.attrs().at("validate_shape").b()),
        declared_shape_(node.input(0).shape()) {}

  absl::Status Compute(KernelContext& ctx) const override {
    if (ctx.variables() == nullptr) return NoStorage(ctx.node());
    const Tensor& value = ctx.input(1);
    if (validate_shape_ && !declared_shape_.IsCompatibleWith(value.shape())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Assign requires shapes of both tensors to match. lhs shape= ",
          declared_shape_.ToString(), " rhs shape= ", value.shape().ToString()));
    }
    // Without validate_shape TensorFlow lets the shape change; rill plans the
    // variable's readers for its declared shape, so only compatible values.
    if (!declared_shape_.IsCompatibleWith(value.shape())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Assign with validate_shape=false cannot give variable '", variable_,
          "' (declared ", declared_shape_.ToString(), ") a value of shape ",
          value.shape().ToString(), ": rill plans its readers for the declared shape"));
    }
    // Write stores a private copy (the run still holds `value`), so later
    // runs are independent of this one's buffers.
    absl::Status written = ctx.variables()->Write(variable_, value);
    if (!written.ok()) return written;
    ctx.set_output(0, value);
    return absl::OkStatus();
  }

 private:
  std::string variable_;
  bool validate_shape_;
  TensorShape declared_shape_;
};

absl::StatusOr<std::unique_ptr<OpKernel>> MakeAssign(const Node& node) {
  if (node.input(0).node->op() != "VariableV2") {
    return absl::UnimplementedError(absl::StrCat(
        "Assign to '", node.input(0).node->name(), "' (op ", node.input(0).node->op(),
        "): rill assigns only to VariableV2 nodes"));
  }
  return std::unique_ptr<OpKernel>(new AssignKernel(node));
}

}  // namespace

absl::Status RegisterStateKernels(KernelRegistry& registry) {
  absl::Status s = RegisterAnyType<VariableV2Kernel>(registry, "VariableV2");
  s.Update(registry.Register("Assign", DT_INVALID, MakeAssign));
  return s;
}

}  // namespace rill

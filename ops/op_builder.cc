#include "ops/op_builder.h"

#include "absl/strings/str_cat.h"

namespace rill {

Node* BuildNodeNamed(const Scope& scope, const std::string& full_name, const std::string& op,
                     std::vector<InputArg> inputs, AttrMap attrs) {
  if (!scope.ok()) return nullptr;
  absl::StatusOr<const OpDef*> def = scope.graph()->registry().LookUp(op);
  if (!def.ok()) {
    scope.UpdateStatus(def.status());
    return nullptr;
  }
  if (inputs.size() != (*def)->inputs.size()) {
    scope.UpdateStatus(absl::InvalidArgumentError(
        absl::StrCat("Op '", op, "' takes ", (*def)->inputs.size(), " input args, given ",
                     inputs.size(), " (node '", full_name, "')")));
    return nullptr;
  }
  NodeSpec spec;
  spec.name = full_name;
  spec.op = op;
  spec.device = scope.device();
  spec.control_inputs = scope.control_deps();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ArgDef& arg = (*def)->inputs[i];
    const std::vector<Output>& ts = inputs[i].tensors;
    for (const Output& t : ts) {
      if (!t.valid()) {
        scope.UpdateStatus(absl::InvalidArgumentError(absl::StrCat(
            "Input '", arg.name, "' of node '", full_name, "' is an invalid Output")));
        return nullptr;
      }
    }
    if (!arg.number_attr.empty() && !attrs.count(arg.number_attr)) {
      attrs[arg.number_attr] = AttrInt(static_cast<int64_t>(ts.size()));
    }
    if (!arg.type_attr.empty() && !attrs.count(arg.type_attr) && !ts.empty()) {
      attrs[arg.type_attr] = AttrType(BaseType(ts[0].dtype()));
    }
    spec.inputs.insert(spec.inputs.end(), ts.begin(), ts.end());
  }
  spec.attrs = std::move(attrs);
  if (!scope.colocation().empty()) {
    spec.attrs["_class"] = AttrStringList({"loc:@" + scope.colocation()});
  }
  absl::StatusOr<Node*> node = scope.graph()->AddNode(std::move(spec));
  if (!node.ok()) {
    scope.UpdateStatus(node.status());
    return nullptr;
  }
  return *node;
}

Node* BuildNode(const Scope& scope, const std::string& op, std::vector<InputArg> inputs,
                AttrMap attrs, const std::string& default_name) {
  if (!scope.ok()) return nullptr;
  std::string name = scope.GetUniqueNameForOp(default_name.empty() ? op : default_name);
  return BuildNodeNamed(scope, name, op, std::move(inputs), std::move(attrs));
}

Scope HelperScope(const Scope& scope, const std::string& full_node_name) {
  return scope.NewSubScope(full_node_name + "/");
}

}  // namespace rill

#include "ops/variables.h"

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "ops/array_ops.h"
#include "ops/initializers.h"
#include "ops/op_builder.h"

namespace rill {

absl::StatusOr<Variable*> GetVariable(const Scope& scope, const std::string& name,
                                      const GetVariableOptions& options) {
  if (!scope.ok()) return scope.status();
  const VariableScope& vs = scope.variable_scope();
  const std::string full = vs.name.empty() ? name : absl::StrCat(vs.name, "/", name);
  VariableStore& store = scope.variable_store();
  const DataType dtype = options.dtype ? *options.dtype : vs.dtype ? *vs.dtype : DT_FLOAT;

  if (Variable* existing = store.Find(full)) {
    if (vs.reuse == Reuse::kNone) {
      return absl::AlreadyExistsError(absl::StrCat(
          "Variable ", full, " already exists, disallowed. Did you mean to set reuse=True or "
          "reuse=tf.AUTO_REUSE in VarScope? Originally defined at:\n\n  node '",
          existing->node->name(), "' (", existing->ToString(), ")"));
    }
    if (options.shape && !options.shape->IsCompatibleWith(existing->shape)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Trying to share variable ", full, ", but specified shape ",
          options.shape->ToPythonString(), " and found shape ",
          existing->shape.ToPythonString(), "."));
    }
    // get_variable's dtype defaults to float32, so it is always compared.
    if (dtype != existing->dtype) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Trying to share variable ", full, ", but specified dtype ", PythonDTypeName(dtype),
          " and found dtype ", PythonDTypeName(MakeRefType(existing->dtype)), "."));
    }
    return existing;
  }
  if (vs.reuse == Reuse::kTrue) {
    return absl::NotFoundError(absl::StrCat(
        "Variable ", full, " does not exist, or was not created with tf.get_variable(). Did "
        "you mean to set reuse=tf.AUTO_REUSE in VarScope?"));
  }
  if (!options.shape || !options.shape->IsFullyDefined()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Shape of a new variable (", full, ") must be fully defined, but instead was ",
        options.shape ? options.shape->ToPythonString() : std::string("<unknown>"), "."));
  }
  RETURN_IF_ERROR(CheckSupportedDataType(dtype));
  Initializer init = options.initializer ? options.initializer : vs.initializer;
  if (!init) {
    if (IsFloatingType(dtype)) {
      init = GlorotUniformInitializer();
    } else {
      init = ZerosInitializer();
    }
  }

  // Variables ignore the current name scope and control dependencies. As in
  // TF's Variable._init_from_args, the initializer is built first and the
  // VariableV2 after it, both colocated with the variable's (reserved) name.
  Graph* graph = scope.graph();
  const std::string var_name = graph->UniqueName(full);
  Scope root = scope.NewSubScope(var_name + "/").WithNoControlDependencies();
  Scope colocated = root.WithColocation(var_name);
  Output value = init(colocated.NewSubScope("Initializer"), *options.shape, dtype);
  if (!scope.ok()) return scope.status();
  if (!value.valid()) return absl::InternalError("Initializer returned no value");
  Scope var_scope = scope.NewSubScope("/").WithNoControlDependencies().WithColocation(var_name);
  Node* var = BuildNodeNamed(var_scope, var_name, "VariableV2", {},
                             {{"shape", AttrShape(*options.shape)}, {"dtype", AttrType(dtype)}});
  if (var == nullptr) return scope.status();
  Node* assign = BuildNode(colocated.WithOpName("Assign"), "Assign", {Output(var, 0), value});
  Node* read = BuildNode(colocated.WithOpName("read"), "Identity", {Output(var, 0)});
  if (assign == nullptr || read == nullptr) return scope.status();

  Variable v;
  v.name = var->name();
  v.node = var;
  v.assign = assign;
  v.value = Output(read, 0);
  v.shape = *options.shape;
  v.dtype = dtype;
  v.trainable = options.trainable;
  Variable* stored = store.Add(std::move(v));
  graph->AddToCollection(kGlobalVariables, stored->name);
  if (stored->trainable) graph->AddToCollection(kTrainableVariables, stored->name);

  Regularizer reg = options.regularizer ? options.regularizer : vs.regularizer;
  if (reg) {
    Output loss = reg(colocated.NewSubScope("Regularizer"), stored->value);
    if (!scope.ok()) return scope.status();
    if (loss.valid()) graph->AddToCollection(kRegularizationLosses, loss.name());
  }
  return stored;
}

Node* GlobalVariablesInitializer(const Scope& scope) {
  std::vector<Node*> assigns;
  for (const Variable* v : scope.variable_store().all()) assigns.push_back(v->assign);
  return ops::NoOp(scope.WithNoControlDependencies().WithControlDependencies(assigns)
                       .WithOpName("init"));
}

}  // namespace rill

// tf.get_variable and friends: variables as VariableV2 + "<name>/Assign" +
// "<name>/read" nodes, created or reused under the scope's variable scope with
// TensorFlow 1.x's rules and error texts (SPEC §4). As in TF, a new variable's
// nodes come in the order "<name>/Initializer/...", "<name>" (VariableV2),
// "<name>/Assign", "<name>/read", all colocated with it (`_class:
// ["loc:@<name>"]`), as is a regularizer's loss under "<name>/Regularizer/".
//
//   Scope s = root.WithVariableScope("root");
//   GetVariableOptions o;
//   o.shape = TensorShape({3, 4});
//   ASSIGN_OR_RETURN(Variable* w, GetVariable(s, "w", o));   // "root/w"
//   Output y = ops::MatMul(s, x, w->value);
#ifndef RILL_OPS_VARIABLES_H_
#define RILL_OPS_VARIABLES_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "graph/scope.h"
#include "graph/variable_scope.h"

namespace rill {

// Graph collection keys (GraphKeys).
inline constexpr char kGlobalVariables[] = "variables";
inline constexpr char kTrainableVariables[] = "trainable_variables";
inline constexpr char kRegularizationLosses[] = "regularization_losses";
inline constexpr char kUpdateOps[] = "update_ops";

struct GetVariableOptions {
  std::optional<TensorShape> shape;  // Required to create; checked on reuse.
  std::optional<DataType> dtype;     // Default: the scope's, else float.
  Initializer initializer;           // Default: the scope's, else glorot/zeros.
  Regularizer regularizer;           // Default: the scope's.
  bool trainable = true;
};

// Gets or creates "<variable scope>/<name>". Errors:
//  - AlreadyExists "Variable X already exists, disallowed. Did you mean to set
//    reuse=True or reuse=tf.AUTO_REUSE in VarScope? ..." (reuse off);
//  - NotFound "Variable X does not exist, or was not created with
//    tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in VarScope?"
//    (reuse=True);
//  - InvalidArgument "Trying to share variable X, but specified shape (2,) and
//    found shape (1,)." / "... specified dtype int32 and found dtype
//    float32_ref." (an unset dtype means the scope's, else float32, as TF); "Shape of a new variable (X) must be fully defined, but
//    instead was <unknown>."; a failure building the initializer.
absl::StatusOr<Variable*> GetVariable(const Scope& scope, const std::string& name,
                                      const GetVariableOptions& options);

// A NoOp named "init" with a control input on every variable's Assign, in
// creation order (tf.global_variables_initializer). Null (and scope status
// set) on error.
Node* GlobalVariablesInitializer(const Scope& scope);

}  // namespace rill

#endif  // RILL_OPS_VARIABLES_H_

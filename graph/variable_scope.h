// Variable scopes, as in TensorFlow 1.x's tf.variable_scope: a variable's
// full name depends only on the variable scope ("root/gru_cell/gates/kernel"),
// never on the name scope; scopes carry reuse, a default initializer,
// regularizer and dtype that sub-scopes inherit.
//
//   Scope root = Scope::NewRootScope(&GlobalOpRegistry());
//   VariableScopeOptions o;
//   o.initializer = ConstantInitializer(0.5);
//   Scope s = root.WithVariableScope("root", o);     // varscope + name scope "root"
//   Scope again = root.WithVariableScope(s.variable_scope(), {.reuse = Reuse::kTrue});
//
// Reuse rules (SPEC §4.2): kTrue is inherited by every sub-scope and cannot be
// undone; kNone ("reuse=None/False") inherits the parent's; kAuto creates or
// reuses. The variables themselves are made by GetVariable (ops/variables.h).
#ifndef RILL_GRAPH_VARIABLE_SCOPE_H_
#define RILL_GRAPH_VARIABLE_SCOPE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/node.h"
#include "graph/tensor_shape.h"
#include "graph/types.h"

namespace rill {

class Scope;

enum class Reuse { kNone, kTrue, kAuto };

// Builds a variable's initial value under `scope` (its "<var>/Initializer"
// name scope). Returns an invalid Output after setting the scope's status on
// error.
using Initializer = std::function<Output(const Scope& scope, const TensorShape& shape,
                                         DataType dtype)>;
// Builds a loss from a variable's value under `scope` ("<var>/Regularizer").
using Regularizer = std::function<Output(const Scope& scope, Output value)>;

struct VariableScope {
  std::string name;  // "" at the root.
  Reuse reuse = Reuse::kNone;
  Initializer initializer;
  Regularizer regularizer;
  std::optional<DataType> dtype;
  // The name scope opened when the scope was first entered, with a trailing
  // '/' ("root/"), or "" at the root / with auxiliary_name_scope=false.
  std::string original_name_scope;
};

struct VariableScopeOptions {
  Reuse reuse = Reuse::kNone;
  Initializer initializer;  // Overrides the inherited one when set.
  Regularizer regularizer;  // Overrides the inherited one when set.
  bool no_regularizer = false;  // tf.no_regularizer: drop an inherited one.
  std::optional<DataType> dtype;
  bool auxiliary_name_scope = true;
};

// A variable made by GetVariable.
struct Variable {
  std::string name;  // "root/gru_cell/gates/kernel"
  Node* node = nullptr;    // VariableV2
  Node* assign = nullptr;  // "<name>/Assign" (its initializer)
  Output value;            // "<name>/read" (Identity)
  TensorShape shape;
  DataType dtype = DT_FLOAT;
  bool trainable = true;
  std::string ToString() const;  // "<name>:0 shape=(2, 3) dtype=float32"
};

// Per-graph store of variables and variable-scope counters (shared by all
// scopes derived from one root). Not thread-safe, like graph building.
class VariableStore {
 public:
  Variable* Find(const std::string& name);
  Variable* Add(Variable v);
  // Variables in creation order.
  const std::vector<Variable*>& all() const { return order_; }

  // TF's variable_scopes_count: how often a full scope name was entered.
  int ScopeCount(const std::string& name) const;
  void OpenScope(const std::string& name);
  // Resets the counts of every scope nested under `name` (TF does this when
  // `name` is exited; rill does it when `name` is entered again).
  void CloseSubscopes(const std::string& name);

  // Per-graph layer names: "gru_cell", then "gru_cell_1", ... (Keras'
  // unique_layer_name).
  std::string UniqueLayerName(const std::string& base);

 private:
  std::map<std::string, int> layer_uids_;
  std::map<std::string, std::unique_ptr<Variable>> vars_;
  std::vector<Variable*> order_;
  std::map<std::string, int> scope_counts_;
};

}  // namespace rill

#endif  // RILL_GRAPH_VARIABLE_SCOPE_H_

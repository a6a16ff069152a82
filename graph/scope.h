// Scope: where and how op builders add nodes — the graph, the name scope, the
// control dependencies and the device — plus a sticky status.
//
//   Scope root = Scope::NewRootScope(&GlobalOpRegistry());
//   Scope rnn = root.NewSubScope("rnn");            // name scope "rnn"
//   Output y = MatMul(rnn, x, w);                   // node "rnn/MatMul"
//   Output z = MatMul(rnn.WithOpName("out"), y, w); // node "rnn/out"
//   RETURN_IF_ERROR(root.status());                 // first error, if any
//
// Naming follows TensorFlow's Python graph mode: op and scope names share one
// case-insensitive namespace per graph and are uniquified with "_1", "_2"...
// ("MatMul", "MatMul_1"; re-entering scope "rnn" gives "rnn_1").
//
// Sticky status: builders become no-ops once any error happened on any scope
// derived from the same root, and return invalid Outputs; callers check
// status() once at the end.
//
// Scope is a cheap value type. Copies share the graph and the status. Not
// thread-safe: build a graph from one thread.
#ifndef RILL_GRAPH_SCOPE_H_
#define RILL_GRAPH_SCOPE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "graph/graph.h"
#include "graph/variable_scope.h"

namespace rill {

class Scope {
 public:
  // A root scope owning a new Graph over `registry` (not owned).
  static Scope NewRootScope(const OpRegistryInterface* registry);
  // A root scope adding to an existing graph (not owned; must outlive every
  // scope derived from it).
  static Scope ForGraph(Graph* graph);

  // A child name scope "parent/name", uniquified like tf.name_scope. A name
  // ending in '/' re-enters that exact absolute scope ("rnn/gru_cell/").
  Scope NewSubScope(const std::string& name) const;
  // The next op built gets this name (uniquified if taken) in this scope.
  Scope WithOpName(const std::string& name) const;
  // Nodes built with this scope get these control inputs (added to the
  // current ones).
  Scope WithControlDependencies(const std::vector<Node*>& deps) const;
  Scope WithNoControlDependencies() const;
  Scope WithDevice(const std::string& device) const;
  // Nodes built with this scope get TensorFlow's colocation attr
  // `_class: ["loc:@<node_name>"]` (tf.colocate_with).
  Scope WithColocation(const std::string& node_name) const;
  const std::string& colocation() const { return colocation_; }

  // Variable scopes (graph/variable_scope.h). Each returns a scope whose
  // variable scope is the new one and whose name scope is the matching
  // uniquified name scope (unless options.auxiliary_name_scope is false).
  // Opens variable scope "<current>/<name>".
  Scope WithVariableScope(const std::string& name,
                          const VariableScopeOptions& options = {}) const;
  // Re-enters a captured variable scope: same variable names; a new name
  // scope named after its last component in the current name scope.
  Scope WithVariableScope(const VariableScope& captured,
                          const VariableScopeOptions& options = {}) const;
  // tf.variable_scope(None, default_name=...): a uniquified variable scope
  // ("bar", "bar_1", ...) in name scope `default_name`, which the graph
  // uniquifies on its own ("b/bar" for variable scope "bar_1"). Reuse::kTrue is an error here (InvalidArgument
  // "reuse=True cannot be used without a name_or_scope").
  Scope WithDefaultVariableScope(const std::string& default_name,
                                 const VariableScopeOptions& options = {}) const;
  // scope.reuse_variables(): the same variable scope with reuse on.
  Scope WithReuseVariables() const;
  const VariableScope& variable_scope() const { return *var_scope_; }
  VariableStore& variable_store() const;

  // The full unique node name for the next op: WithOpName's name or
  // `default_name`, prefixed by the name scope and uniquified. Marks it used.
  std::string GetUniqueNameForOp(const std::string& default_name) const;

  // "rnn/gru_cell" ("" at the root).
  const std::string& name_scope() const { return name_scope_; }
  Graph* graph() const;
  const std::vector<Node*>& control_deps() const { return control_deps_; }
  const std::string& device() const { return device_; }

  bool ok() const;
  absl::Status status() const;
  // Records the first error; later errors are dropped.
  void UpdateStatus(const absl::Status& s) const;

 private:
  struct Shared;
  explicit Scope(std::shared_ptr<Shared> shared);

  Scope EnterVariableScope(VariableScope vs, const std::string& name_scope_name,
                           const VariableScopeOptions& options, bool first_entry) const;

  std::shared_ptr<Shared> shared_;
  std::shared_ptr<const VariableScope> var_scope_;
  std::string name_scope_;
  std::string op_name_;
  std::vector<Node*> control_deps_;
  std::string device_;
  std::string colocation_;
};

}  // namespace rill

#endif  // RILL_GRAPH_SCOPE_H_

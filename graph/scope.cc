#include "graph/scope.h"

#include "absl/strings/str_cat.h"

namespace rill {

struct Scope::Shared {
  std::unique_ptr<Graph> owned_graph;
  Graph* graph = nullptr;
  absl::Status status;
  VariableStore variable_store;
};

Scope::Scope(std::shared_ptr<Shared> shared)
    : shared_(std::move(shared)), var_scope_(std::make_shared<VariableScope>()) {}

VariableStore& Scope::variable_store() const { return shared_->variable_store; }

Graph* Scope::graph() const { return shared_->graph; }
bool Scope::ok() const { return shared_->status.ok(); }
absl::Status Scope::status() const { return shared_->status; }

Scope Scope::NewRootScope(const OpRegistryInterface* registry) {
  auto shared = std::make_shared<Shared>();
  shared->owned_graph = std::make_unique<Graph>(registry);
  shared->graph = shared->owned_graph.get();
  return Scope(std::move(shared));
}

Scope Scope::ForGraph(Graph* graph) {
  auto shared = std::make_shared<Shared>();
  shared->graph = graph;
  return Scope(std::move(shared));
}

Scope Scope::NewSubScope(const std::string& name) const {
  Scope s = *this;
  s.op_name_.clear();
  if (name.empty()) return s;
  if (name.back() == '/') {
    s.name_scope_ = name.substr(0, name.size() - 1);
    return s;
  }
  std::string full = name_scope_.empty() ? name : absl::StrCat(name_scope_, "/", name);
  s.name_scope_ = graph()->UniqueName(full);
  return s;
}

Scope Scope::WithOpName(const std::string& name) const {
  Scope s = *this;
  s.op_name_ = name;
  return s;
}

Scope Scope::WithControlDependencies(const std::vector<Node*>& deps) const {
  Scope s = *this;
  s.control_deps_.insert(s.control_deps_.end(), deps.begin(), deps.end());
  return s;
}

Scope Scope::WithNoControlDependencies() const {
  Scope s = *this;
  s.control_deps_.clear();
  return s;
}

Scope Scope::WithColocation(const std::string& node_name) const {
  Scope s = *this;
  s.colocation_ = node_name;
  return s;
}

Scope Scope::WithDevice(const std::string& device) const {
  Scope s = *this;
  s.device_ = device;
  return s;
}

std::string Scope::GetUniqueNameForOp(const std::string& default_name) const {
  const std::string& base = op_name_.empty() ? default_name : op_name_;
  std::string full = name_scope_.empty() ? base : absl::StrCat(name_scope_, "/", base);
  return graph()->UniqueName(full);
}

Scope Scope::EnterVariableScope(VariableScope vs, const std::string& name_scope_name,
                                const VariableScopeOptions& options,
                                bool first_entry) const {
  if (options.reuse != Reuse::kNone) vs.reuse = options.reuse;
  if (options.initializer) vs.initializer = options.initializer;
  if (options.regularizer) vs.regularizer = options.regularizer;
  if (options.no_regularizer) vs.regularizer = nullptr;
  if (options.dtype) vs.dtype = options.dtype;
  // TF resets the counters of nested default-named scopes when a scope is
  // exited; rill scopes are values without an exit, so it resets them when
  // the scope is entered again, which gives the same names.
  variable_store().CloseSubscopes(vs.name);
  variable_store().OpenScope(vs.name);
  Scope s = *this;
  s.op_name_.clear();
  if (options.auxiliary_name_scope) s = NewSubScope(name_scope_name);
  if (first_entry) {
    // A captured scope keeps the name scope of its first entry.
    vs.original_name_scope = s.name_scope_.empty() ? "" : s.name_scope_ + "/";
  }
  s.var_scope_ = std::make_shared<VariableScope>(std::move(vs));
  return s;
}

Scope Scope::WithVariableScope(const std::string& name,
                               const VariableScopeOptions& options) const {
  VariableScope vs = *var_scope_;
  vs.name = vs.name.empty() ? name : absl::StrCat(vs.name, "/", name);
  return EnterVariableScope(std::move(vs), name, options, /*first_entry=*/true);
}

Scope Scope::WithVariableScope(const VariableScope& captured,
                               const VariableScopeOptions& options) const {
  const size_t slash = captured.name.rfind('/');
  const std::string last =
      slash == std::string::npos ? captured.name : captured.name.substr(slash + 1);
  return EnterVariableScope(captured, last, options, /*first_entry=*/false);
}

Scope Scope::WithDefaultVariableScope(const std::string& default_name,
                                      const VariableScopeOptions& options) const {
  if (options.reuse == Reuse::kTrue) {
    UpdateStatus(absl::InvalidArgumentError(
        absl::StrCat("reuse=True cannot be used without a name_or_scope (default_name '",
                     default_name, "')")));
    return *this;
  }
  const std::string& parent = var_scope_->name;
  const std::string prefix = parent.empty() ? default_name : parent + "/" + default_name;
  std::string unique = prefix;
  for (int i = 1; variable_store().ScopeCount(unique) > 0; ++i) {
    unique = absl::StrCat(prefix, "_", i);
  }
  // TF opens name_scope(default_name), uniquified on its own ("b/default"
  // even when the variable scope is "default_1").
  VariableScope vs = *var_scope_;
  vs.name = unique;
  return EnterVariableScope(std::move(vs), default_name, options, /*first_entry=*/true);
}

Scope Scope::WithReuseVariables() const {
  Scope s = *this;
  auto vs = std::make_shared<VariableScope>(*var_scope_);
  vs->reuse = Reuse::kTrue;
  s.var_scope_ = std::move(vs);
  return s;
}

void Scope::UpdateStatus(const absl::Status& s) const {
  if (shared_->status.ok() && !s.ok()) shared_->status = s;
}

}  // namespace rill

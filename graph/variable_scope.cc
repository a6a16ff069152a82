#include "graph/variable_scope.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace rill {

std::string Variable::ToString() const {
  return absl::StrCat(name, ":0 shape=", shape.ToPythonString(),
                      " dtype=", PythonDTypeName(dtype));
}

Variable* VariableStore::Find(const std::string& name) {
  auto it = vars_.find(name);
  return it == vars_.end() ? nullptr : it->second.get();
}

Variable* VariableStore::Add(Variable v) {
  auto owned = std::make_unique<Variable>(std::move(v));
  Variable* raw = owned.get();
  vars_[raw->name] = std::move(owned);
  order_.push_back(raw);
  return raw;
}

int VariableStore::ScopeCount(const std::string& name) const {
  auto it = scope_counts_.find(name);
  return it == scope_counts_.end() ? 0 : it->second;
}

void VariableStore::OpenScope(const std::string& name) { ++scope_counts_[name]; }

void VariableStore::CloseSubscopes(const std::string& name) {
  const std::string prefix = name.empty() ? "" : name + "/";
  for (auto& [scope, count] : scope_counts_) {
    if (absl::StartsWith(scope, prefix) && scope != name) count = 0;
  }
}

std::string VariableStore::UniqueLayerName(const std::string& base) {
  const int uid = layer_uids_[base]++;
  return uid == 0 ? base : absl::StrCat(base, "_", uid);
}

}  // namespace rill

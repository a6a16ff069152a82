#include "graph/scope.h"

#include "absl/strings/str_cat.h"

namespace rill {

struct Scope::Shared {
  std::unique_ptr<Graph> owned_graph;
  Graph* graph = nullptr;
  absl::Status status;
};

Scope::Scope(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

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

void Scope::UpdateStatus(const absl::Status& s) const {
  if (shared_->status.ok() && !s.ok()) shared_->status = s;
}

}  // namespace rill

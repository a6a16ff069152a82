#include "ops/op_registry.h"

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "ops/op_families.h"

namespace rill {

absl::Status OpRegistry::Register(const OpDefBuilder& builder) {
  ASSIGN_OR_RETURN(OpDef def, builder.Finalize());
  std::string name = def.name;
  auto [it, inserted] = ops_.emplace(name, std::make_unique<OpDef>(std::move(def)));
  if (!inserted) {
    return absl::AlreadyExistsError(absl::StrCat("Op '", name, "' registered twice"));
  }
  return absl::OkStatus();
}

absl::StatusOr<const OpDef*> OpRegistry::LookUp(const std::string& op_type) const {
  auto it = ops_.find(op_type);
  if (it == ops_.end()) {
    return absl::NotFoundError(absl::StrCat(
        "Op type not registered '", op_type,
        "' in binary running on rill. Make sure the Op and Kernel are registered "
        "in the binary running in this process."));
  }
  return it->second.get();
}

std::vector<std::string> OpRegistry::ListOps() const {
  std::vector<std::string> names;
  for (const auto& [name, def] : ops_) names.push_back(name);
  return names;
}

absl::Status RegisterStandardOps(OpRegistry& registry) {
  RETURN_IF_ERROR(RegisterArrayOps(registry));
  RETURN_IF_ERROR(RegisterMathOps(registry));
  RETURN_IF_ERROR(RegisterNnOps(registry));
  RETURN_IF_ERROR(RegisterStateOps(registry));
  RETURN_IF_ERROR(RegisterLinalgOps(registry));
  return absl::OkStatus();
}

const OpRegistry& GlobalOpRegistry() {
  static const OpRegistry* const registry = [] {
    auto* reg = new OpRegistry();
    // The definitions are fixed code, not user input: failure is a build bug.
    RILL_CHECK(RegisterStandardOps(*reg).ok());
    return reg;
  }();
  return *registry;
}

}  // namespace rill

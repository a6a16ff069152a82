#include "runtime/variable_storage.h"

#include "absl/strings/str_cat.h"

namespace rill {

absl::StatusOr<Tensor> VariableStorage::Read(const std::string& name) const {
  absl::MutexLock lock(&mu_);
  auto it = values_.find(name);
  if (it == values_.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("Attempting to use uninitialized value ", name));
  }
  return it->second;
}

void VariableStorage::Write(const std::string& name, Tensor value) {
  absl::MutexLock lock(&mu_);
  values_[name] = std::move(value);
}

bool VariableStorage::IsInitialized(const std::string& name) const {
  absl::MutexLock lock(&mu_);
  return values_.count(name) > 0;
}

std::vector<std::string> VariableStorage::Names() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> names;
  for (const auto& [name, value] : values_) names.push_back(name);
  return names;
}

void VariableStorage::WriteAll(std::map<std::string, Tensor> values) {
  absl::MutexLock lock(&mu_);
  for (auto& [name, value] : values) values_[name] = std::move(value);
}

}  // namespace rill

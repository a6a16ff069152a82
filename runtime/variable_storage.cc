#include "runtime/variable_storage.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"

namespace rill {
namespace {

// Makes `value` the only holder of its buffer (see the class comment).
absl::Status Unshare(Tensor& value) {
  if (value.buffer() == nullptr) return absl::OkStatus();
  if (value.buffer().use_count() == 1) {
    // As in ExecutionPlan::Release: orders the other holders' last accesses
    // (before they dropped the buffer) before the storage's readers.
    std::atomic_thread_fence(std::memory_order_acquire);
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(value, value.Clone());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Tensor> VariableStorage::Read(const std::string& name) const {
  absl::MutexLock lock(&mu_);
  auto it = values_.find(name);
  if (it == values_.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("Attempting to use uninitialized value ", name));
  }
  return it->second;
}

absl::Status VariableStorage::Write(const std::string& name, Tensor value) {
  RETURN_IF_ERROR(Unshare(value));
  absl::MutexLock lock(&mu_);
  values_[name] = std::move(value);
  return absl::OkStatus();
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

absl::Status VariableStorage::WriteAll(std::map<std::string, Tensor> values) {
  for (auto& [name, value] : values) RETURN_IF_ERROR(Unshare(value));
  absl::MutexLock lock(&mu_);
  for (auto& [name, value] : values) values_[name] = std::move(value);
  return absl::OkStatus();
}

}  // namespace rill
